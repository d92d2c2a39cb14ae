import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ctx, message, useManagers } from './harness.js';

/** ContextForge's test_manager.py, on its fixture configs: SearchReplacePlugin and DenyListPlugin. */

const managerFor = useManagers();

const SEARCH_REPLACE = `
  - name: "ReplaceWords"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    description: "A plugin for finding and replacing words."
    version: "0.1"
    author: "Someone"
    hooks: ["prompt_pre_fetch", "prompt_post_fetch"]
    tags: ["plugin", "transformer", "regex", "search-and-replace", "pre-post"]
    mode: "enforce"  # enforce | permissive | disabled
    priority: 150
    conditions:
      # Apply to specific tools/servers (ContextForge's empty server_ids/tenant_ids lists are issue 13's)
      - prompts: ["greeting"]
    config:
      words:
        - search: darn
          replace: drat
        - search: drat
          replace: phooey
`;
const DENY = `
  - name: "DenyWords"
    kind: "plugins.deny_filter.deny.DenyListPlugin"
    description: "A plugin that implements a deny list filter."
    version: "0.1"
    author: "Someone"
    hooks: ["prompt_pre_fetch"]
    tags: ["plugin", "filter", "denylist", "pre-post"]
    mode: "enforce"  # enforce | permissive | disabled
    priority: 100
    conditions:
      - prompts: ["greeting"]
    config:
      words:
        - synergy
        - paradigm
`;


describe('SearchReplacePlugin (test_manager.py expectations)', () => {
  it('replaces in prompt arguments and rendered messages, rule after rule', async () => {
    const manager = await managerFor('sr', `plugins:${SEARCH_REPLACE}`);
    const pre = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'greeting', args: { user: 'What a darnfest!' } }, ctx);
    assert.deepEqual(pre.result.modified_payload, { prompt_id: 'greeting', args: { user: 'What a phooeyfest!' } });
    const post = await manager.invokeHook('prompt_post_fetch',
      { prompt_id: 'greeting', result: { messages: [message("It's a drat bakery.")] } }, ctx, { localContexts: pre.contexts ?? undefined });
    assert.deepEqual(post.result.modified_payload, { prompt_id: 'greeting', result: { messages: [message("It's a phooey bakery.")] } });
    // registered for prompts only: a tool call is not touched
    const tool = await manager.invokeHook('tool_pre_invoke', { name: 'lookup', args: { input: 'darn data' } }, ctx);
    assert.equal(tool.result.continue_processing, true);
    assert.equal(tool.result.modified_payload ?? null, null);
    assert.equal(tool.result.violation ?? null, null);
  });

  it('on tool hooks with a tools condition: every string argument and result field', async () => {
    const manager = await managerFor('sr-tools', `
plugins:
  - name: "ToolWords"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    hooks: ["tool_pre_invoke", "tool_post_invoke"]
    conditions:
      - tools: ["lookup"]
    config:
      words:
        - search: poor
          replace: fine
        - search: incorrect
          replace: correct
`);
    const pre = await manager.invokeHook('tool_pre_invoke', { name: 'lookup', args: { input: 'poor input', quality: 'incorrect' } }, ctx);
    assert.deepEqual(pre.result.modified_payload, { name: 'lookup', args: { input: 'fine input', quality: 'correct' } });
    const post = await manager.invokeHook('tool_post_invoke', { name: 'lookup', result: { output: 'went poor', status: 'incorrect format' } }, ctx);
    assert.deepEqual(post.result.modified_payload, { name: 'lookup', result: { output: 'went fine', status: 'correct format' } });
    const other = await manager.invokeHook('tool_pre_invoke', { name: 'other', args: { input: 'poor' } }, ctx);
    assert.equal(other.result.modified_payload ?? null, null);
  });

  it("takes Python's regular expressions and replacement syntax", async () => {
    const manager = await managerFor('sr-python', `
plugins:
  - name: "Groups"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    hooks: ["tool_pre_invoke"]
    config:
      words:
        - search: '(?P<user>\\w+)@(\\w+)\\.test'
          replace: '\\g<user> at \\2 ($)'
        - search: '(?i)SECRET'
          replace: 'hidden'
`);
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 't', args: { to: 'ann@corp.test', note: 'Secret' } }, ctx);
    assert.deepEqual(result.modified_payload, { name: 't', args: { to: 'ann at corp ($)', note: 'hidden' } });
  });
});

describe('DenyListPlugin (test_manager.py expectations)', () => {
  it('blocks a prompt whose argument contains a denied word, with reason "Prompt not allowed" and code "deny"', async () => {
    const manager = await managerFor('deny', `plugins:${DENY}`);
    const { result } = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'greeting', args: { user: 'pure synergy' } }, ctx);
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.reason, 'Prompt not allowed');
    assert.equal(result.violation?.code, 'deny');
    assert.equal(result.violation?.description, 'A deny word was found in the prompt');
    assert.equal(result.violation?.plugin_name, 'DenyWords');
  });

  it('matches as ContextForge does: inside words and case-sensitively', async () => {
    const manager = await managerFor('deny-substring', `plugins:${DENY}`);
    const inside = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'greeting', args: { user: 'paradigmatic' } }, ctx);
    assert.equal(inside.result.violation?.code, 'deny');
    const upper = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'greeting', args: { user: 'Synergy' } }, ctx);
    assert.equal(upper.result.continue_processing, true);
    const otherPrompt = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'farewell', args: { user: 'synergy' } }, ctx);
    assert.equal(otherPrompt.result.continue_processing, true);
  });

  it('a deny list before search-replace blocks the request', async () => {
    const manager = await managerFor('deny-sr', `plugins:${DENY}${SEARCH_REPLACE}`);
    const { result } = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'greeting', args: { user: 'synergy darnfest.' } }, ctx);
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.reason, 'Prompt not allowed');
  });

  it('plugins: null runs nothing and changes nothing', async () => {
    const manager = await managerFor('none', 'plugins:\n');
    const { result, contexts } = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'greeting', args: { user: 'synergy' } }, ctx);
    assert.equal(result.continue_processing, true);
    assert.equal(result.modified_payload ?? null, null);
    assert.equal(contexts, null);
  });
});
