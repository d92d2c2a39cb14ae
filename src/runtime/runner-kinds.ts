import type { IsolationLevel, RunnerKind } from '../core/isolation.js';
import type { PoolData } from '../core/protocol.js';
import type { PluginSettings } from './config.js';
import { ExternalRunner, type RemotePlugin } from './external-runner.js';
import { InlineRunner } from './inline-runner.js';
import type { Logger } from './observability.js';
import { PoolRunner } from './pool-runner.js';
import { ProcessRunner } from './process-runner.js';
import type { Runner } from './runners.js';
import type { StoreReply } from '../core/store-protocol.js';
import type { StoreGate } from './store-gate.js';

/** What a runner is started with besides its plugins: its level's row, the settings, and the host's services. */
export interface RunnerEnv {
  level: IsolationLevel;
  settings: PluginSettings;
  logger: Logger;
  /** the store as the host's own plugins reach it (identity, namespace and quota included) */
  store: StoreGate;
  /** answers a store request relayed from this runner's processes, as one of this runner's plugins */
  answerStore(request: unknown): Promise<StoreReply | undefined>;
  /** `kind: external` plugins connected to their servers, by plugin name (external-plugins.ts) */
  remotes: ReadonlyMap<string, RemotePlugin>;
}

/** The runner of each kind an isolation level names (core/isolation.ts); a new level with a new transport adds one. */
export const RUNNERS: Readonly<Record<RunnerKind, (data: PoolData, env: RunnerEnv) => Runner>> = {
  inline: (data, env) => new InlineRunner(data, env.store, env.level.batches),
  pool: (data, env) => new PoolRunner(data, env.settings, env.logger, env.level.batches),
  process: (data, env) => new ProcessRunner(data, env.settings, env.logger, env.level.batches, env.answerStore),
  external: (data, env) => new ExternalRunner(new Map(data.plugins.map((p) => [p.id, env.remotes.get(p.name)!])), env.logger),
};
