import { performance } from 'node:perf_hooks';
import { loadConfig } from '../bundled.js';
import type { ResolvedConfig } from '../runtime/config.js';
import { HOOK_NAMES, hookSpec } from '../core/hooks.js';
import type { PluginManager } from '../bundled.js';
import { modeRules, type ModeRules, type Phase, type RunnableMode } from '../core/modes.js';
import type { PluginResult } from '../core/schemas.js';
import { changedPaths, describeChange } from './changes.js';
import { EXIT, messageOf, startupError, type ExitCode } from './failures.js';
import { cliLogger, newRequestId, withManager, type Io } from './io.js';
import { SAMPLE_PAYLOADS, sampleGlobalContext } from './samples.js';
import { renderTable, type Cell } from './table.js';

type Outcome = 'ran' | 'modified' | 'blocked' | 'would block' | 'error' | 'skipped';
type Entry = ResolvedConfig['plugins'][number];

interface Row {
  hook: string;
  plugin: string;
  mode: string;
  outcome: Outcome;
  ms: number | null;
  detail: string;
}

const FORMATS: Record<Outcome, Cell['format']> = {
  ran: 'green', modified: 'cyan', blocked: 'red', 'would block': 'yellow', error: ['bold', 'red'], skipped: 'dim',
};

/**
 * `cordon run`: every hook the config's plugins register, on the built-in sample of that hook. Each plugin is
 * invoked alone with `invokeHookForPlugin`, in the chain's order, on the untouched sample, so that every plugin
 * shows what it does even when an earlier one blocks; a last "(chain)" row per hook runs the whole hook with
 * `invokeHook` and shows what a gateway would get (priority, conditions and the policy filter applied). The output
 * says so, and a plugin row says when the chain itself did not run that plugin (an earlier one blocked) or would
 * run it only when its conditions match.
 * Exit 1 when a plugin failed; a block is an outcome to show, not a failure of the run.
 */
export async function runCommand(configPath: string, io: Io): Promise<ExitCode> {
  const config = await loadConfig(configPath).catch((err: unknown) => {
    throw startupError(err, configPath);
  });
  // invokeHookForPlugin logs (and swallows) the failure of a plugin whose mode ignores errors; the runtime's own
  // "plugin <name> failed on <hook>" warning is how that failure reaches this table (a plugin's console lines,
  // logged as "[<name>] ...", are not failures)
  let warnings: string[] = [];
  const logger = cliLogger(io, (message) => {
    if (message.startsWith('plugin ')) warnings.push(message);
  });
  const rows = await withManager(configPath, logger, async (manager) => {
    const rows: Row[] = [];
    for (const hook of hooksOf(config)) {
      const sample = SAMPLE_PAYLOADS[hook];
      const order = chainOrder(config, hook);
      const alone: Row[] = [];
      for (const entry of order) {
        warnings = [];
        alone.push(sample ? await invokeOne(manager, entry, hook, sample, () => warnings) : skipped(hook, entry));
      }
      const chain = sample ? await invokeChain(manager, hook, sample) : null;
      rows.push(...(chain ? asTheChainRan(order, alone, chain) : alone), ...(chain ? [chain] : []));
    }
    return rows;
  });
  const enabled = config.plugins.filter((p) => p.mode !== 'disabled').length;
  const disabled = config.plugins.length - enabled;
  io.out(`${io.style('bold', 'cordon run')} ${configPath}: ${plural(enabled, 'plugin')}`
    + `${disabled ? ` (+${disabled} disabled)` : ''}, ${plural(hooksOf(config).length, 'hook point')}, each on a sample payload\n\n`);
  io.out(`${table(rows, io)}\n\n${summary(rows, io)}\n`);
  io.out(`${io.style('dim', 'Each plugin row runs that plugin alone on the untouched sample, its conditions not applied; '
    + 'the (chain) row runs the whole hook as a gateway would.')}\n`);
  return rows.some((r) => r.outcome === 'error') ? EXIT.failed : EXIT.ok;
}

/** The hooks named by any plugin: built-in ones in hooks.md order, then custom ones in config order. */
function hooksOf(config: ResolvedConfig): string[] {
  const named = [...new Set(config.plugins.flatMap((p) => p.hooks))];
  return [...HOOK_NAMES.filter((h) => named.includes(h)), ...named.filter((h) => !HOOK_NAMES.includes(h))];
}

const PHASES: Phase[] = ['serial', 'audit', 'concurrent', 'fire_and_forget'];
const phaseOf = (entry: Entry): number => (entry.mode === 'disabled' ? 0 : PHASES.indexOf(modeRules(entry.mode as RunnableMode, entry.on_error, false).phase));

/** The hook's plugins in run order (phase, then priority, then config order), disabled ones included so the table shows them. */
function chainOrder(config: ResolvedConfig, hook: string): Entry[] {
  return config.plugins.filter((p) => p.hooks.includes(hook)).sort((a, b) => phaseOf(a) - phaseOf(b) || a.priority - b.priority);
}

/**
 * The rows of plugins run alone, annotated with what the chain did: after the plugin that blocked it, no plugin
 * ran (fire-and-forget ones excepted: they start once the result is decided); a plugin with conditions runs in
 * the chain only when they match the payload and context.
 */
function asTheChainRan(order: Entry[], rows: Row[], chain: Row): Row[] {
  const blocker = chain.outcome === 'blocked' ? order.findIndex((e) => chain.detail.startsWith(`by ${e.name}:`)) : -1;
  return rows.map((row, i) => {
    const entry = order[i]!;
    if (row.outcome === 'skipped') return row;
    const notes: string[] = [];
    if (blocker >= 0 && i > blocker && phaseOf(entry) < PHASES.indexOf('fire_and_forget')) notes.push(`not run by the chain: ${order[blocker]!.name} blocked first`);
    if (entry.conditions.length) notes.push('has conditions: the chain runs it only when they match');
    return notes.length ? { ...row, detail: `${row.detail}${row.detail ? ' ' : ''}(${notes.join('; ')})` } : row;
  });
}

function skipped(hook: string, entry: Entry): Row {
  return { hook, plugin: entry.name, mode: entry.mode, outcome: 'skipped', ms: null, detail: `custom hook: no sample payload (try cordon invoke)` };
}

async function invokeOne(manager: PluginManager, entry: Entry, hook: string, sample: object, warnings: () => string[]): Promise<Row> {
  const row = { hook, plugin: entry.name, mode: entry.mode };
  if (entry.mode === 'disabled') return { ...row, outcome: 'skipped', ms: null, detail: 'disabled: never loaded' };
  const started = performance.now();
  try {
    const result = await manager.invokeHookForPlugin(entry.name, hook, structuredClone(sample), sampleGlobalContext(newRequestId()));
    const ms = performance.now() - started;
    const ignored = warnings()[0];
    if (ignored) return { ...row, outcome: 'error', ms, detail: `ignored by its mode, the chain goes on: ${ignored}` };
    return { ...row, ms, ...classify(hook, sample, result, modeRules(entry.mode as RunnableMode, entry.on_error, false)) };
  } catch (err) {
    return { ...row, outcome: 'error', ms: performance.now() - started, detail: messageOf(err) };
  }
}

async function invokeChain(manager: PluginManager, hook: string, sample: object): Promise<Row> {
  const row = { hook, plugin: '(chain)', mode: '' };
  const started = performance.now();
  try {
    const { result, contexts } = await manager.invokeHook(hook, structuredClone(sample), sampleGlobalContext(newRequestId()));
    const ms = performance.now() - started;
    if (contexts && Object.keys(contexts).length === 0) return { ...row, outcome: 'ran', ms, detail: 'no plugin matched its conditions' };
    const outcome = classify(hook, sample, result, null);
    const by = result.violation?.plugin_name;
    return { ...row, ms, ...outcome, detail: outcome.outcome === 'blocked' && by ? `by ${by}: ${outcome.detail}` : outcome.detail };
  } catch (err) {
    return { ...row, outcome: 'error', ms: performance.now() - started, detail: messageOf(err) };
  }
}

/** A plugin's result, read with its mode's rules (a chain's result has none: it is what the caller gets). */
function classify(hook: string, sample: object, result: PluginResult, rules: ModeRules | null): { outcome: Outcome; detail: string } {
  if (!result.continue_processing) {
    const v = result.violation;
    return { outcome: !rules || rules.mayBlock ? 'blocked' : 'would block', detail: v ? `${v.code}: ${v.reason} (${v.description})` : 'no violation given' };
  }
  const modified = result.modified_payload;
  if (modified !== null && modified !== undefined) {
    // the two http_auth hooks answer with a different type (a user, a decision), shown as it is
    const change = hookSpec(hook).resultSchema ? `returned ${JSON.stringify(modified)}` : changedPaths(sample, modified).length ? describeChange(sample, modified) : null;
    if (change && (!rules || rules.mayModify)) return { outcome: 'modified', detail: change };
    if (change) return { outcome: 'ran', detail: `its mode discards modifications: ${change}` };
  }
  const keys = Object.keys(result.metadata);
  return { outcome: 'ran', detail: keys.length ? `metadata ${JSON.stringify(result.metadata)}` : '' };
}

function table(rows: Row[], io: Io): string {
  const cells = rows.map((r, i): Cell[] => [
    { text: i > 0 && rows[i - 1]!.hook === r.hook ? '' : r.hook, format: 'bold' },
    { text: r.plugin, format: r.plugin === '(chain)' ? 'italic' : undefined },
    { text: r.mode, format: 'dim' },
    { text: r.outcome, format: FORMATS[r.outcome] },
    { text: r.ms === null ? '-' : formatMs(r.ms) },
    { text: r.detail },
  ]);
  return renderTable(['HOOK', 'PLUGIN', 'MODE', 'OUTCOME', 'TIME', 'DETAIL'], cells, io.style);
}

function summary(rows: Row[], io: Io): string {
  const plugins = rows.filter((r) => r.plugin !== '(chain)');
  const count = (o: Outcome) => plugins.filter((r) => r.outcome === o).length;
  const parts = (['ran', 'modified', 'blocked', 'would block', 'error', 'skipped'] as const)
    .filter((o) => count(o) > 0 || o === 'error')
    .map((o) => io.style(count(o) > 0 ? FORMATS[o]! : 'dim', `${count(o)} ${o === 'error' ? 'failed' : o}`));
  return `Plugins: ${parts.join(', ')}`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}
