import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ctx, useManagers } from './harness.js';

/**
 * ContextForge's safe_html_sanitizer plugin (it has no tests of its own in v1.0.0): what its code does, on its
 * shipped config's keys, through the manager. Its output was compared with ContextForge's own parser run on the same
 * pages (not committed).
 */

const managerFor = useManagers();

const SANITIZER = `
plugins:
  - name: "SafeHTMLSanitizer"
    kind: "plugins.safe_html_sanitizer.safe_html_sanitizer.SafeHTMLSanitizerPlugin"
    hooks: ["resource_post_fetch"]
    mode: "enforce"
    priority: 119
    conditions: []
    config:
      allowed_tags: ["a", "p", "div", "span", "strong", "em", "code", "pre", "ul", "ol", "li", "h1", "h2", "h3", "img", "br", "table", "tr", "td"]
      allowed_attrs:
        "*": ["id", "class", "title", "alt"]
        a: ["href", "rel", "target"]
        img: ["src", "width", "height", "alt", "title"]
      remove_comments: true
      drop_unknown_tags: true
      strip_event_handlers: true
      sanitize_css: true
      allow_data_images: false
      remove_bidi_controls: true
      to_text: false
`;
const page = (text: string) => ({ uri: 'https://docs.example.org/page.html', content: { type: 'resource', uri: 'https://docs.example.org/page.html', mime_type: 'text/html', text } });

describe('SafeHTMLSanitizerPlugin (safe_html_sanitizer.py behaviour)', () => {
  it('writes the page anew with only its allowed tags and attributes, and says html_sanitized', async () => {
    const manager = await managerFor('html', SANITIZER);
    const { result } = await manager.invokeHook('resource_post_fetch', page(
      '<div class="doc" style="color:red" onmouseover="t()"><h1>Guide</h1><center>Intro &amp; <u>setup</u></center>\x3c!-- build 12 --\x3e'
      + '<script>steal(document.cookie)</script><a href="https://docs.example.org/next" target="main">Next</a>'
      + '<img src="javascript:x" alt="logo" onerror="y()"><meta http-equiv="refresh" content="0;url=https://bad.example"></div>'), ctx);
    assert.equal(result.continue_processing, true);
    assert.deepEqual(result.modified_payload, page(
      '<div class="doc"><h1>Guide</h1>Intro &amp; setup'
      + '<a href="https://docs.example.org/next" target="_blank" rel="noopener noreferrer">Next</a><img alt="logo"></div>'));
    assert.deepEqual(result.metadata, { html_sanitized: true });
  });

  it('leaves a page with nothing to change as it is, with html_sanitized false', async () => {
    const manager = await managerFor('html-same', SANITIZER);
    const { result } = await manager.invokeHook('resource_post_fetch', page('<p id="a">Plain <strong>text</strong></p>'), ctx);
    assert.equal(result.modified_payload ?? null, null);
    assert.deepEqual(result.metadata, { html_sanitized: false });
  });

  it('keeps comments, style and data images, and turns the page into text, when its keys say so', async () => {
    const manager = await managerFor('html-keys', `
plugins:
  - name: "Loose"
    kind: "plugins.safe_html_sanitizer.safe_html_sanitizer.SafeHTMLSanitizerPlugin"
    hooks: ["resource_post_fetch"]
    config: { remove_comments: false, sanitize_css: false, allow_data_images: true, allowed_attrs: { p: ["style"], img: ["src"] } }
  - name: "Text"
    kind: "plugins.safe_html_sanitizer.safe_html_sanitizer.SafeHTMLSanitizerPlugin"
    hooks: ["resource_post_fetch"]
    priority: 200
    conditions: [{ resources: ["https://docs.example.org/text"] }]
    config: { to_text: true }
`);
    const loose = await manager.invokeHook('resource_post_fetch',
      page('<p style="color:red">a</p>\x3c!-- note --\x3e<img src="data:image/png;base64,iVBOR"><img src="data:text/html,x">'), ctx);
    assert.equal((loose.result.modified_payload?.content as { text: string }).text,
      '<p style="color:red">a</p>\x3c!-- note --\x3e<img src="data:image/png;base64,iVBOR"><img>');
    const text = await manager.invokeHook('resource_post_fetch',
      { uri: 'https://docs.example.org/text', content: { type: 'resource', text: '<h2>Steps</h2><ol><li>Open</li><li>Run</li></ol><p>Done &amp; dusted</p>' } }, ctx);
    assert.equal((text.result.modified_payload?.content as { text: string }).text, 'Steps\nOpen\nRun\nDone &amp; dusted');
  });
});
