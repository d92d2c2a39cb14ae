/**
 * Turns a sandboxed plugin's ES module text into the precompiled module record that an SES `Compartment` evaluates,
 * serialised as a string, or fails with an error that names the plugin and says what to change.
 *
 * A pure function of the source: it installs no globals and needs no `lockdown()`, so it runs on the host at
 * `initialize()` (its compiled text is then handed to the worker) or in a worker. Loading it is the expensive part:
 * `@endo/module-source` brings Babel (about 0.3 s to import), which is why the worker only imports this module when it
 * is handed source without compiled text.
 */
import { ModuleSource } from '@endo/module-source';
// @ts-expect-error ses ships tools.js without declarations; its transforms are the text rules SES evaluates with
import { transforms as sesTransforms } from 'ses/tools.js';

type TextCheck = (text: string) => string;
const transforms = sesTransforms as Record<'rejectHtmlComments' | 'rejectImportExpressions' | 'rejectSomeDirectEvalExpressions', TextCheck>;

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

/**
 * The text rules SES applies to every program it evaluates, each with the advice a plugin author needs. SES checks the
 * rewritten program, comments and string literals included, so a plugin that merely mentions these sequences is
 * refused as well.
 */
const TEXT_RULES: ReadonlyArray<{ check: TextCheck; what: string; advice: string }> = [
  {
    check: transforms.rejectHtmlComments,
    what: `the character sequence '<!${'--'}' or '-${'->'}'`,
    advice: `split it (in a string: '<!' + '--' or '-' + '->'), or reword the comment`,
  },
  {
    check: transforms.rejectImportExpressions,
    what: `the word 'import' followed by '(' or a comment`,
    advice: `split the word where it is only text (e.g. 'imp' + 'ort('); a sandboxed plugin cannot import anything`,
  },
  {
    check: transforms.rejectSomeDirectEvalExpressions,
    what: `'eval(' (a direct eval)`,
    advice: `use indirect eval '(0, eval)(code)' if you need eval, or split the word where it is only text ('ev' + 'al(')`,
  },
];

function label(origin: SourceOrigin): string {
  return `Sandboxed plugin ${origin.name} (${origin.specifier})`;
}

/** Compiles a plugin's ES module source to the string form that `loadSandboxedPlugin` accepts as `compiled`. */
export function compileSandboxedSource(source: string, origin: SourceOrigin): string {
  let record: CompiledModuleRecord;
  try {
    record = { ...new ModuleSource(source) };
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^Error transforming source in "[^"]*": /, '') : String(err);
    throw new SandboxSourceError(`${label(origin)} does not parse as an ES module: ${detail}`, 'SYNTAX');
  }
  checkSelfContained(record, source, origin);
  if (!record.exports.includes('default')) {
    throw new SandboxSourceError(
      `${label(origin)} has no default export: export the hooks object or a function of config that returns it`,
      'NO_DEFAULT_EXPORT',
    );
  }
  checkTextRules(record.__syncModuleProgram__, source, origin);
  return JSON.stringify(record);
}

/** Static imports and re-exports name their specifiers; a dynamic `import()` is refused too, its line pointed out. */
export function checkSelfContained(record: Pick<CompiledModuleRecord, 'imports' | 'reexports' | '__needsImport__'>,
  source: string | undefined, origin: SourceOrigin): void {
  const specifiers = [...new Set([...record.imports, ...record.reexports])];
  if (specifiers.length > 0) {
    throw new SandboxSourceError(
      `${label(origin)} imports ${specifiers.map((s) => `'${s}'`).join(', ')}: a sandboxed plugin must be self-contained. ` +
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

function checkTextRules(program: string, source: string, origin: SourceOrigin): void {
  for (const rule of TEXT_RULES) {
    try {
      rule.check(program);
    } catch {
      const line = firstOffendingLine(source, rule.check);
      throw new SandboxSourceError(
        `${label(origin)} contains ${rule.what}${line ? ` on line ${line}` : ''}, which SES refuses anywhere in a ` +
          `sandboxed plugin, even inside a string or comment: ${rule.advice}`,
        'REFUSED_TEXT',
      );
    }
  }
}

/** Uses SES's own check as the oracle, line by line, so the line number refers to the author's file. */
function firstOffendingLine(source: string, check: TextCheck): number | undefined {
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
