import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PluginManager } from '../../src/index.js';
import { ctx, useManagers } from './harness.js';

/**
 * ContextForge's test_plugin_dynamic_behavior_bad_words.py: the ReplaceBadWordsPlugin entry of its shipped
 * plugins/config.yaml (our own words) around an echo tool, under each mode. ContextForge switches the mode at run time
 * through its admin API; in Cordon the mode is the config's, so each step of its cycles is a manager loaded from the
 * config with that mode.
 */

const managerFor = useManagers();

const TRIGGER = 'darn';
const ENFORCED = 'phooey';

const badWords = (mode: string) => `
plugins:
  - name: "ReplaceBadWordsPlugin"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    description: "A plugin for finding and replacing words."
    version: "0.1.0"
    author: "Someone"
    hooks:
      [
        "prompt_pre_fetch",
        "prompt_post_fetch",
        "tool_pre_invoke",
        "tool_post_invoke",
      ]
    tags: ["plugin", "transformer", "regex", "search-and-replace", "pre-post"]
    mode: "${mode}" # enforce | enforce_ignore_error | permissive | disabled
    priority: 150
    # conditions:
    #   - prompts: ["a_prompt"]
    config:
      words:
        - search: ${TRIGGER}
          replace: drat
        - search: drat
          replace: ${ENFORCED}
`;

/** A tools/call of an echo tool through the chain: arguments in, the echo's MCP result out, the text it ends with. */
async function callEcho(manager: PluginManager, text: string): Promise<string> {
  const call = { name: 'fast-test-echo', args: { message: text } };
  const pre = await manager.invokeHook('tool_pre_invoke', call, ctx);
  assert.equal(pre.result.continue_processing, true);
  const message = String(((pre.result.modified_payload as typeof call | null) ?? call).args.message);
  const echoed = { name: 'fast-test-echo', result: { content: [{ type: 'text', text: message }], isError: false } };
  const post = await manager.invokeHook('tool_post_invoke', echoed, ctx, { localContexts: pre.contexts ?? undefined });
  assert.equal(post.result.continue_processing, true);
  return ((post.result.modified_payload as typeof echoed | null) ?? echoed).result.content[0]!.text;
}

/** How `count` echo calls with the trigger word came back: transformed, or with the word unchanged. */
async function burst(manager: PluginManager, count: number, tag: string): Promise<{ transformed: number; unchanged: number }> {
  const texts = await Promise.all(Array.from({ length: count }, (_, i) => callEcho(manager, `${tag} ${TRIGGER} ${i}`)));
  return {
    transformed: texts.filter((t) => t.includes(ENFORCED) && !t.includes(TRIGGER)).length,
    unchanged: texts.filter((t) => t.includes(TRIGGER)).length,
  };
}

describe('the bad-words plugin around an echo tool (test_plugin_dynamic_behavior_bad_words.py expectations)', () => {
  it('enforcing: the trigger word comes back replaced, rule after rule; clean text comes back as it was', async () => {
    const manager = await managerFor('bw-enforce', badWords('enforce'));
    const replaced = await callEcho(manager, `this is ${TRIGGER} data`);
    assert.equal(replaced, `this is ${ENFORCED} data`);
    assert.equal(await callEcho(manager, 'this is clean data'), 'this is clean data');
  });

  it('the mode decides, step after step: enforce transforms, disabled lets the word through, enforce again transforms', async () => {
    const steps: Array<[string, boolean]> = [['enforce', true], ['disabled', false], ['enforce', true]];
    for (const [n, [mode, transforms]] of steps.entries()) {
      const manager = await managerFor(`bw-step-${n}`, badWords(mode));
      assert.equal(manager.pluginCount, transforms ? 1 : 0, `step ${n} (${mode})`);
      const text = await callEcho(manager, `cycle ${TRIGGER}`);
      assert.equal(text, transforms ? `cycle ${ENFORCED}` : `cycle ${TRIGGER}`, `step ${n} (${mode})`);
    }
  });

  it('a burst of 40 calls per step: disabled, none transformed; enforce, all; disabled again, none', async () => {
    const steps: Array<[string, number]> = [['disabled', 0], ['enforce', 40], ['disabled', 0]];
    for (const [n, [mode, transformed]] of steps.entries()) {
      const manager = await managerFor(`bw-burst-${n}`, badWords(mode));
      assert.deepEqual(await burst(manager, 40, `step${n + 1}`), { transformed, unchanged: 40 - transformed }, `step ${n + 1} (${mode})`);
    }
  });

  it('replicas: three managers on one config behave alike on every call, enforcing or disabled', async () => {
    for (const [mode, transforms] of [['enforce', true], ['disabled', false]] as const) {
      const replicas = await Promise.all([1, 2, 3].map((r) => managerFor(`bw-${mode}-replica-${r}`, badWords(mode))));
      const results: boolean[] = [];
      // round robin, each replica twice
      for (let i = 0; i < 6; i++) results.push((await callEcho(replicas[i % 3]!, `check ${TRIGGER}`)).includes(TRIGGER) !== transforms);
      assert.deepEqual(results, Array(6).fill(true), mode);
    }
  });
});
