import { readFileSync } from 'node:fs';
import { escapeControls } from '../core/failures.js';
import { commander } from '../runtime/cjs-deps.js';
import { addBenchCommand } from './bench.js';
import { describeFailure, EXIT } from './failures.js';
import { hooksCommand } from './hook-list.js';
import { invokeCommand } from './invoke.js';
import { BUNDLED_CONFIG, oneLine, type Io } from './io.js';
import { runCommand } from './run.js';
import { addServeCommand } from './serve.js';
import { colourWanted, makeStyle } from './style.js';
import { validateCommand } from './validate.js';

const { Command, CommanderError } = commander();
type Command = InstanceType<typeof Command>;

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** A call the bundled chain lets through (its schema_guard wants a subject and a body), on that chain's real path. */
const INVOKE_EXAMPLE = `echo '{"name":"send_email","args":{"to":"bob@example.com","subject":"Hi","body":"Lunch?"}}' `
  + `| cordon invoke ${shellWord(BUNDLED_CONFIG)} tool_pre_invoke -`;

function shellWord(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Runs the command line on `argv` (as in process.argv) and returns the exit code; never throws. */
export async function runCli(argv: string[]): Promise<number> {
  // `cordon run | head` closes the pipe early: stop writing rather than die on EPIPE, and still shut down cleanly
  let stdoutOpen = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stdoutOpen = false;
  });
  const io: Io = {
    out: (text) => {
      if (stdoutOpen) process.stdout.write(text);
    },
    err: (text) => process.stderr.write(text),
    style: makeStyle(colourWanted()),
    verbose: false,
  };
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    // commander has already printed its own message (usage errors, or the help that was asked for)
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    const { exitCode: code, line } = describeFailure(err);
    io.err(`cordon: ${oneLine(line)}\n`);
    if (io.verbose && err instanceof Error && err.stack) io.err(`${stackWithCauses(err)}\n`);
    return code;
  }
}

function buildProgram(io: Io, setExit: (code: number) => void): Command {
  // Usage errors exit 2 like any bad input, and read as one `cordon: ...` line.
  const configure = (cmd: Command): Command => cmd
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`cordon: ${text.replace(/^error: /, '')}`) });
  const program = configure(new Command('cordon'))
    .description('Run guardrail plugins for AI/MCP gateways in isolated workers')
    .version(version)
    .option('--verbose', 'stack traces on errors, and the runtime\'s log on stderr')
    .showSuggestionAfterError()
    .hook('preAction', (cmd) => {
      io.verbose = cmd.opts<{ verbose?: boolean }>().verbose === true;
    });

  program
    .command('run')
    .description('invoke every hook the config\'s plugins register, on built-in sample payloads, and show what each plugin did')
    .argument('[config]', 'config file', BUNDLED_CONFIG)
    .addHelpText('after', '\nWithout a config, runs the bundled default chain (plugins/config.yaml of this package).\n'
      + 'Exit 1 when a plugin failed; blocks are shown as outcomes.')
    .action(async (config: string) => setExit(await runCommand(config, io)));

  program
    .command('validate')
    .description('check a config: its schema, plugin kinds, and that every plugin loads and implements its hooks')
    .argument('<config>', 'config file')
    .option('--no-load', 'only check the file; do not load the plugins')
    .action(async (config: string, opts: { load: boolean }) => setExit(await validateCommand(config, opts, io)));

  program
    .command('invoke')
    .description('invoke one hook with a JSON payload and print {result, contexts} as JSON')
    .argument('<config>', 'config file')
    .argument('<hook>', 'hook point, e.g. tool_pre_invoke (see cordon hooks), or a custom hook of the config')
    .argument('<payload>', 'JSON file holding the payload, or - to read it from stdin')
    .option('--context <file>', 'JSON file holding the global context (default: {"request_id": <random>})')
    .addHelpText('after', `\nExample (the bundled default chain; runs as written):\n  ${INVOKE_EXAMPLE}\n`
      + 'Exit 1 when the invocation is blocked (the result is still printed) or a plugin fails.')
    .action(async (config: string, hook: string, payload: string, opts: { context?: string }) => {
      setExit(await invokeCommand(config, hook, payload, opts, io));
    });

  program
    .command('hooks')
    .description('list the hook points with their payload fields, condition field and writable fields')
    .option('--json', 'print the listing as JSON')
    .action((opts: { json?: boolean }) => hooksCommand({ json: opts.json === true }, io));

  addServeCommand(program, configure, io, setExit);
  addBenchCommand(program, configure, setExit);
  return program;
}

function stackWithCauses(err: Error): string {
  const parts = [err.stack ?? String(err)];
  for (let cause = err.cause; cause instanceof Error; cause = cause.cause) parts.push(`caused by: ${cause.stack ?? cause.message}`);
  return parts.join('\n');
}
