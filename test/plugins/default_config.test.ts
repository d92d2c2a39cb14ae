import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { SAMPLE_PAYLOADS, sampleGlobalContext } from '../../src/cli/samples.js';
import { loadConfig, type ResolvedConfig } from '../../src/index.js';
import type { HookResult } from '../../plugins/schemas.js';
import { context } from './helpers.js';

type Hooks = Record<string, (payload: unknown, context?: unknown) => HookResult | undefined | Promise<HookResult | undefined>>;

const CONFIG = fileURLToPath(new URL('../../../plugins/config.yaml', import.meta.url));
let config: ResolvedConfig;
const plugins = new Map<string, Hooks>();

/** Runs one configured plugin alone on the sample payload of `hook`. */
async function runAlone(name: string, hook: string): Promise<HookResult | undefined> {
  const { global_context } = context(sampleGlobalContext('req-sample'));
  return plugins.get(name)![hook]!(structuredClone(SAMPLE_PAYLOADS[hook]), { state: {}, metadata: {}, global_context });
}

describe('plugins/config.yaml', () => {
  before(async () => {
    config = await loadConfig(CONFIG);
    for (const entry of config.plugins) {
      const factory = (await import(entry.modulePath)).default as (c: unknown) => Hooks;
      plugins.set(entry.name, factory(entry.config));
    }
  });

  it('loads with the config loader, every entry a bundled plugin that implements its hooks', () => {
    assert.ok(config.plugins.length >= 11);
    assert.ok(new Set(config.plugins.map((p) => p.kind)).size >= 11, 'every bundled plugin is in the default chain');
    for (const entry of config.plugins) {
      assert.equal(entry.bundled, true, entry.name);
      for (const hook of entry.hooks) assert.equal(typeof plugins.get(entry.name)![hook], 'function', `${entry.name} ${hook}`);
    }
  });

  it('masks the PII of the sample tool call, and the sample send_email fits its schema', async () => {
    const masked = await runAlone('pii_filter', 'tool_pre_invoke');
    const args = masked?.modified_payload?.args as Record<string, string>;
    assert.equal(args.to, 'd*************@example.com');
    assert.match(args.body!, /card \[REDACTED:CREDIT_CARD\]\..*\(\[REDACTED:SSN\]\)/);
    assert.equal(await runAlone('schema_guard', 'tool_pre_invoke'), undefined);
    assert.equal(await runAlone('deny_tools', 'tool_pre_invoke'), undefined);
  });

  it('blocks the sample prompt injection and the leaked cloud keys', async () => {
    assert.equal((await runAlone('prompt_injection', 'prompt_pre_fetch'))?.violation?.code, 'DENY_LIST');
    assert.equal((await runAlone('secrets_detection', 'tool_post_invoke'))?.violation?.code, 'SECRETS_DETECTED');
  });

  it('cleans the sample HTML resource and stamps the sample HTTP request', async () => {
    const page = await runAlone('html_sanitizer', 'resource_post_fetch');
    assert.doesNotMatch(JSON.stringify(page?.modified_payload), /<script|onmouseover|javascript:|internal: 10/);
    const http = await runAlone('header_injector', 'http_pre_request');
    assert.deepEqual(
      Object.entries((http?.modified_payload?.headers ?? {}) as Record<string, string>).filter(([k]) => k.startsWith('X-')),
      [['X-Request-Id', 'req-sample'], ['X-Tenant-Id', 'acme'], ['X-Gateway', 'cordon']],
    );
    assert.equal((http?.modified_payload?.headers as Record<string, string>).authorization, (SAMPLE_PAYLOADS.http_pre_request!.headers as Record<string, string>).authorization);
  });
});
