import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSandboxedSource } from '../../src/runtime/compile.js';
import { SandboxSourceError } from '../../src/core/self-contained.js';

const origin = { name: 'pii', specifier: '/plugins/pii.js' };

function refusal(source: string): SandboxSourceError {
  try {
    compileSandboxedSource(source, origin);
  } catch (err) {
    assert.ok(err instanceof SandboxSourceError, `expected a SandboxSourceError, got ${String(err)}`);
    return err;
  }
  assert.fail('the source was accepted');
}

describe('compileSandboxedSource (runs on the host)', () => {
  it('turns a module with a default export into a module record, leaving the host realm alone', () => {
    const text = compileSandboxedSource('export default (config) => ({ tool_pre_invoke() { return {}; } });', origin);
    const record = JSON.parse(text) as { imports: string[]; exports: string[]; __syncModuleProgram__: string };
    assert.deepEqual(record.imports, []);
    assert.deepEqual(record.exports, ['default']);
    assert.equal(typeof record.__syncModuleProgram__, 'string');
    // compiling must not install SES on the host or lock it down
    assert.equal(typeof (globalThis as Record<string, unknown>).lockdown, 'undefined');
    assert.equal(typeof (globalThis as Record<string, unknown>).Compartment, 'undefined');
    assert.equal(Object.isFrozen(Object.prototype), false);
  });

  it('refuses static imports, naming the plugin and every specifier', () => {
    const err = refusal(`import fs from 'node:fs';\nimport { x } from './helper.js';\nexport default {};`);
    assert.equal(err.problem, 'IMPORT');
    assert.match(err.message, /pii/);
    assert.match(err.message, /'node:fs'/);
    assert.match(err.message, /'\.\/helper\.js'/);
    assert.match(err.message, /self-contained/);
  });

  it('refuses re-exports as imports', () => {
    const err = refusal(`export * from 'node:child_process';\nexport default {};`);
    assert.equal(err.problem, 'IMPORT');
    assert.match(err.message, /'node:child_process'/);
  });

  it('refuses dynamic import() and points at its line', () => {
    const err = refusal(`export default {\n  async tool_pre_invoke() {\n    const fs = await import('node:fs');\n  },\n};`);
    assert.equal(err.problem, 'DYNAMIC_IMPORT');
    assert.match(err.message, /import\(\) on line 3/);
  });

  it('explains an html-comment sequence inside a string, with the line and the fix', () => {
    const err = refusal(`const marker = '<!' + '--';\nconst bad = "<!-- hidden";\nexport default {};`);
    assert.equal(err.problem, 'REFUSED_TEXT');
    assert.match(err.message, /line 2/);
    assert.match(err.message, /even inside a string or comment/);
    assert.match(err.message, /split it/);
  });

  it('explains the closing html-comment sequence in a comment', () => {
    const err = refusal(`// arrows like -${'->'} are refused\nexport default {};`);
    assert.equal(err.problem, 'REFUSED_TEXT');
    assert.match(err.message, /line 1/);
  });

  it("explains 'import(' inside a comment", () => {
    const err = refusal(`/* never call import('x') here */\nexport default {};`);
    assert.equal(err.problem, 'REFUSED_TEXT');
    assert.match(err.message, /'import' followed by '\('/);
    assert.match(err.message, /'imp' \+ 'ort\('/);
  });

  it("explains a direct eval and suggests the indirect form", () => {
    const err = refusal(`export default { h(p) { return eval(p.code); } };`);
    assert.equal(err.problem, 'REFUSED_TEXT');
    assert.match(err.message, /\(0, eval\)/);
    // the indirect form is accepted
    compileSandboxedSource(`export default { h(p) { return (0, eval)(p.code); } };`, origin);
  });

  it('reports a syntax error with its position', () => {
    const err = refusal('export default {');
    assert.equal(err.problem, 'SYNTAX');
    assert.match(err.message, /does not parse as an ES module: .*\(1:\d+\)/);
  });

  it('requires a default export', () => {
    const err = refusal('export const hooks = {};');
    assert.equal(err.problem, 'NO_DEFAULT_EXPORT');
  });
});
