/**
 * A URL pattern as url_reputation compiles it. Python and Rust write "ignore case for this pattern" as a leading
 * `(?i)`, which JavaScript's RegExp does not read (Node 20 has no inline modifiers): it is taken off here and turned
 * into the `i` flag. Without it, a pattern ignores case unless the plugin is told to match case.
 */
const LEADING_IGNORE_CASE = /^\(\?i\)/;

export function compileUrlPattern(source: string, caseSensitive: boolean): RegExp {
  const ignore = LEADING_IGNORE_CASE.test(source);
  return new RegExp(ignore ? source.slice(4) : source, ignore || !caseSensitive ? 'i' : '');
}
