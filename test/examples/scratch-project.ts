import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

/** The environment of a command in the scratch project: the caller's, less what `npm test` sets for its own scripts. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

type LockEntry = { version: string; dev?: boolean; [key: string]: unknown };

/** Dev dependencies of the repository the scratch project also installs, as a user following the README would. */
const EXTRAS = ['@types/node', '@opentelemetry/sdk-trace-base'];
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
const tarballUrl = (name: string, version: string) => `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`;

export interface ScratchProject {
  dir: string;
  tarball: string;
  /** runs a command in the project; rejects with its output when it exits non-zero */
  exec(file: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string }>;
  remove(): Promise<void>;
}

/**
 * A new project in os.tmpdir() that installed this repository's `npm pack` tarball the way a user would (`npm ci`
 * of a lockfile naming the tarball), offline: the dependencies come from npm's cache, which this repository's own
 * install filled. The lockfile is the repository's own, less its dev-only packages, so the versions are those tested.
 */
export async function scratchProject(): Promise<ScratchProject> {
  const dir = await mkdtemp(join(tmpdir(), 'cordon-scratch-'));
  const exec = async (file: string, args: string[], input?: string) => {
    const child = run(file, args, { cwd: dir, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024, timeout: 180_000 });
    if (input !== undefined) child.child.stdin?.end(input);
    return child;
  };
  try {
    // --ignore-scripts: the suite has just built dist/, which is what gets packed
    const packed = await run('npm', ['pack', '--ignore-scripts', '--offline', '--json', '--pack-destination', dir, ROOT], { env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 });
    const tarball = (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename.replace(/^.*\//, '');
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      version: string; license: string; dependencies: Record<string, string>; devDependencies: Record<string, string>; engines: object;
    };
    const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
    const manifest = {
      name: 'scratch', private: true, type: 'module',
      dependencies: { cordon: `file:${tarball}` }, devDependencies: Object.fromEntries(EXTRAS.map((n) => [n, pkg.devDependencies[n]!])),
    };
    const extras = closure(lock.packages, EXTRAS);
    const packages: Record<string, unknown> = { '': { name: manifest.name, dependencies: manifest.dependencies, devDependencies: manifest.devDependencies } };
    for (const [path, entry] of Object.entries(lock.packages)) {
      const name = nameOf(path);
      if (!path || (entry.dev && !extras.has(path))) continue;
      const { dev: _dev, ...rest } = entry;
      packages[path] = { ...rest, resolved: tarballUrl(name, entry.version), ...(entry.dev ? { dev: true } : {}) };
    }
    packages['node_modules/cordon'] = {
      version: pkg.version, resolved: `file:${tarball}`, license: pkg.license, dependencies: pkg.dependencies,
      bin: { cordon: 'dist/src/cli/main.js' }, engines: pkg.engines,
    };
    await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
    await writeFile(join(dir, 'package-lock.json'), JSON.stringify({ name: manifest.name, lockfileVersion: 3, requires: true, packages }, null, 2));
    await exec('npm', ['ci', '--offline', '--no-audit', '--no-fund']);
    return { dir, tarball: join(dir, tarball), exec, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The lockfile paths of `names` and of everything they depend on (hoisted at the top level, as npm lays them out). */
function closure(packages: Record<string, LockEntry>, names: string[]): Set<string> {
  const paths = new Set<string>();
  const visit = (name: string) => {
    const path = `node_modules/${name}`;
    if (paths.has(path) || !packages[path]) return;
    paths.add(path);
    for (const dep of Object.keys((packages[path].dependencies ?? {}) as Record<string, string>)) visit(dep);
  };
  names.forEach(visit);
  return paths;
}

/** The first ```ts block after a heading of README.md (and after `after` below it, if given), as written there. */
export async function readmeBlock(heading: string, after = ''): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README.md has no heading ${heading}`);
  const from = after ? readme.indexOf(after, at) : at;
  if (from < 0) throw new Error(`README.md has no "${after}" under ${heading}`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(from));
  if (!block) throw new Error(`README.md has no ts block after ${heading}`);
  return block[1]!;
}
