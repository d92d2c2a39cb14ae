import { z } from 'zod';
import { SLIDING_WINDOW_MAX_LIMIT } from './rate-algorithms.js';
import { parseRate } from './rate-counters.js';

/**
 * rate_limiter's config schema, apart from schemas.ts (which re-exports it) for that file's size. A rate is
 * "<count>/<unit>" or "<count>/<n><unit>", unit s, m, h or d ("60/m", "500/10s").
 */

const MAX_WINDOW_MS = 2 ** 31; // the store's expiry limit
const Rate = z
  .string()
  .regex(/^[1-9]\d*\/(?:[1-9]\d*)?[smhd]$/, { message: 'must be a rate like 60/m or 500/10s (units s, m, h, d)', abort: true })
  .refine((rate) => parseRate(rate).windowMs <= MAX_WINDOW_MS, 'window must be at most 24 days');

/** Built with schemas.ts's `violations` field, so that rule stays in one place. */
type Violations = z.ZodDefault<z.ZodEnum<{ cordon: 'cordon'; contextforge: 'contextforge' }>>;
export const rateLimiterSchema = (violations: Violations) => z
  .strictObject({
    by_user: Rate.optional(),
    by_tenant: Rate.optional(),
    by_tool: z.record(z.string().min(1), Rate).default(() => ({})),
    /**
     * when the shared store cannot answer (Redis down or slow): `open` lets the request through and says so in
     * metadata, `closed` blocks it (BACKEND_UNAVAILABLE, HTTP 503, Retry-After: 1)
     */
    fail_mode: z.enum(['open', 'closed']).default('open'),
    /**
     * how a limit counts: `fixed_window` (a counter per window, from its first request), `sliding_window` (the
     * requests let through in the last window) or `token_bucket` (`count` tokens refilled over each window), as
     * ContextForge's limiter counts them; the last two need the clock
     */
    algorithm: z.enum(['fixed_window', 'sliding_window', 'token_bucket']).default('fixed_window'),
    /** by_user counts a request with no user under this name (ContextForge's "anonymous"); null lets it skip by_user */
    anonymous_user: z.string().min(1).nullable().default(null),
    /** each tenant's users and tools have budgets of their own (ContextForge's keys carry the tenant) */
    scope_by_tenant: z.boolean().default(false),
    /** tool names, and by_tool's keys, compared trimmed and lower-cased ("  Search " is search) */
    fold_tool_names: z.boolean().default(false),
    /** by_tool limits prompts too, by their prompt_id, as ContextForge's limiter does */
    prompts_by_name: z.boolean().default(false),
    violations,
  })
  // ContextForge's limiter takes a config with no limit (it then limits nothing and says so); Cordon's own asks why
  .refine((c) => c.violations === 'contextforge' || c.by_user || c.by_tenant || Object.keys(c.by_tool).length > 0, {
    path: ['by_user'],
    message: 'set at least one of by_user, by_tenant, by_tool',
  })
  // a sliding window keeps a time per request let through: its state must fit one store value
  .refine((c) => c.algorithm !== 'sliding_window' || [c.by_user, c.by_tenant, ...Object.values(c.by_tool)]
    .every((rate) => rate === undefined || parseRate(rate).limit <= SLIDING_WINDOW_MAX_LIMIT), {
    path: ['algorithm'],
    message: `sliding_window keeps one time per request: each limit at most ${SLIDING_WINDOW_MAX_LIMIT} a window`,
  });
