import { z } from 'zod';

const Origin = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s.replace(/\/$/, '');
  } catch {
    return false;
  }
}, 'must be an exact http or https origin, like https://api.example.com');

/** What a plugin may reach beyond plain JavaScript, granted per plugin in its config entry. */
export const CapabilitiesSchema = z.strictObject({
  fetch: z.array(Origin).default([]),
  env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')).default([]),
  clock: z.boolean().default(false),
  random: z.boolean().default(false),
  /** the manager's shared store (sandbox plugins only; a worker-isolation plugin always has it) */
  store: z.boolean().default(false),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;
