import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PluginManager } from '../../src/index.js';
import { configPath, ctx, fixture, ran, tempDir, toolPayload, withManager } from '../helpers.js';

describe('parity: conditions as ContextForge writes them', () => {
  const manager = new PluginManager(configPath('parity_conditions'));
  before(() => manager.initialize());
  after(() => manager.shutdown());

  async function whoRuns(tool: string, extra: Record<string, unknown> = {}): Promise<string[]> {
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(tool), ctx({}, extra));
    return ran(result.metadata);
  }

  test('an empty list restricts nothing: server_ids: [] runs on every server, and with no server at all', async () => {
    for (const extra of [{}, { server_id: 's1' }, { server_id: 'anything' }]) {
      const who = await whoRuns('lookup', extra);
      assert.ok(who.includes('every_server'), JSON.stringify(extra));
      assert.ok(who.includes('all_empty'), JSON.stringify(extra));
    }
  });

  test('an empty tools list beside a non-empty server_ids list: only the servers restrict', async () => {
    assert.ok((await whoRuns('send_email', { server_id: 's1' })).includes('any_tool_on_s1'));
    assert.ok((await whoRuns('lookup', { server_id: 's1' })).includes('any_tool_on_s1'));
    assert.ok(!(await whoRuns('lookup', { server_id: 's2' })).includes('any_tool_on_s1'));
  });

  test('content_types match global_context.content_type, both lower-cased and stripped of parameters', async () => {
    const types = async (contentType?: string) => {
      const who = await whoRuns('lookup', contentType === undefined ? {} : { content_type: contentType });
      return who.filter((t) => t === 'json_only' || t === 'text_params');
    };
    assert.deepEqual(await types('application/json'), ['json_only']);
    assert.deepEqual(await types('Application/JSON; charset=utf-8'), ['json_only']);
    assert.deepEqual(await types('text/plain'), ['text_params']);
    assert.deepEqual(await types('TEXT/PLAIN;charset=us-ascii'), ['text_params']);
    assert.deepEqual(await types('application/jsonx'), []);
    assert.deepEqual(await types(undefined), [], 'no content type, no match');
  });

});

test('parity: plugin_settings.include_user_info (a ContextForge key) loads and changes nothing', async () => {
  const dir = tempDir();
  const path = join(dir, 'config.yaml');
  writeFileSync(path, [
    'plugin_settings: { threads: 1, include_user_info: true }',
    'plugins:',
    `  - { name: echo, kind: ${JSON.stringify(fixture('plugins/scripted.js'))}, hooks: [tool_pre_invoke], config: { tag: echo, actions: { echo: true } } }`,
  ].join('\n'));
  const user = { email: 'ada@example.com', full_name: 'Ada' };
  await withManager(path, async (manager) => {
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({}, { user }));
    assert.deepEqual((result.metadata.seen_echo as { user: unknown }).user, user);
  });
});
