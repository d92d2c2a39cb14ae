// Bundles each bundled plugin (plugins/<kind>.ts with the helpers it imports from plugins/lib) into one ES module,
// dist/plugins/<kind>.js, the file the runtime loads. A sandboxed plugin runs in a Compartment with no module loader,
// so what runs must import nothing: this step fails when an output still imports, or pulls in code from outside
// plugins/ other than the few rule-set packages named below. Run after tsc, which type-checks the same sources.
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const src = resolve(root, 'plugins');
// Packages whose tables the detectors are built on (plugins/lib): pure data and functions, no globals, no clock.
const BUNDLED_PACKAGES = ['libphonenumber-js', 'ibantools', 'credit-card-type'];
const require = createRequire(import.meta.url);

/**
 * Rule tables taken from packages at build time, each cut down to the fields the detectors read and emitted as one
 * JSON string parsed at load. The sandbox compiles each plugin with Babel, which takes seconds over an 80 KB object
 * literal or a package's whole validation code, and tens of milliseconds over a 20 KB string.
 */
const TABLES = {
  // libphonenumber's metadata: per country [calling code, IDD, national number pattern, possible lengths, -, trunk]
  'libphonenumber-js/metadata.min.json': () => {
    const m = JSON.parse(readFileSync(require.resolve('libphonenumber-js/metadata.min.json'), 'utf8'));
    const countries = Object.fromEntries(Object.entries(m.countries).map(([k, c]) => [k, [c[0], c[1], c[2], c[3], 0, c[5] ?? 0]]));
    return `export default JSON.parse(${JSON.stringify(JSON.stringify({ country_calling_codes: m.country_calling_codes, countries }))});`;
  },
  // ibantools' copy of the SWIFT IBAN registry: per country the IBAN length and the BBAN format
  ibantools: async () => {
    const { countrySpecs } = await import('ibantools');
    const specs = Object.fromEntries(Object.entries(countrySpecs).map(([k, s]) => [k, { chars: s.chars, bban_regexp: s.bban_regexp }]));
    return `export const countrySpecs = JSON.parse(${JSON.stringify(JSON.stringify(specs))});`;
  },
};
const tables = {
  name: 'rule-tables',
  setup(b) {
    const names = Object.keys(TABLES).map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
    b.onResolve({ filter: new RegExp(`^(?:${names})$`) }, (args) => ({ path: args.path, namespace: 'table' }));
    b.onLoad({ filter: /.*/, namespace: 'table' }, async (args) => ({ contents: await TABLES[args.path](), loader: 'js' }));
  },
};

// schemas.ts is host code (zod) whose types the plugins import; it is compiled by tsc alone.
const entries = (await readdir(src)).filter((f) => f.endsWith('.ts') && f !== 'schemas.ts').map((f) => resolve(src, f));

const result = await build({
  entryPoints: entries,
  outdir: resolve(root, 'dist/plugins'),
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  target: 'es2022',
  sourcemap: true,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [tables],
});

const problems = [];
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (!file.endsWith('.js')) continue;
  for (const imp of output.imports) problems.push(`${file} imports ${imp.path}`);
  for (const input of Object.keys(output.inputs)) {
    const path = resolve(root, input);
    const pkg = input.startsWith('table:') ? input.slice(6).split('/')[0] : /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
    if (relative(src, path).startsWith('..') && !BUNDLED_PACKAGES.includes(pkg)) problems.push(`${file} bundles ${input}, which is outside plugins/ and not a listed package`);
  }
}
if (problems.length) {
  console.error(`bundled plugins must be self-contained:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
