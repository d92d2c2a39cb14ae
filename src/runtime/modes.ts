import { z } from 'zod';

/** The mode table: the one place that says what a plugin of each mode may do and what its failure costs. */
export const ModeSchema = z.enum(['enforce', 'enforce_ignore_error', 'permissive', 'disabled']);
export type Mode = z.infer<typeof ModeSchema>;
export type RunnableMode = Exclude<Mode, 'disabled'>;

export interface ModeRules {
  /** `continue_processing: false` stops the chain (otherwise it is logged as "would block") */
  mayBlock: boolean;
  /** the plugin's copy of the global context is merged back into the caller's */
  mergesGlobal: boolean;
  /** a failure raises PluginError (otherwise it is logged and the chain goes on) */
  failsOnError: boolean;
}

const TABLE: Record<RunnableMode, ModeRules> = {
  enforce: { mayBlock: true, mergesGlobal: true, failsOnError: true },
  enforce_ignore_error: { mayBlock: true, mergesGlobal: true, failsOnError: false },
  permissive: { mayBlock: false, mergesGlobal: false, failsOnError: false },
};

export function modeRules(mode: RunnableMode, failOnPluginError: boolean): ModeRules {
  const rules = TABLE[mode];
  return failOnPluginError && !rules.failsOnError ? { ...rules, failsOnError: true } : rules;
}
