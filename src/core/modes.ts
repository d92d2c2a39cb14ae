import { z } from 'zod';

/**
 * The mode table: the one place that says what a plugin of each mode may do, in which phase it runs and what its
 * failure costs. The legacy ContextForge names map onto CPEX's execution modes.
 */
export const ModeSchema = z.enum([
  'sequential', 'transform', 'audit', 'concurrent', 'fire_and_forget', 'disabled',
  'enforce', 'enforce_ignore_error', 'permissive',
]);
export type Mode = z.infer<typeof ModeSchema>;
export type RunnableMode = Exclude<Mode, 'disabled'>;

export const OnErrorSchema = z.enum(['fail', 'ignore', 'disable']);
export type OnError = z.infer<typeof OnErrorSchema>;

/** Phases run in this order; inside a phase, plugins run by priority. */
export type Phase = 'serial' | 'audit' | 'concurrent' | 'fire_and_forget';

export interface ModeRules {
  phase: Phase;
  /** `continue_processing: false` stops the chain (otherwise it is logged as "would block") */
  mayBlock: boolean;
  /** its modified payload goes through the policy filter (otherwise it is discarded) */
  mayModify: boolean;
  /** the plugin's copy of the global context is merged back into the caller's */
  mergesGlobal: boolean;
  onError: OnError;
}

const TABLE: Record<RunnableMode, ModeRules> = {
  sequential: { phase: 'serial', mayBlock: true, mayModify: true, mergesGlobal: true, onError: 'fail' },
  transform: { phase: 'serial', mayBlock: false, mayModify: true, mergesGlobal: false, onError: 'ignore' },
  audit: { phase: 'audit', mayBlock: false, mayModify: false, mergesGlobal: false, onError: 'ignore' },
  concurrent: { phase: 'concurrent', mayBlock: true, mayModify: false, mergesGlobal: false, onError: 'fail' },
  fire_and_forget: { phase: 'fire_and_forget', mayBlock: false, mayModify: false, mergesGlobal: false, onError: 'ignore' },
  enforce: { phase: 'serial', mayBlock: true, mayModify: true, mergesGlobal: true, onError: 'fail' },
  enforce_ignore_error: { phase: 'serial', mayBlock: true, mayModify: true, mergesGlobal: true, onError: 'ignore' },
  permissive: { phase: 'serial', mayBlock: false, mayModify: true, mergesGlobal: false, onError: 'ignore' },
};

/** A plugin's rules: its mode's row, its own `on_error` if set, and `fail_on_plugin_error` over both. */
export function modeRules(mode: RunnableMode, onError: OnError | undefined, failOnPluginError: boolean): ModeRules {
  const rules = TABLE[mode];
  const effective = failOnPluginError ? 'fail' : onError ?? rules.onError;
  return effective === rules.onError ? rules : { ...rules, onError: effective };
}
