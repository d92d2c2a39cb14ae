import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fixture, tempDir } from '../helpers.js';

const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * nodejs/node#51142 as an app meets it: Cordon installed through a symlink (npm link, workspaces), and an app that
 * stats its stdin (a pipe, or the socket child_process gives it) before it imports Cordon, then runs a module that stats a regular file (which makes Node's
 * CommonJS loader resolve real paths again while ESM resolution stays on the symlinked ones).
 */
test('parity: a symlinked install works in an app that stats a pipe on stdin before importing cordon', { timeout: 60_000 }, async () => {
  const app = tempDir();
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(packageRoot, join(app, 'node_modules', 'cordon'), 'dir');
  writeFileSync(join(app, 'config.yaml'), [
    'plugin_settings: { threads: 1 }',
    'plugins:',
    `  - { name: tag, kind: ${JSON.stringify(fixture('plugins/scripted.js'))}, hooks: [tool_pre_invoke], config: { tag: sandboxed } }`,
    `  - { name: worker, kind: ${JSON.stringify(fixture('plugins/scripted.js'))}, hooks: [tool_pre_invoke], isolation: worker, config: { tag: worker } }`,
  ].join('\n'));
  writeFileSync(join(app, 'reads-config.mjs'), "import { statSync } from 'node:fs';\nstatSync(new URL('./config.yaml', import.meta.url));\n");
  writeFileSync(join(app, 'main.mjs'), `import './reads-config.mjs';
import { PluginManager } from 'cordon';
const manager = new PluginManager(new URL('./config.yaml', import.meta.url).pathname);
await manager.initialize();
const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'lookup', args: {} }, { request_id: 'r1' });
await manager.shutdown();
console.log(JSON.stringify(Object.keys(result.metadata).sort()));
`);
  writeFileSync(join(app, 'cli.mjs'), `import { fstatSync } from 'node:fs';
const stdin = fstatSync(0);
if (!stdin.isFIFO() && !stdin.isSocket()) throw new Error('stdin should be a pipe or a socket');
await import('./main.mjs');
`);
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['cli.mjs'], { cwd: app, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), JSON.stringify(['ran_sandboxed', 'ran_worker']));
});
