import type { z } from 'zod';

/** Config schemas of the bundled plugins, by bundled name (placeholder until the bundled plugins land). */
export const bundledSchemas: Record<string, z.ZodType> = {};
