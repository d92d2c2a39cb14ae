import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The layout is a rule, not a habit: this reads every module of src/ (the TypeScript sources, since the rule is about
 * what we write) and checks the import graph, type-only imports and dynamic import() included.
 */
const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.c?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []);
}

/** Static imports and re-exports (`from '…'`), side-effect imports and `import('…')` with a literal specifier. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/gm;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const [, specifier] of text.matchAll(IMPORT)) {
    if (!specifier!.startsWith('.')) continue;
    const target = resolve(dirname(file), specifier!).replace(/\.js$/, '.ts').replace(/\.cjs$/, '.cts');
    if (target.startsWith(SRC)) found.push(target);
  }
  return found;
}

const files = sources(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const name = (f: string) => relative(SRC, f);
/** a module's folder under src/ ('.' for the package entries at its top) */
const folder = (f: string) => (name(f).includes('/') ? name(f).split('/')[0]! : '.');

/** Every cycle's modules, by Tarjan's strongly connected components; a self-import counts. */
function cycles<T>(nodes: T[], edges: (n: T) => T[]): T[][] {
  let index = 0;
  const at = new Map<T, number>(), low = new Map<T, number>(), stack: T[] = [], on = new Set<T>(), found: T[][] = [];
  const visit = (v: T) => {
    at.set(v, index), low.set(v, index++), stack.push(v), on.add(v);
    for (const w of edges(v)) {
      if (!at.has(w)) visit(w), low.set(v, Math.min(low.get(v)!, low.get(w)!));
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, at.get(w)!));
    }
    if (low.get(v) !== at.get(v)) return;
    const component: T[] = [];
    let w: T;
    do (w = stack.pop()!), on.delete(w), component.push(w); while (w !== v);
    if (component.length > 1 || edges(v).includes(v)) found.push(component);
  };
  for (const n of nodes) if (!at.has(n)) visit(n);
  return found;
}

const folderEdges = new Map<string, Set<string>>();
for (const [from, targets] of graph) {
  for (const to of targets) {
    if (folder(from) === folder(to)) continue;
    if (!folderEdges.has(folder(from))) folderEdges.set(folder(from), new Set());
    folderEdges.get(folder(from))!.add(folder(to));
  }
}
const importers = (target: string) => [...graph].filter(([, t]) => t.some((x) => folder(x) === target)).map(([f]) => f);

describe('the import graph of src/', () => {
  it('is read: every module is found and its imports resolve to modules that exist', () => {
    assert.ok(files.length > 40, `only ${files.length} modules found under ${SRC}`);
    for (const [from, targets] of graph) for (const to of targets) assert.ok(graph.has(to), `${name(from)} imports ${name(to)}, which does not exist`);
  });

  it('has no import cycle between modules', () => {
    assert.deepEqual(cycles(files, (f) => graph.get(f) ?? []).map((c) => c.map(name).sort()), []);
  });

  it('has no folder importing a folder that imports it back, directly or round a longer loop', () => {
    const folders = [...new Set(files.map(folder))];
    assert.deepEqual(cycles(folders, (f) => [...(folderEdges.get(f) ?? [])]), []);
  });

  it('runs runtime -> core <- sandbox: core imports neither side, the sandbox never imports the host', () => {
    const offenders = (from: string, to: string) =>
      [...graph].filter(([f, t]) => folder(f) === from && t.some((x) => folder(x) === to)).map(([f]) => name(f));
    assert.deepEqual([...(folderEdges.get('core') ?? [])], [], `core imports ${[...(folderEdges.get('core') ?? [])]}`);
    assert.deepEqual(offenders('sandbox', 'runtime'), []);
    assert.deepEqual(offenders('sandbox', 'cli'), []);
    // the host names the workers by their entry files (new URL), never by importing what runs beside plugins
    assert.deepEqual(offenders('runtime', 'sandbox'), []);
    assert.ok(importers('core').length > 0);
  });
});
