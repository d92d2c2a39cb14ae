/**
 * What a new user does: install the packed package into a new project and run the README's embedding snippet,
 * copied from README.md itself, as JavaScript and under `tsc --strict`. One pack and install for the file.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, readmeBlock, scratchProject, type ScratchProject } from './scratch-project.js';

let project: ScratchProject;
before(async () => {
  project = await scratchProject();
}, { timeout: 240_000 });
after(async () => project?.remove());

test('the README\'s embedding snippet runs unchanged as JavaScript in a project that installed the tarball', async () => {
  await writeFile(join(project.dir, 'snippet.mjs'), await readmeBlock('## Embedding'));
  const { stdout } = await project.exec(process.execPath, ['snippet.mjs']);
  // the default chain let the call through, its pii_filter masked the phone number, and the post hook ran
  assert.match(stdout, /calling send_email with/);
  assert.doesNotMatch(stdout, /867-5309/);
  assert.match(stdout, /the caller gets sent/);
});

test('the README\'s embedding snippet, tracing example and plugin module type-check under tsc --strict', async () => {
  await writeFile(join(project.dir, 'snippet.ts'), await readmeBlock('## Embedding'));
  await writeFile(join(project.dir, 'tracing.ts'), await readmeBlock('### Tracing'));
  await writeFile(join(project.dir, 'plugin.ts'), await readmeBlock('## Plugin modules', '`definePlugin(x)`'));
  await writeFile(join(project.dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'] },
    files: ['snippet.ts', 'tracing.ts', 'plugin.ts'],
  }));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await project.exec(process.execPath, [tsc, '-p', 'tsconfig.json']).catch((err: { stdout?: string }) => {
    assert.fail(`tsc --strict rejected the snippet:\n${err.stdout}`);
  });
});

test('the README\'s tracing example shows the hook and plugin spans', async () => {
  await writeFile(join(project.dir, 'tracing.mjs'), await readmeBlock('### Tracing'));
  const { stdout } = await project.exec(process.execPath, ['tracing.mjs']);
  assert.match(stdout, /name: 'cordon\.hook\.tool_pre_invoke'/);
  assert.match(stdout, /name: 'plugin\.execute\.pii_filter'/);
  assert.match(stdout, /'plugin\.had_violation': false/);
});

test('require(\'cordon\') loads the package, and cordon/plugins/config.yaml names the bundled config', async () => {
  const script = [
    'const cordon = require("cordon");',
    'const path = require.resolve("cordon/plugins/config.yaml");',
    'console.log(JSON.stringify({ manager: typeof cordon.PluginManager, same: path === cordon.BUNDLED_CONFIG }));',
  ].join('\n');
  const { stdout } = await project.exec(process.execPath, ['-e', script]);
  assert.deepEqual(JSON.parse(stdout), { manager: 'function', same: true });
});

test('the tarball holds what a consumer needs and no tests, examples or source maps; the OTel SDK is not a runtime dependency, the MCP SDK is (for cordon serve and external plugins)', async () => {
  const files = (await project.exec('tar', ['tzf', project.tarball])).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  assert.ok(files.includes('plugins/config.yaml'));
  assert.ok(files.includes('dist/src/index.js') && files.includes('dist/src/index.d.ts'));
  assert.ok(files.includes('dist/plugins/pii_filter.js'));
  assert.deepEqual(files.filter((f) => /^dist\/(test|examples)\/|\.map$|^src\//.test(f)), []);
  const lock = JSON.parse(await readFile(join(project.dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const runtime = Object.keys(lock.packages).filter((p) => p && !lock.packages[p]!.dev);
  assert.ok(!runtime.some((p) => p.includes('sdk-trace')), 'the OTel SDK is not a runtime dependency');
  assert.ok(runtime.includes('node_modules/@modelcontextprotocol/sdk'), 'cordon serve and external plugins need the MCP SDK at run time');
  assert.ok(runtime.includes('node_modules/@opentelemetry/api'));
});
