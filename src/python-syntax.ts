/*
 * What ContextForge's configs write in Python's terms (its regular expressions, `re.sub` replacements, its rates)
 * as Cordon's plugins read them.
 */

/**
 * A Python regular expression as JavaScript reads it: named groups `(?P<n>...)` and `(?P=n)`, and leading inline
 * flags `(?i)` (returned as flags). Other syntax is common to both for the patterns these plugins take.
 */
export function pythonPattern(source: string): { source: string; flags: string } {
  const lead = /^\(\?([aiLmsux]+)\)/.exec(source);
  const flags = lead ? [...new Set(lead[1]!.replace(/[aLux]/g, ''))].join('') : '';
  const body = (lead ? source.slice(lead[0].length) : source).replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  return { source: body, flags };
}

/** A list of Python patterns as JavaScript sources (leading inline flags dropped). */
export const pythonPatterns = (value: unknown) =>
  (Array.isArray(value) ? value.map((p) => (typeof p === 'string' ? pythonPattern(p).source : p)) : value);

/** Python patterns for a plugin that matches case as written: a leading `(?i)` kept, for the plugin to read. */
export const pythonPatternsKeepingCase = (value: unknown) => (Array.isArray(value)
  ? value.map((p) => {
    if (typeof p !== 'string') return p;
    const { source, flags } = pythonPattern(p);
    return flags.includes('i') ? `(?i)${source}` : source;
  })
  : value);

/** A Python `re.sub` replacement (`\1`, `\g<1>`, `\g<name>`, `\\`, `\n`) as a JavaScript one, `$` kept literal. */
export function pythonReplacement(text: string): string {
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };
  return text.replace(/\$/g, '$$$$').replace(/\\(?:g<(\w+)>|(\d{1,2})|(.))/gs, (whole, group?: string, digits?: string, other?: string) => {
    if (group !== undefined) return /^\d+$/.test(group) ? `$${group}` : `$<${group}>`;
    if (digits !== undefined) return `$${digits}`;
    return other !== undefined && Object.hasOwn(escapes, other) ? escapes[other]! : whole;
  });
}

/**
 * ContextForge writes a rate as "60/min", "100/hour", "10/ SEC"; Cordon as "60/m", "100/h", "10/s". Its units stop
 * at the hour: "10/day" is left as written, for the config schema to refuse.
 */
const RATE_UNITS: Record<string, string> = { s: 's', sec: 's', second: 's', m: 'm', min: 'm', minute: 'm', h: 'h', hr: 'h', hour: 'h' };
export function contextForgeRate(rate: unknown): unknown {
  const m = typeof rate === 'string' ? /^\s*(\d+)\s*\/\s*([a-z]+)\s*$/i.exec(rate) : null;
  const unit = m ? RATE_UNITS[m[2]!.toLowerCase()] : undefined;
  return m && unit ? `${m[1]}/${unit}` : rate;
}
