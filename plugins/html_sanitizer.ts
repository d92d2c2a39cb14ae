import { rebuildHtml } from './lib/html-rebuild.js';
import { tagEnd } from './lib/html-tags.js';
import { mapStrings } from './lib/strings.js';
import type { HookResult, HtmlSanitizerConfig, Payload } from './schemas.js';

/**
 * Removes active content from HTML in tool, prompt and resource results: dangerous elements with their content
 * (script, style, iframe, ...), on* event handler attributes, javascript:/vbscript:/data:text/html URLs and HTML
 * comments. Each pass is linear in the text (results come from untrusted tools, and a quadratic regex would hand
 * them a way to stall the worker); passes repeat until the text stops changing, so `<scr<script>ipt>` does not
 * survive. It is a line of defence, not a full HTML parser: do not rely on it alone before rendering untrusted HTML
 * in a browser. With `allow_list` set, the page is instead parsed and written anew with only what the list allows
 * (lib/html-rebuild.ts), as ContextForge's SafeHTMLSanitizer does.
 */

// Built from escapes: the comment delimiters may not appear literally in a sandboxed module's source.
const COMMENT = /\x3c!--[\s\S]*?(?:--!?\x3e|$)/g;
// A tag read naively, up to the first '>' and never across a '<', as a second opinion beside the browser's reading.
const NAIVE_TAG = /<[A-Za-z][^<>]*>/g;
const EVENT_HANDLER = /([\s"'/])on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*)/gi;
const URL_ATTRIBUTE = /([\s"'/])((?:xlink:)?href|src|action|formaction|data|poster|background|lowsrc|dynsrc)\s*=\s*("[^"]*"|'[^']*'|[^\s>]*)/gi;
const DANGEROUS_URL = /^(?:javascript|vbscript|data:text\/html)/;
const MAX_ROUNDS = 10;

/** What stays of the character before a removed attribute: the closing quote of the attribute before it. */
const keep = (lead: string) => (lead === '"' || lead === "'" ? lead : '');

/** What a browser would read out of an attribute value: entities decoded, quotes, whitespace and controls gone. */
function browserView(value: string): string {
  return value
    .replace(/^["']|["']$/g, '')
    .replace(/&#(x[0-9a-f]+|\d+);?/gi, (_, n: string) => {
      const code = n[0] === 'x' || n[0] === 'X' ? parseInt(n.slice(1), 16) : parseInt(n, 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : '';
    })
    .replace(/&colon;/gi, ':')
    .replace(/&(?:tab|newline);/gi, '')
    .replace(/[\s\0-\x1f]+/g, '')
    .toLowerCase();
}

/** Rewrites each start tag as a browser tokenizes it, in one pass; an unterminated tag is inert and left as is. */
function mapTags(html: string, fn: (tag: string) => string): string {
  let out = '';
  let at = 0;
  for (let lt = html.indexOf('<'); lt !== -1; lt = html.indexOf('<', lt + 1)) {
    if (!/[A-Za-z]/.test(html[lt + 1] ?? '')) continue;
    const end = tagEnd(html, lt + 1);
    if (end === -1) break;
    out += html.slice(at, lt) + fn(html.slice(lt, end + 1));
    at = end + 1;
    lt = end;
  }
  return out + html.slice(at);
}

/**
 * Allow-list mode: every string of a result, and a resource's `text`, written anew; the metadata says whether
 * anything changed (`html_sanitized`, as ContextForge reports it).
 */
function allowListHooks(config: HtmlSanitizerConfig, list: NonNullable<HtmlSanitizerConfig['allow_list']>) {
  const rules = {
    list,
    drop: new Set(config.strip_tags),
    keepComments: !config.strip_comments,
    stripHandlers: config.strip_event_handlers,
    stripUrls: config.strip_javascript_urls,
  };
  const report = (modified: Payload | null): HookResult =>
    (modified ? { modified_payload: modified, metadata: { html_sanitized: true } } : { metadata: { html_sanitized: false } });
  const onResult = (payload: Payload): HookResult => {
    const result = mapStrings(payload.result, (text) => rebuildHtml(text, rules));
    return report(result === payload.result ? null : { ...payload, result });
  };
  return {
    tool_post_invoke: onResult,
    prompt_post_fetch: onResult,
    resource_post_fetch: (payload: Payload): HookResult | undefined => {
      const content = payload.content as Record<string, unknown> | null | undefined;
      // only the page's text is HTML: the URI and MIME type are not rewritten
      if (!content || typeof content !== 'object' || typeof content.text !== 'string' || !content.text) return undefined;
      const text = rebuildHtml(content.text, rules);
      return report(text === content.text ? null : { ...payload, content: { ...content, text } });
    },
  };
}

export default (config: HtmlSanitizerConfig) => {
  if (config.allow_list) return allowListHooks(config, config.allow_list);
  const names = config.strip_tags.join('|');
  const open = names ? new RegExp(`<(${names})(?=[\\s/>]|$)`, 'gi') : null;
  const strayClose = names ? new RegExp(`<\\/(?:${names})(?=[\\s/>]|$)[^<>]*>?`, 'gi') : null;

  /**
   * Drops each listed element from its start tag through its end tag (or just the start tag when it is never
   * closed). The search for an end tag is remembered per name, so an unclosed element repeated many times costs
   * one search, not one each.
   */
  const stripElements = (html: string, count: () => string): string => {
    if (!open) return html;
    const closes = new Map<string, { re: RegExp; from: number; at: number; end: number }>();
    const closeAfter = (name: string, from: number) => {
      let c = closes.get(name);
      if (!c || from < c.from || (c.at !== -1 && from > c.at)) {
        const re = c?.re ?? new RegExp(`<\\/${name}(?=[\\s/>]|$)[^>]*>?`, 'gi');
        re.lastIndex = from;
        const m = re.exec(html);
        c = { re, from, at: m ? m.index : -1, end: m ? re.lastIndex : -1 };
        closes.set(name, c);
      }
      return c.end;
    };
    let out = '';
    let at = 0;
    open.lastIndex = 0;
    for (let m = open.exec(html); m; m = open.exec(html)) {
      const closeEnd = closeAfter(m[1]!.toLowerCase(), open.lastIndex);
      const startEnd = html.indexOf('>', open.lastIndex);
      out += html.slice(at, m.index) + count();
      at = closeEnd !== -1 ? closeEnd : startEnd === -1 ? html.length : startEnd + 1;
      open.lastIndex = at;
    }
    return (out + html.slice(at)).replace(strayClose!, count);
  };

  const cleanTag = (count: () => string) => (tag: string): string => {
    let clean = tag;
    if (config.strip_event_handlers) clean = clean.replace(EVENT_HANDLER, (_, lead: string) => count() + keep(lead));
    if (config.strip_javascript_urls) {
      clean = clean.replace(URL_ATTRIBUTE, (attr, lead: string, _name, value: string) =>
        DANGEROUS_URL.test(browserView(value)) ? count() + keep(lead) : attr);
    }
    return clean;
  };

  const sanitize = (html: string, count: () => string): string => {
    if (!html.includes('<')) return html;
    let out = html;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const before = out;
      if (config.strip_comments) out = out.replace(COMMENT, count);
      out = stripElements(out, count);
      out = mapTags(out, cleanTag(count)).replace(NAIVE_TAG, cleanTag(count));
      if (out === before) break;
    }
    return out;
  };

  const on = (field: string) => (payload: Payload): HookResult | undefined => {
    let removals = 0;
    const count = () => {
      removals++;
      return '';
    };
    const cleaned = mapStrings(payload[field], (text) => sanitize(text, count));
    if (removals === 0) return undefined;
    return { modified_payload: { ...payload, [field]: cleaned }, metadata: { html_removals: removals } };
  };

  return {
    tool_post_invoke: on('result'),
    prompt_post_fetch: on('result'),
    resource_post_fetch: on('content'),
  };
};
