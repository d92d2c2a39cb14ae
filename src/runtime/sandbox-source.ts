import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FailureError, failures } from '../core/failures.js';

/**
 * Compiles a sandboxed plugin's module once on the host, so workers never load the compiler (it brings Babel:
 * hundreds of ms and ~25 MB per worker). The compiler itself is imported on first use, and results are kept by
 * content, so managers of one process share the work.
 */
const compiled = new Map<string, Promise<string>>();

export async function compileForSandbox(name: string, modulePath: string): Promise<string> {
  let source: string;
  try {
    source = await readFile(modulePath, 'utf8');
  } catch (err) {
    throw new FailureError(failures.loadFailed(`cannot read ${modulePath}: ${(err as Error).message}`));
  }
  const key = createHash('sha256').update(name).update('\0').update(modulePath).update('\0').update(source).digest('hex');
  let pending = compiled.get(key);
  if (!pending) {
    pending = import('./compile.js').then(({ compileSandboxedSource }) => compileSandboxedSource(source, { name, specifier: modulePath }));
    compiled.set(key, pending);
    pending.catch(() => compiled.delete(key));
  }
  try {
    return await pending;
  } catch (err) {
    throw new FailureError(failures.loadFailed((err as Error).message));
  }
}
