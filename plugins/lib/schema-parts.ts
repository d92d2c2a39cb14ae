import { z } from 'zod';

/**
 * Schema pieces several bundled plugins' config schemas share (plugins/schemas.ts and the schema modules split out
 * of it). Host side only: plugin files import types, never these.
 */

/** A regular expression given as a string; a pattern that does not compile fails at config load, not on first use. */
export const regexSource = (flags = '') =>
  z.string().min(1, { abort: true }).superRefine((source, ctx) => {
    try {
      if (new RegExp(source, flags).test('')) ctx.addIssue({ code: 'custom', message: 'pattern must not match the empty string' });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(err as Error).message}` });
    }
  });

export const list = <T extends z.ZodType>(item: T) => z.array(item).default(() => []);

/** Which reason and code a plugin's violations carry: Cordon's own, or those of ContextForge's plugin of that name. */
export const Violations = z.enum(['cordon', 'contextforge']).default('cordon');

/** A detector switch that is on unless switched off. */
export const on = z.boolean().default(true);
/** A detector switch that is off unless switched on. */
export const off = z.boolean().default(false);
