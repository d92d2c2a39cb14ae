import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig, PluginManager } from '../bundled.js';
import type { ResolvedConfig } from '../runtime/config.js';
import type { Logger } from '../runtime/observability.js';
import { PluginHttpServer } from '../runtime/plugin-server-http.js';
import { PluginTools } from '../runtime/plugin-server.js';
import { CliError, EXIT, startupError, type ExitCode } from './failures.js';
import type { Io } from './io.js';

export interface ServeFlags {
  host?: string;
  port?: string;
  transport?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
}

const HELP = `
Serves every enabled plugin of the config over MCP, with ContextForge's external-plugin tools
(get_plugin_configs, get_plugin_config, invoke_hook), so a ContextForge gateway or another Cordon
(a plugin entry with kind: external) can call them. Each plugin runs as a local manager runs it:
its isolation (sandbox by default), timeout and mode.

Each setting is taken from the flag, else the environment variable, else the config's server_settings:
  config      PLUGINS_CONFIG_PATH
  --host      PLUGINS_SERVER_HOST   (default 127.0.0.1)
  --port      PLUGINS_SERVER_PORT   (default 8000)
  --transport PLUGINS_TRANSPORT     (http, the default, or stdio)
  --tls-*     server_settings.tls: {certfile, keyfile, ca_bundle}

HTTP serves MCP at /mcp and GET /health. Example:
  cordon serve plugins/config.yaml --port 8000
  # in the gateway's config:  - {name: pii, kind: external, mcp: {proto: STREAMABLEHTTP, url: http://127.0.0.1:8000/mcp}}
`;

export function addServeCommand(program: Command, configure: (cmd: Command) => Command, io: Io, setExit: (code: number) => void): void {
  configure(program.command('serve'))
    .description('serve the config\'s plugins to gateways over MCP (ContextForge\'s external-plugin protocol)')
    .argument('[config]', 'config file (default: $PLUGINS_CONFIG_PATH)')
    .option('--host <host>', 'address to listen on')
    .option('--port <port>', 'port to listen on (0: any free port)')
    .option('--transport <transport>', 'http or stdio')
    .option('--tls-cert <file>', 'server certificate (PEM): serve HTTPS')
    .option('--tls-key <file>', 'server private key (PEM)')
    .option('--tls-ca <file>', 'CA bundle (PEM): clients must present a certificate it signed (mTLS)')
    .addHelpText('after', HELP)
    .action(async (config: string | undefined, flags: ServeFlags) => setExit(await serveCommand(config, flags, io)));
}

/** Runs until SIGINT/SIGTERM (or, over stdio, until stdin closes), then shuts the manager down. */
export async function serveCommand(configArg: string | undefined, flags: ServeFlags, io: Io): Promise<ExitCode> {
  const env = process.env;
  const configPath = configArg ?? env.PLUGINS_CONFIG_PATH;
  if (!configPath) throw new CliError('no config: give a config file or set PLUGINS_CONFIG_PATH', EXIT.badInput);
  const transport = (flags.transport ?? env.PLUGINS_TRANSPORT ?? 'http').toLowerCase();
  if (!['http', 'streamablehttp', 'stdio'].includes(transport)) throw new CliError(`unknown transport ${transport}: use http or stdio`, EXIT.badInput);
  const stdio = transport === 'stdio';
  // Over stdio, stdout carries the protocol: anything else written to it (a worker plugin's console) goes to stderr.
  const protocolOut = stdio ? divertStdout() : null;
  const logger = serveLogger(io);
  const config = await loadConfig(configPath).catch((err: unknown) => {
    throw startupError(err, configPath);
  });
  const manager = new PluginManager(configPath, { logger });
  await manager.initialize().catch((err: unknown) => {
    throw startupError(err, configPath);
  });
  const tools = new PluginTools(manager, config);
  let stop: () => Promise<void>;
  try {
    if (stdio) {
      const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
      const server = await tools.server();
      await server.connect(new StdioServerTransport(process.stdin, protocolOut!));
      stop = () => server.close();
      io.err(`cordon serve: ${manager.pluginCount} plugins on stdio\n`);
    } else {
      const options = httpOptions(flags, config, env, logger);
      const http = new PluginHttpServer(tools, options);
      const address = await http.listen();
      stop = () => http.close();
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      io.err(`cordon serve: ${manager.pluginCount} plugins on ${options.tls ? 'https' : 'http'}://${host}:${address.port}/mcp${options.tls?.ca_bundle ? ' (mTLS)' : ''}\n`);
    }
  } catch (err) {
    await manager.shutdown();
    throw err instanceof CliError ? err : new CliError(`cannot serve: ${(err as Error)?.message ?? err}`, EXIT.badInput, { cause: err });
  }
  await stopped(stdio);
  await stop();
  await manager.shutdown();
  return EXIT.ok;
}

function httpOptions(flags: ServeFlags, config: ResolvedConfig, env: NodeJS.ProcessEnv, logger: Logger) {
  const settings = config.serverSettings ?? {};
  const host = flags.host ?? env.PLUGINS_SERVER_HOST ?? settings.host ?? '127.0.0.1';
  const portText = flags.port ?? env.PLUGINS_SERVER_PORT ?? String(settings.port ?? 8000);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new CliError(`invalid port ${portText}`, EXIT.badInput);
  const certfile = flags.tlsCert ?? settings.tls?.certfile;
  const keyfile = flags.tlsKey ?? settings.tls?.keyfile;
  const ca = flags.tlsCa ?? settings.tls?.ca_bundle;
  if (!certfile !== !keyfile) throw new CliError('TLS needs both a certificate and a key (--tls-cert and --tls-key)', EXIT.badInput);
  if (ca && !certfile) throw new CliError('--tls-ca (mTLS) needs --tls-cert and --tls-key', EXIT.badInput);
  const tls = certfile ? { certfile, keyfile: keyfile!, ca_bundle: ca, keyfile_password: settings.tls?.keyfile_password } : undefined;
  // a request carries a payload (bounded by max_payload_bytes) and the caller's contexts
  return { host, port, tls, maxBodyBytes: config.settings.max_payload_bytes * 4 + 1_000_000, logger };
}

/** Sends process.stdout's writes to stderr and returns a stream on the real stdout for the protocol alone. */
function divertStdout(): import('node:stream').Writable {
  const out = createWriteStream('', { fd: 1 });
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return out;
}

function stopped(stdio: boolean): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (stdio) process.stdin.once('close', () => resolve()).once('end', () => resolve());
  });
}

/** The runtime's warnings and errors always reach stderr (a server has no other place to report them). */
function serveLogger(io: Io): Logger {
  const line = (level: string) => (message: string) => io.err(`cordon serve [${level}] ${message}\n`);
  return { debug: io.verbose ? line('debug') : () => {}, info: io.verbose ? line('info') : () => {}, warn: line('warn'), error: line('error') };
}
