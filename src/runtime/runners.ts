import type { LoadReply, Segment as SegmentMessage } from '../core/protocol.js';

/** A segment (core/protocol.ts) as the executor hands it to a runner: with each plugin's timeout. */
export interface Segment extends SegmentMessage {
  timeoutsMs: number[];
  /** cancels the run (a concurrent phase that is already decided); the plugin running reports CANCELLED */
  signal?: AbortSignal;
}

/**
 * Runs a segment and reports one raw outcome per plugin that ran (at least one), in order; the executor parses
 * each before folding it in. A runner never rejects: a stopped or crashed run is reported as that plugin's
 * failure, after the outcomes of the plugins that finished before it.
 */
export interface Runner {
  /** takes consecutive plugins as one segment (its isolation level's `batches`); if not, the executor sends one at a time */
  readonly batches: boolean;
  /** loads the given plugins once, reporting each one's implemented hooks or its load failure */
  load(ids: string[]): Promise<LoadReply>;
  run(segment: Segment): Promise<unknown[]>;
  /** calls every loaded plugin's `shutdown`; returns the problems met */
  shutdownPlugins(): Promise<string[]>;
  close(): Promise<void>;
}
