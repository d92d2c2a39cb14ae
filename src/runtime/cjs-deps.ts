import { createRequire } from 'node:module';

/**
 * Our CommonJS dependencies, loaded with `require`, never imported by name from ESM. Under a symlinked install
 * (npm link, workspaces), once the embedding app has stat'ed a pipe or a socket (`fs.fstatSync(0).isFIFO()`),
 * Node 20 resolves ESM specifiers to the symlinked path while the CommonJS loader evaluates the real one, so a
 * named or default ESM import of a CommonJS package comes back empty (nodejs/node#51142;
 * /work/shared/notes/platform-facts.md). The CommonJS loader alone resolves and evaluates consistently. Every
 * CommonJS package goes through this module (test/parity/symlinked-install.test.ts reproduces the situation).
 */
const require = createRequire(import.meta.url);

export const yaml = require('yaml') as typeof import('yaml');
export const { Piscina } = require('piscina') as typeof import('piscina');
export type Piscina = import('piscina').Piscina;
export const otel = require('@opentelemetry/api') as typeof import('@opentelemetry/api');

/** Only the command line and the bench need commander: required on first use, so an embedding app never loads it. */
export const commander = () => require('commander') as typeof import('commander');
