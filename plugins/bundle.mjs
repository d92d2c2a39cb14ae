// Bundles each bundled plugin (plugins/<kind>.ts with the helpers it imports from plugins/lib) into one ES module,
// dist/plugins/<kind>.js, the file the runtime loads. A sandboxed plugin runs in a Compartment with no module loader,
// so what runs must import nothing: this step fails when an output still imports, or pulls in code from outside
// plugins/ (a package would bring its own globals and size). Run after tsc, which type-checks the same sources.
import { readdir } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const src = resolve(root, 'plugins');
// schemas.ts is host code (zod) whose types the plugins import; it is compiled by tsc alone.
const entries = (await readdir(src)).filter((f) => f.endsWith('.ts') && f !== 'schemas.ts').map((f) => resolve(src, f));

const result = await build({
  entryPoints: entries,
  outdir: resolve(root, 'dist/plugins'),
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const problems = [];
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (!file.endsWith('.js')) continue;
  for (const imp of output.imports) problems.push(`${file} imports ${imp.path}`);
  for (const input of Object.keys(output.inputs)) {
    if (relative(src, resolve(root, input)).startsWith('..')) problems.push(`${file} bundles ${input}, which is outside plugins/`);
  }
}
if (problems.length) {
  console.error(`bundled plugins must be self-contained:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
