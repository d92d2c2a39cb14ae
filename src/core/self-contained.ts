/**
 * What both sides check of a sandboxed plugin's compiled module: the host when it compiles (runtime/compile.ts), and
 * the worker again before it evaluates the module, since it does not trust the text to come from that compiler.
 */
// @ts-expect-error ses ships tools.js without declarations; its transforms are the text rules SES evaluates with
import { transforms as sesTransforms } from 'ses/tools.js';
import { SANDBOX_MODULE } from './sandbox-module.js';

export type TextCheck = (text: string) => string;
export const transforms = sesTransforms as Record<'rejectHtmlComments' | 'rejectImportExpressions' | 'rejectSomeDirectEvalExpressions', TextCheck>;

export type SandboxSourceProblem = 'SYNTAX' | 'IMPORT' | 'DYNAMIC_IMPORT' | 'REFUSED_TEXT' | 'NO_DEFAULT_EXPORT';

export class SandboxSourceError extends Error {
  override name = 'SandboxSourceError';
  constructor(message: string, readonly problem: SandboxSourceProblem) {
    super(message);
  }
}

export interface SourceOrigin {
  name: string;
  specifier: string;
}

/** What `compileSandboxedSource` returns, parsed: the fields SES reads from a precompiled module source. */
export interface CompiledModuleRecord {
  imports: string[];
  exports: string[];
  reexports: string[];
  __syncModuleProgram__: string;
  __liveExportMap__: Record<string, [string, boolean]>;
  __fixedExportMap__: Record<string, [string]>;
  __reexportMap__: Record<string, Array<[string, string]>>;
  __needsImport__: boolean;
  __needsImportMeta__: boolean;
}

export function label(origin: SourceOrigin): string {
  return `Sandboxed plugin ${origin.name} (${origin.specifier})`;
}

/** Static imports and re-exports name their specifiers; a dynamic `import()` is refused too, its line pointed out. */
export function checkSelfContained(record: Pick<CompiledModuleRecord, 'imports' | 'reexports' | '__needsImport__'>,
  source: string | undefined, origin: SourceOrigin): void {
  const specifiers = [...new Set([...record.imports.filter((s) => s !== SANDBOX_MODULE), ...record.reexports])];
  if (specifiers.length > 0) {
    throw new SandboxSourceError(
      `${label(origin)} imports ${specifiers.map((s) => `'${s}'`).join(', ')}: a sandboxed plugin must be self-contained ` +
        `(it may only import definePlugin from '${SANDBOX_MODULE}'). ` +
        `Bundle what it needs into the file, or give it isolation: worker`,
      'IMPORT',
    );
  }
  if (record.__needsImport__) {
    const line = source === undefined ? undefined : firstOffendingLine(source, transforms.rejectImportExpressions);
    throw new SandboxSourceError(
      `${label(origin)} uses import()${line ? ` on line ${line}` : ''}: a sandboxed plugin cannot load code. ` +
        `Bundle what it needs into the file, or give it isolation: worker`,
      'DYNAMIC_IMPORT',
    );
  }
}

/** Uses SES's own check as the oracle, line by line, so the line number refers to the author's file. */
export function firstOffendingLine(source: string, check: TextCheck): number | undefined {
  const lines = source.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    try {
      check(lines[i] ?? '');
    } catch {
      return i + 1;
    }
  }
  return undefined;
}
