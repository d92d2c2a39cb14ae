import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The ledgers (test/contextforge/*.ledger.md) say, ContextForge test by test, where each expectation went. This holds
 * them to their form: a known disposition on every row, and every `ported` row naming a test that exists.
 */

// Compiled to dist/test/contextforge: the sources sit three levels up, under test/contextforge.
const SOURCE = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'test', 'contextforge');
const DISPOSITIONS = new Set(['ported', 'differs', 'not behaviour']);
// a test file beside the ledgers, or another of the project's (`../core/modes.test.ts`)
const WHERE = /^`((?:\.\.\/[\w-]+\/)?[\w.-]+\.test\.ts)`: "(.+)"$/;

interface Row { ledger: string; line: number; name: string; disposition: string; where: string }

function rows(ledger: string): Row[] {
  const out: Row[] = [];
  readFileSync(join(SOURCE, ledger), 'utf8').split('\n').forEach((text, i) => {
    const inner = text.match(/^\|(.*)\|\s*$/)?.[1];
    if (inner === undefined) return;
    const [name = '', disposition = '', ...where] = inner.split(' | ').map((c) => c.trim());
    if (where.length === 0 || /^-+$/.test(name) || name === 'test') return;
    out.push({ ledger, line: i + 1, name, disposition, where: where.join(' | ') });
  });
  return out;
}

/** every it() and describe() title of a test file, from its source */
function titles(file: string): string[] {
  const source = readFileSync(join(SOURCE, file), 'utf8');
  return [...source.matchAll(/\b(?:it|describe)\(\s*(['"`])((?:\\.|(?!\1).)*)\1/gs)].map((m) => (m[2] ?? '').replace(/\\(.)/g, '$1'));
}

describe('the ContextForge ledgers', () => {
  const ledgers = readdirSync(SOURCE).filter((f) => f.endsWith('.ledger.md'));

  it('exist, and each has rows', () => {
    assert.ok(ledgers.length > 0, `no *.ledger.md in ${SOURCE}`);
    for (const ledger of ledgers) assert.ok(rows(ledger).length > 0, `${ledger} has no rows`);
  });

  it('give every test a known disposition and a reason or a place', () => {
    for (const row of ledgers.flatMap(rows)) {
      const at = `${row.ledger}:${row.line}`;
      assert.match(row.name, /^`[^`]+`$/, `${at}: the test's name in backticks`);
      assert.ok(DISPOSITIONS.has(row.disposition), `${at}: disposition "${row.disposition}"`);
      assert.ok(row.where.length > 0, `${at}: says nothing in its third column`);
    }
  });

  it('point every ported test at a test that exists', () => {
    const cache = new Map<string, string[]>();
    for (const row of ledgers.flatMap(rows).filter((r) => r.disposition === 'ported')) {
      const at = `${row.ledger}:${row.line}`;
      const where = row.where.match(WHERE);
      assert.ok(where, `${at}: "${row.where}" is not \`<file>.test.ts\`: "<title words>"`);
      const [, file = '', words = ''] = where;
      if (!cache.has(file)) cache.set(file, titles(file));
      assert.ok(cache.get(file)!.some((t) => t.includes(words)), `${at}: no test in ${file} has "${words}" in its title`);
    }
  });
});
