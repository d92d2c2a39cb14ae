import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PluginManager } from '../../src/bundled.js';
import { ctx, message, useManagers } from './harness.js';

/**
 * cpex pii-filter 0.2.1's plugins/tests/pii_filter/test_integration.py: the plugin on each hook, as the gateway
 * calls it, under the class path those tests name (the class's own module).
 */

const managerFor = useManagers();

/** Their tests' config: SSNs and emails on, no blocking, with what each test sets over it (JSON is YAML too). */
const plugin = (name: string, overrides: Record<string, unknown> = {}) => `
  - name: "${name}"
    kind: "cpex_pii_filter.pii_filter.PIIFilterPlugin"
    hooks: ["prompt_pre_fetch", "prompt_post_fetch", "tool_pre_invoke", "tool_post_invoke"]
    config: ${JSON.stringify({ detect_ssn: true, detect_email: true, block_on_detection: false, ...overrides })}`;
const one = (overrides: Record<string, unknown> = {}) => `plugins:${plugin('PII', overrides)}\n`;

/** The one plugin's context after a call (the context table is keyed by request and plugin). */
const contextOf = (contexts: Record<string, { metadata: Record<string, unknown> }> | null) => {
  const all = Object.values(contexts ?? {});
  assert.equal(all.length, 1);
  return all[0]!.metadata;
};

describe('PIIFilterPlugin on each hook, as its own tests call it', () => {
  it('loads under the class path of its own module and redacts an email in prompt arguments as [REDACTED]', async () => {
    const manager = await managerFor('pii-shim', one());
    const { result } = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'welcome', args: { email: 'carol.ng@mail.example' } }, ctx);
    assert.deepEqual(result.modified_payload, { prompt_id: 'welcome', args: { email: '[REDACTED]' } });
  });

  it('finds nothing of a type whose detect_ flag is off', async () => {
    const manager = await managerFor('pii-off', one({ detect_email: false }));
    const { result } = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'welcome', args: { email: 'carol.ng@mail.example' } }, ctx);
    assert.equal(result.continue_processing, true);
    assert.equal(result.modified_payload ?? null, null);
  });

  it('records detections in its context with include_detection_details and logs them with log_detections (never the values), neither by default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-cf-pii-log-'));
    const lines: string[] = [];
    const keep = (level: string) => (line: string) => lines.push(`${level} ${line}`);
    const logger = { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
    const args = { primary: 'carol.ng@mail.example', backup: 'c.ng@post.example' };
    const managers: PluginManager[] = [];
    const start = async (name: string, yaml: string) => {
      const path = join(dir, `${name}.yaml`);
      await writeFile(path, yaml);
      const manager = new PluginManager(path, { logger });
      managers.push(manager);
      await manager.initialize();
      return manager;
    };
    try {
      const quiet = await (await start('quiet', one())).invokeHook('prompt_pre_fetch', { prompt_id: 'welcome', args }, ctx);
      assert.deepEqual(quiet.result.modified_payload, { prompt_id: 'welcome', args: { primary: '[REDACTED]', backup: '[REDACTED]' } });
      assert.equal(contextOf(quiet.contexts).pii_detections, undefined);
      assert.deepEqual(lines.filter((l) => l.includes('PII detected')), []);
      const detailed = await (await start('detailed', one({ include_detection_details: true, log_detections: true })))
        .invokeHook('prompt_pre_fetch', { prompt_id: 'welcome', args }, ctx);
      assert.deepEqual(contextOf(detailed.contexts).pii_detections, { prompt_pre_fetch: { detected: true, types: ['email'], total_count: 2 } });
      await (await start('blocking', one({ log_detections: true, block_on_detection: true }))).invokeHook('tool_pre_invoke', { name: 'mailer', args }, ctx);
      assert.deepEqual(lines.filter((l) => l.includes('PII detected')), [
        'info [PII] PII detected during prompt_pre_fetch: action=masked total=2 types=email subject=welcome',
        'warn [PII] PII detected during tool_pre_invoke: action=blocked total=2 types=email subject=mailer',
      ]);
      assert.ok(!lines.some((l) => l.includes('carol.ng')));
    } finally {
      await Promise.all(managers.map((m) => m.shutdown()));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('masks the text of prompt messages and leaves the caller\'s payload as it was', async () => {
    const manager = await managerFor('pii-messages', one());
    const payload = { prompt_id: 'welcome', result: { messages: [message('Reach me at carol.ng@mail.example'), message('All quiet')] } };
    const before = structuredClone(payload);
    const { result } = await manager.invokeHook('prompt_post_fetch', payload, ctx);
    assert.deepEqual(result.modified_payload, {
      prompt_id: 'welcome', result: { messages: [message('Reach me at [REDACTED]'), message('All quiet')] },
    });
    assert.deepEqual(payload, before);
  });

  it('masks nested tool arguments, arrays and mappings at any depth within max_nested_depth, leaving the caller\'s as they were', async () => {
    const manager = await managerFor('pii-nested', one());
    const args = { user: { email: 'carol.ng@mail.example', ids: [7, '512-44-7391', { 1: 'c.ng@post.example' }] }, note: 'none' };
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'crm', args }, ctx);
    assert.deepEqual(result.modified_payload, {
      name: 'crm', args: { user: { email: '[REDACTED]', ids: [7, '[REDACTED]', { 1: '[REDACTED]' }] }, note: 'none' },
    });
    assert.equal(args.user.email, 'carol.ng@mail.example');
  });

  it('fails the call when arguments nest deeper than max_nested_depth', async () => {
    const manager = await managerFor('pii-depth', one({ max_nested_depth: 1 }));
    await assert.rejects(
      manager.invokeHook('tool_pre_invoke', { name: 'crm', args: { outer: { inner: { email: 'carol.ng@mail.example' } } } }, ctx),
      /Nested data exceeds maximum depth of 1/,
    );
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'crm', args: { outer: 'carol.ng@mail.example' } }, ctx);
    assert.deepEqual(result.modified_payload, { name: 'crm', args: { outer: '[REDACTED]' } });
  });

  it('masks a tool result and records pii_filter_stats in its context, afresh for each request', async () => {
    const manager = await managerFor('pii-stats', one());
    const first = await manager.invokeHook('tool_post_invoke', { name: 'crm', result: { contact: 'carol.ng@mail.example' } }, ctx);
    assert.deepEqual(first.result.modified_payload, { name: 'crm', result: { contact: '[REDACTED]' } });
    assert.deepEqual(contextOf(first.contexts).pii_filter_stats, { total_detections: 1, total_masked: 1 });
    const second = await manager.invokeHook('tool_post_invoke', { name: 'crm', result: { ssn: '512-44-7391' } }, { ...ctx, request_id: 'cf-parity-2' });
    assert.deepEqual(contextOf(second.contexts).pii_filter_stats, { total_detections: 1, total_masked: 1 });
    // and the arguments' hook keeps no stats
    const pre = await manager.invokeHook('tool_pre_invoke', { name: 'crm', args: { contact: 'carol.ng@mail.example' } }, ctx);
    assert.equal(contextOf(pre.contexts).pii_filter_stats, undefined);
  });

  it('blocks a tool result with PII_DETECTED_IN_TOOL_RESULT and records no stats', async () => {
    const manager = await managerFor('pii-block-result', one({ block_on_detection: true }));
    const { result, contexts } = await manager.invokeHook('tool_post_invoke', { name: 'crm', result: { contact: 'carol.ng@mail.example' } }, ctx);
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.code, 'PII_DETECTED_IN_TOOL_RESULT');
    assert.equal(contextOf(contexts).pii_filter_stats, undefined);
  });
});
