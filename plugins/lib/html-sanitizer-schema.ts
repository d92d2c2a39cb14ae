import { z } from 'zod';

/**
 * html_sanitizer's config. Its allow-list mode: the page is parsed and written anew with only the tags and
 * attributes listed (ContextForge's SafeHTMLSanitizer does this; its defaults are these). Host side: the plugin gets
 * the parsed value.
 */

const TagName = z.string().toLowerCase().regex(/^[a-z][a-z0-9-]*$/, 'must be a tag name');
const AttributeName = z.string().toLowerCase().regex(/^[a-z_:][a-z0-9_:.-]*$/, 'must be an attribute name');

const TAGS = [
  'a', 'p', 'div', 'span', 'strong', 'em', 'code', 'pre', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'blockquote', 'img', 'br', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
];
const ATTRIBUTES: Record<string, string[]> = {
  '*': ['id', 'class', 'title', 'alt'],
  a: ['href', 'rel', 'target'],
  img: ['src', 'width', 'height', 'alt', 'title'],
  table: ['border', 'cellpadding', 'cellspacing', 'summary'],
  th: ['colspan', 'rowspan'],
  td: ['colspan', 'rowspan'],
};

export const HtmlAllowListSchema = z.strictObject({
  /** the tags written back; any other tag is dropped and its content kept (`strip_tags` drop theirs) */
  tags: z.array(TagName).default(() => [...TAGS]),
  /** per tag, the attributes written back; `*` lists those kept on every allowed tag */
  attributes: z.record(z.union([z.literal('*'), TagName]), z.array(AttributeName)).default(() => structuredClone(ATTRIBUTES)),
  /** keep `style` attributes that are allowed (off: every `style` goes, whatever `attributes` says) */
  keep_style: z.boolean().default(false),
  /** let `data:image/...` URLs through in `src` and `href` (every other `data:` URL goes) */
  data_images: z.boolean().default(false),
  /** remove bidirectional and zero-width controls (U+200B-U+200F, U+202A-U+202E, U+2066-U+2069) from text */
  remove_bidi_controls: z.boolean().default(true),
  /** return the sanitized page as plain text: block ends become line breaks, tags go */
  to_text: z.boolean().default(false),
});
export type HtmlAllowList = z.infer<typeof HtmlAllowListSchema>;

export const HtmlSanitizerSchema = z.strictObject({
  strip_tags: z
    .array(TagName)
    .default(() => ['script', 'style', 'iframe', 'object', 'embed', 'frame', 'frameset']),
  strip_event_handlers: z.boolean().default(true),
  strip_javascript_urls: z.boolean().default(true),
  strip_comments: z.boolean().default(true),
  /** null: remove what is dangerous and keep the rest; a list: keep only what it allows (above) */
  allow_list: HtmlAllowListSchema.nullable().default(null),
});
export type HtmlSanitizerConfig = z.infer<typeof HtmlSanitizerSchema>;
