import type { ForeignKind } from './runtime/kinds.js';

/**
 * How a ContextForge config becomes a Cordon plugin's: one handler per key ContextForge writes, each setting what
 * the key means in Cordon's config, or reporting that it has no equivalent. A key with no handler is reported too:
 * nothing is dropped in silence. The plugins' translators are in contextforge-plugins.ts.
 */

export type Out = Record<string, unknown>;
/** Sets what `value` means in `out`, or calls `none()` when that value has no equivalent. */
export type Handler = (value: unknown, out: Out, none: (message?: string) => void, config: Out) => void;

export const same = (key: string): Handler => (value, out) => {
  out[key] = value;
};
export const noEffect: Handler = () => {};
/** A key accepted only at values that ask for nothing Cordon's plugin lacks. */
export const onlyIf = (accepted: (value: unknown) => boolean): Handler => (value, _out, none) => {
  if (!accepted(value)) none();
};
export const setIn = (key: string, sub: string): Handler => (value, out) => {
  out[key] = { ...(out[key] as Out | undefined), [sub]: value };
};

/** `writtenAs` names a translated key by the key ContextForge writes, for errors (`{ rules: 'words' }`). */
export function translator(
  kind: string, base: (config: Out) => Out, handlers: Record<string, Handler>, entry?: Out, writtenAs?: Record<string, string>,
): ForeignKind {
  return {
    kind,
    ...(entry ? { entry } : {}),
    ...(writtenAs ? { writtenAs } : {}),
    translate(config) {
      const out = base(config);
      const issues: Array<{ key: string; message: string }> = [];
      for (const [key, value] of Object.entries(config)) {
        const handler = Object.hasOwn(handlers, key) ? handlers[key]! : undefined;
        const none = (message = `${key}: ${JSON.stringify(value)} has no equivalent`) => issues.push({ key, message });
        if (handler) handler(value, out, none, config);
        else none(`${key} has no equivalent`);
      }
      return { config: out, issues };
    },
  };
}
