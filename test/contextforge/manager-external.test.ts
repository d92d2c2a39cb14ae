import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ConfigError, loadConfig, PluginManager } from '../../src/index.js';
import { CLI } from '../cli/helpers.js';
import { ctx, message, useManagers } from './harness.js';

/**
 * ContextForge's loader and stdio-client tests on SearchReplacePlugin and DenyListPlugin (test_plugin_loader.py,
 * test_client_stdio.py): a config loaded and read back, a plugin run alone, and the same plugins served over MCP by
 * `cordon serve` on stdio (ContextForge's plugin server, whose config comes from PLUGINS_CONFIG_PATH) and reached
 * from a `kind: external` entry.
 */

const managerFor = useManagers();

// what the server runs, shaped as valid_multiple_plugins_filter.yaml and valid_multiple_plugins.yaml are
const SERVED = `
plugins:
  - name: "DenyWords"
    kind: "plugins.deny_filter.deny.DenyListPlugin"
    description: "A plugin that implements a deny list filter."
    version: "0.1"
    author: "Someone"
    hooks: ["prompt_pre_fetch"]
    mode: "enforce"
    priority: 100
    conditions:
      - prompts: ["greeting"]
        server_ids: []
        tenant_ids: []
    config:
      words: [synergy, paradigm]
  - name: "Synonyms"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    description: "A plugin for finding and replacing synonyms."
    version: "0.1"
    author: "Someone"
    hooks: ["prompt_pre_fetch", "prompt_post_fetch"]
    mode: "enforce"
    priority: 149
    config:
      words:
        - search: glad
          replace: cheerful
        - search: low
          replace: glum
  - name: "ReplaceWords"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    description: "A plugin for finding and replacing words."
    version: "0.1"
    author: "Someone"
    hooks: ["prompt_pre_fetch", "prompt_post_fetch"]
    mode: "enforce"
    priority: 150
    conditions:
      - prompts: ["greeting"]
        server_ids: []
        tenant_ids: []
    config:
      words:
        - search: darn
          replace: drat
        - search: drat
          replace: phooey
`;

let dir = '';
let servedPath = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cordon-cf-ext-'));
  servedPath = join(dir, 'served.yaml');
  // one worker starts faster; what is served is not about concurrency
  await writeFile(servedPath, `${SERVED}plugin_settings:\n  threads: 1\n`);
});
after(() => rm(dir, { recursive: true, force: true }));

/** An external entry reaching the server over stdio, as ContextForge writes one; `extra` holds local overrides. */
const external = (name: string, extra = '') => `
  - name: "${name}"
    kind: "external"${extra}
    mcp:
      proto: STDIO
      cmd: ["${process.execPath}", "${CLI}", "serve", "--transport", "stdio"]
      env:
        PLUGINS_CONFIG_PATH: "${servedPath}"
`;

const greeting = (args: Record<string, string>) => ({ prompt_id: 'greeting', args });

describe('a config loaded and its plugin run alone (test_plugin_loader.py expectations)', () => {
  it('loadConfig reads the entry back: name, description, version, author, hooks, and the rules of its words in order', async () => {
    const config = await loadConfig(servedPath);
    assert.deepEqual(config.plugins.map((p) => p.name), ['DenyWords', 'Synonyms', 'ReplaceWords']);
    const words = config.plugins[2]!;
    assert.deepEqual([words.description, words.version, words.author, words.hooks], [
      'A plugin for finding and replacing words.', '0.1', 'Someone', ['prompt_pre_fetch', 'prompt_post_fetch'],
    ]);
    assert.equal(words.kind, 'regex_filter', 'the bundled plugin that runs for the class path');
    assert.deepEqual((words.config.rules as Array<{ search: string; replace: string }>).map((r) => [r.search, r.replace]),
      [['darn', 'drat'], ['drat', 'phooey']]);
  });

  it('a plugin run alone keeps its mode, priority, conditions and hooks, and rewrites arguments and messages', async () => {
    const manager = await managerFor('loader', SERVED);
    const entry = manager.getPlugin('ReplaceWords')!;
    assert.deepEqual([entry.mode, entry.priority, entry.conditions[0]?.prompts, entry.hooks],
      ['enforce', 150, ['greeting'], ['prompt_pre_fetch', 'prompt_post_fetch']]);
    const context = { state: {}, metadata: {}, global_context: ctx };
    const pre = await manager.invokeHookForPlugin('ReplaceWords', 'prompt_pre_fetch', greeting({ user: 'What a darnfest!' }), context);
    assert.deepEqual(pre.modified_payload, greeting({ user: 'What a phooeyfest!' }));
    const post = await manager.invokeHookForPlugin('ReplaceWords', 'prompt_post_fetch',
      { prompt_id: 'greeting', result: { messages: [message('What the drat?')] } }, context);
    assert.deepEqual(post.modified_payload, { prompt_id: 'greeting', result: { messages: [message('What the phooey?')] } });
  });

  it('a config object (not a file) with a class-path kind loads, and each load is a plugin of its own', async () => {
    const entry = {
      name: 'FromCode', description: 'made in code', author: 'Someone', version: '1.0', tags: ['test'],
      kind: 'plugins.regex_filter.search_replace.SearchReplacePlugin', hooks: ['prompt_pre_fetch'],
      config: { words: [{ search: 'test', replace: 'example' }] },
    };
    const managers = [new PluginManager({ plugins: [entry] }), new PluginManager({ plugins: [entry] })];
    try {
      await Promise.all(managers.map((m) => m.initialize()));
      for (const manager of managers) {
        assert.equal(manager.pluginCount, 1);
        const { result } = await manager.invokeHook('prompt_pre_fetch', greeting({ user: 'a test run' }), ctx);
        assert.deepEqual(result.modified_payload, greeting({ user: 'a example run' }));
      }
    } finally {
      await Promise.all(managers.map((m) => m.shutdown()));
    }
  });
});

describe('the plugins served over stdio to a kind: external entry (test_client_stdio.py expectations)', () => {
  it('DenyListPlugin: blocks with its violation, and takes its description and priority from the server', async () => {
    const manager = await managerFor('ext-deny', `plugins:${external('DenyWords')}`);
    const { result } = await manager.invokeHook('prompt_pre_fetch', greeting({ text: 'That was synergy!' }), ctx);
    assert.equal(result.continue_processing, false);
    assert.deepEqual([result.violation?.reason, result.violation?.description, result.violation?.code, result.violation?.plugin_name],
      ['Prompt not allowed', 'A deny word was found in the prompt', 'deny', 'DenyWords']);
    const entry = manager.getPlugin('DenyWords')!;
    assert.deepEqual([entry.kind, entry.description, entry.priority, entry.hooks],
      ['external', 'A plugin that implements a deny list filter.', 100, ['prompt_pre_fetch']]);
  });

  it("DenyListPlugin with local overrides: the entry's description and priority win over the server's", async () => {
    const manager = await managerFor('ext-deny-over', `plugins:${external('DenyWords', `
    description: "described here instead."
    priority: 150
    hooks: ["prompt_pre_fetch"]`)}`);
    const { result } = await manager.invokeHook('prompt_pre_fetch', greeting({ text: 'That was synergy!' }), ctx);
    assert.deepEqual([result.violation?.reason, result.violation?.description, result.violation?.code],
      ['Prompt not allowed', 'A deny word was found in the prompt', 'deny']);
    const entry = manager.getPlugin('DenyWords')!;
    assert.deepEqual([entry.kind, entry.description, entry.priority], ['external', 'described here instead.', 150]);
  });

  it('a local hook the served plugin is not registered for is refused at initialize(), naming the plugin and the hook', async () => {
    await assert.rejects(managerFor('ext-deny-hooks', `plugins:${external('DenyWords', `
    hooks: ["prompt_pre_fetch", "prompt_post_fetch"]`)}`),
    (err: unknown) => err instanceof ConfigError && /DenyWords/.test(err.message) && /prompt_post_fetch/.test(err.message));
  });

  it('SearchReplacePlugin: rewrites prompt arguments and messages through the server, its entry filled from there', async () => {
    const manager = await managerFor('ext-sr', `plugins:${external('ReplaceWords')}`);
    const entry = manager.getPlugin('ReplaceWords')!;
    assert.deepEqual([entry.kind, entry.description, entry.priority], ['external', 'A plugin for finding and replacing words.', 150]);
    const pre = await manager.invokeHook('prompt_pre_fetch', greeting({ user: 'What a darnfest!' }), ctx);
    assert.deepEqual(pre.result.modified_payload, greeting({ user: 'What a phooeyfest!' }));
    const post = await manager.invokeHook('prompt_post_fetch',
      { prompt_id: 'greeting', result: { messages: [message('What the drat?')] } }, ctx, { localContexts: pre.contexts ?? undefined });
    assert.deepEqual(post.result.modified_payload, { prompt_id: 'greeting', result: { messages: [message('What the phooey?')] } });
  });

  it('get_plugin_configs answers every served plugin in config order, each as ContextForge wrote it', async () => {
    const client = new Client({ name: 'cf-parity', version: '1.0.0' });
    await client.connect(new StdioClientTransport({
      command: process.execPath, args: [CLI, 'serve', '--transport', 'stdio'], env: { ...process.env, PLUGINS_CONFIG_PATH: servedPath } as Record<string, string>, stderr: 'ignore',
    }), { timeout: 60_000 });
    try {
      const reply = await client.callTool({ name: 'get_plugin_configs', arguments: {} }) as { content: Array<{ text: string }> };
      const configs = reply.content.map((c) => JSON.parse(c.text) as Record<string, any>);
      assert.deepEqual(configs.map((c) => c.name), ['DenyWords', 'Synonyms', 'ReplaceWords']);
      const [, synonyms, words] = configs;
      assert.deepEqual([synonyms!.kind, synonyms!.description, synonyms!.version, synonyms!.author, synonyms!.hooks], [
        'plugins.regex_filter.search_replace.SearchReplacePlugin', 'A plugin for finding and replacing synonyms.', '0.1', 'Someone',
        ['prompt_pre_fetch', 'prompt_post_fetch'],
      ]);
      assert.deepEqual(synonyms!.config, { words: [{ search: 'glad', replace: 'cheerful' }, { search: 'low', replace: 'glum' }] });
      assert.equal(words!.kind, 'plugins.regex_filter.search_replace.SearchReplacePlugin');
      assert.deepEqual(words!.config.words[0], { search: 'darn', replace: 'drat' });
    } finally {
      await client.close();
    }
  });
});
