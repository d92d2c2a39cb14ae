import type { HtmlAllowList } from './html-sanitizer-schema.js';
import { SPACE, tagEnd } from './html-tags.js';

/**
 * html_sanitizer's allow-list mode: reads HTML as Python's html.parser does (the parser ContextForge's sanitizer
 * uses) and writes it anew from what it read: allowed tags with their allowed attributes, every value and every
 * text escaped, so nothing reaches the output that the rules did not let through. One pass, linear in the text.
 * Bundled into the plugin: language intrinsics only.
 */

/** Elements whose text is raw until their end tag: markup inside is not read as markup. */
const RAW_TEXT = new Set(['script', 'style']);
/** Elements that have no end tag: dropping one drops only itself (waiting for its end would drop the page). */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'poster', 'background', 'data', 'lowsrc', 'dynsrc', 'cite']);
const SAFE_TARGETS = new Set(['_blank', '_self', '_parent', '_top']);
const BIDI = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;
const ENTITY = /&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*)(;?)/g;
/** The references pages use most; any other stays a reference (see escapeText). */
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '\u00a9', reg: '\u00ae', trade: '\u2122',
  hellip: '\u2026', mdash: '\u2014', ndash: '\u2013', lsquo: '\u2018', rsquo: '\u2019', ldquo: '\u201c', rdquo: '\u201d',
  laquo: '\u00ab', raquo: '\u00bb', bull: '\u2022', middot: '\u00b7', deg: '\u00b0', plusmn: '\u00b1', times: '\u00d7',
  divide: '\u00f7', euro: '\u20ac', pound: '\u00a3', yen: '\u00a5', cent: '\u00a2', sect: '\u00a7', para: '\u00b6',
};
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };
// a regex, not a string: the bundler would write a string's escape out, and SES refuses the sequence in a plugin
const COMMENT_END = /--\x3e/g;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Legacy references a browser (and html.parser) reads even without their semicolon. */
const LEGACY = new Set(['amp', 'lt', 'gt', 'quot', 'nbsp', 'copy', 'reg', 'laquo', 'raquo', 'middot', 'deg', 'plusmn', 'times', 'divide', 'pound', 'yen', 'cent', 'sect', 'para']);

/** What a character reference stands for, or undefined when this table does not know it. */
function decode(name: string, semicolon: string): string | undefined {
  if (name[0] === '#') {
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
    // controls are dropped, as html.parser drops them
    return (code < 0x20 && code !== 0x9 && code !== 0xa && code !== 0xc && code !== 0xd) || (code >= 0x7f && code <= 0x9f)
      ? ''
      : String.fromCodePoint(code);
  }
  return Object.hasOwn(NAMED, name) && (semicolon || LEGACY.has(name)) ? NAMED[name] : undefined;
}
const strip = (text: string, bidi: boolean) => (bidi ? text.replace(BIDI, '') : text);

/**
 * Text with its character references read and written back escaped (as html.escape writes). A named reference this
 * table does not know stays as written, still a reference: it means the same to a browser, and it is inert.
 */
function escapeText(raw: string, bidi: boolean): string {
  let out = '';
  let at = 0;
  for (const m of raw.matchAll(ENTITY)) {
    const [whole, name = '', semicolon = ''] = m;
    const decoded = decode(name, semicolon);
    out += escape(strip(raw.slice(at, m.index), bidi));
    out += decoded !== undefined ? escape(strip(decoded, bidi)) : semicolon ? whole : escape(whole);
    at = m.index + whole.length;
  }
  return out + escape(strip(raw.slice(at), bidi));
}
/** an attribute's value as the parser hands it over: the references it knows read */
const unescapeValue = (raw: string) => raw.replace(ENTITY, (whole, name: string, semicolon: string) => decode(name, semicolon) ?? whole);

/** A URL as a browser reads it: whitespace and controls anywhere do not break a scheme (`jav\tascript:`). */
const scheme = (url: string) => url.replace(/[\s\0-\x1f]+/g, '').toLowerCase();

/** The attributes of a start tag (between its name and its '>'), as html.parser splits them. */
function attributes(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (SPACE.has(text[i]!) || text[i] === '/')) i++;
    const nameStart = i;
    while (i < text.length && !SPACE.has(text[i]!) && text[i] !== '/' && text[i] !== '=') i++;
    if (i === nameStart && text[i] !== '=') break;
    const name = text.slice(nameStart, i).toLowerCase();
    let j = i;
    while (j < text.length && SPACE.has(text[j]!)) j++;
    let value = '';
    if (text[j] === '=') {
      while (text[j] === '=') j++;
      while (j < text.length && SPACE.has(text[j]!)) j++;
      const quote = text[j];
      if (quote === '"' || quote === "'") {
        const close = text.indexOf(quote, j + 1);
        const end = close === -1 ? text.length : close;
        value = text.slice(j + 1, end);
        j = end + 1;
      } else {
        const start = j;
        while (j < text.length && !SPACE.has(text[j]!)) j++;
        value = text.slice(start, j);
      }
      i = j;
    }
    if (name) out.push([name, unescapeValue(value)]);
  }
  return out;
}

export interface RebuildRules {
  list: HtmlAllowList;
  /** elements dropped with their content (`strip_tags`) */
  drop: ReadonlySet<string>;
  keepComments: boolean;
  stripHandlers: boolean;
  stripUrls: boolean;
}

export function rebuildHtml(html: string, { list, drop: dropped, keepComments, stripHandlers, stripUrls }: RebuildRules): string {
  const allowed = new Set(list.tags);
  const out: string[] = [];
  const skipping: string[] = [];

  const startTag = (name: string, attrs: Array<[string, string]>, selfClosing: boolean) => {
    if (dropped.has(name)) {
      if (!VOID.has(name) && !selfClosing) skipping.push(name);
      return;
    }
    if (skipping.length > 0 || !allowed.has(name)) return;
    const permitted = new Set([...(list.attributes[name] ?? []), ...(list.attributes['*'] ?? [])]);
    const kept: Array<[string, string]> = [];
    let rel: string[] | null = null;
    for (const [attr, raw] of attrs) {
      if (stripHandlers && /^on[a-z]/.test(attr)) continue;
      if (attr === 'style' && !list.keep_style) continue;
      if (!permitted.has(attr)) continue;
      let value = list.remove_bidi_controls ? raw.replace(BIDI, '') : raw;
      if (stripUrls && URL_ATTRIBUTES.has(attr)) {
        const url = scheme(value);
        if (url.startsWith('javascript:') || url.startsWith('vbscript:')) continue;
        if (url.startsWith('data:') && !(list.data_images && /^data:image\/[a-z0-9.+-]+/.test(url))) continue;
      }
      if (name === 'a' && attr === 'target' && !SAFE_TARGETS.has(value)) value = '_blank';
      if (name === 'a' && attr === 'rel') {
        rel = value.split(/\s+/).filter(Boolean);
        continue;
      }
      kept.push([attr, value]);
    }
    // a link opening a new window must not hand it a reference back to this one
    if (name === 'a' && kept.some(([a, v]) => a === 'target' && v === '_blank')) rel = [...(rel ?? []), 'noopener', 'noreferrer'];
    if (rel && rel.length > 0) kept.push(['rel', [...new Set(rel)].sort().join(' ')]);
    const written = kept.map(([a, v]) => ` ${escape(a)}="${escape(v)}"`).join('');
    out.push(`<${name}${written}${selfClosing ? ' /' : ''}>`);
  };

  const endTag = (name: string) => {
    if (dropped.has(name)) {
      if (skipping[skipping.length - 1] === name) skipping.pop();
      return;
    }
    if (skipping.length === 0 && allowed.has(name)) out.push(`</${name}>`);
  };

  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const textEnd = lt === -1 ? html.length : lt;
    if (textEnd > i && skipping.length === 0) out.push(escapeText(html.slice(i, textEnd), list.remove_bidi_controls));
    if (lt === -1) break;
    const next = html[lt + 1] ?? '';
    if (/[A-Za-z]/.test(next)) {
      const end = tagEnd(html, lt + 1);
      if (end === -1) break; // an unfinished tag: html.parser holds it back, unread
      const inner = html.slice(lt + 1, end);
      const selfClosing = inner.endsWith('/');
      const nameEnd = inner.search(/[\t\n\f\r />]/);
      const name = (nameEnd === -1 ? inner : inner.slice(0, nameEnd)).toLowerCase();
      startTag(name, attributes(nameEnd === -1 ? '' : inner.slice(nameEnd)), selfClosing);
      i = end + 1;
      if (RAW_TEXT.has(name) && !selfClosing) {
        // its text runs to its end tag, markup or not
        const close = new RegExp(`</${name}(?=[\\t\\n\\f\\r />])`, 'ig');
        close.lastIndex = i;
        const m = close.exec(html);
        const stop = m ? m.index : html.length;
        if (stop > i && skipping.length === 0) out.push(escapeText(html.slice(i, stop), list.remove_bidi_controls));
        i = stop;
      }
    } else if (html.startsWith('!--', lt + 1)) {
      COMMENT_END.lastIndex = lt + 4;
      const close = COMMENT_END.test(html) ? COMMENT_END.lastIndex - 3 : -1;
      const end = close === -1 ? html.length : close + 3;
      if (keepComments && skipping.length === 0 && close !== -1) out.push(html.slice(lt, end));
      i = end;
    } else if (next === '/' && /[A-Za-z]/.test(html[lt + 2] ?? '')) {
      const end = html.indexOf('>', lt + 2);
      if (end === -1) break;
      endTag(html.slice(lt + 2, end).split(/[\t\n\f\r />]/)[0]!.toLowerCase());
      i = end + 1;
    } else if (next === '!' || next === '?' || next === '/') {
      // a declaration, a processing instruction or a malformed end tag: nothing to keep
      const end = html.indexOf('>', lt + 1);
      i = end === -1 ? html.length : end + 1;
    } else {
      if (skipping.length === 0) out.push('&lt;');
      i = lt + 1;
    }
  }
  const rebuilt = out.join('');
  return list.to_text ? toText(rebuilt) : rebuilt;
}

/** The sanitized page as text: a line break for each block's end, no tags, at most one blank line in a row. */
function toText(html: string): string {
  return html
    .replace(/<\/(?:p|div|h[1-6]|li|tr|table|blockquote)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
