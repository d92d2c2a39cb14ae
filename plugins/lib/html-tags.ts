/**
 * Reading an HTML tag as a browser does, for both ways html_sanitizer works. Bundled into the plugin: language
 * intrinsics only.
 */

/** HTML's white space */
export const SPACE: ReadonlySet<string> = new Set([' ', '\t', '\n', '\r', '\f']);

/**
 * The index of the '>' that ends the tag opened before `from`, reading it as a browser does (a quote opens a value
 * only right after `=`, and a '>' inside a quoted value does not end the tag), or -1 when the text ends first.
 */
export function tagEnd(html: string, from: number): number {
  let quote = '';
  let afterEquals = false;
  for (let i = from; i < html.length; i++) {
    const c = html[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '>') {
      return i;
    } else if (afterEquals && (c === '"' || c === "'")) {
      quote = c;
      afterEquals = false;
    } else if (c === '=') {
      afterEquals = true;
    } else if (!SPACE.has(c)) {
      afterEquals = false;
    }
  }
  return -1;
}

