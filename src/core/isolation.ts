import { z } from 'zod';

export const IsolationSchema = z.enum(['sandbox', 'worker', 'inline', 'process', 'external']);
export type Isolation = z.infer<typeof IsolationSchema>;
export const DEFAULT_ISOLATION: Isolation = 'sandbox';

/** The host-side runners; each level names the one that runs its plugins. */
export type RunnerKind = 'inline' | 'pool' | 'process' | 'external';

/**
 * What an isolation level means, in one record, like the mode table: the manager loops over these rows, the
 * worker reads `compartment` to choose the loader, and adding a level is one row here and one runner.
 */
export interface IsolationLevel {
  /** the module is compiled on the host and evaluated in an SES Compartment, its capabilities granted one by one */
  compartment: boolean;
  /** consecutive plugins of this level go to the runner as one segment (one hop), folded there between plugins */
  batches: boolean;
  /**
   * how the manager's store reaches a plugin: `host` calls it directly, `channel` over a BroadcastChannel of the
   * pool's own (worker threads), `relay` through each child's IPC channel (child processes); either channel speaks
   * only for the plugins of its pool
   */
  store: 'host' | 'channel' | 'relay';
  runner: RunnerKind;
}

export const ISOLATION_LEVELS: Readonly<Record<Isolation, Readonly<IsolationLevel>>> = Object.freeze({
  sandbox: { compartment: true, batches: true, store: 'channel', runner: 'pool' },
  worker: { compartment: false, batches: true, store: 'channel', runner: 'pool' },
  process: { compartment: true, batches: false, store: 'relay', runner: 'process' },
  inline: { compartment: false, batches: true, store: 'host', runner: 'inline' },
  // `kind: external`: the plugin runs on its plugin server (its level there is the server's); the store is its own
  external: { compartment: false, batches: false, store: 'host', runner: 'external' },
});
