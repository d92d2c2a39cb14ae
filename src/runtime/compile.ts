/**
 * Turns a sandboxed plugin's ES module text into the precompiled module record that an SES `Compartment` evaluates,
 * serialised as a string, or fails with an error that names the plugin and says what to change.
 *
 * A pure function of the source: it installs no globals and needs no `lockdown()`. It runs on the host only, at
 * `initialize()`, and its compiled text is handed to the worker: `@endo/module-source` brings Babel (about 0.3 s
 * to import), which no worker should pay for.
 */
import { ModuleSource } from '@endo/module-source';
import {
  checkSelfContained, firstOffendingLine, label, SandboxSourceError, transforms, type CompiledModuleRecord, type SourceOrigin, type TextCheck,
} from '../core/self-contained.js';

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

