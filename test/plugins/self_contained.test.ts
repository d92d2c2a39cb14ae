import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ModuleSource } from '@endo/module-source';
import { bundledSchemas } from '../../plugins/schemas.js';

const DIST = new URL('../../plugins/', import.meta.url);
const names = Object.keys(bundledSchemas);

describe('bundled plugins are self-contained', () => {
  it('ships one compiled file per bundled schema, and a schema per file', async () => {
    const files = (await readdir(DIST)).filter((f) => f.endsWith('.js') && f !== 'schemas.js');
    assert.deepEqual(files.map((f) => f.slice(0, -3)).sort(), [...names].sort());
    assert.ok(names.length >= 11);
  });

  for (const name of names) {
    it(`${name}.js holds no import, require or text SES refuses`, async () => {
      const text = await readFile(new URL(`${name}.js`, DIST), 'utf8');
      for (const forbidden of [/\bimport\b/, /\brequire\s*\(/, /import\s*\(/, /<!--/, /-->/]) {
        assert.doesNotMatch(text, forbidden, `${name}.js contains ${forbidden}`);
      }
      // no clock and no randomness (the rule tables bundled from npm included), but for the granted clock of
      // rate_limiter's per-worker fallback
      for (const forbidden of name === 'rate_limiter' ? [] : [/\bDate\.now\b/, /\bnew Date\b/, /\bMath\.random\b/, /\bperformance\.now\b/]) {
        assert.doesNotMatch(text, forbidden, `${name}.js contains ${forbidden}`);
      }
      const source = new ModuleSource(text);
      assert.deepEqual(source.imports, []);
      assert.deepEqual(source.exports, ['default']);
    });
  }
});
