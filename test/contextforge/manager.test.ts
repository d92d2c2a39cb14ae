import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, PluginManager, PluginViolationError } from '../../src/index.js';
import { formatIssue } from '../../src/core/errors.js';
import { fixture } from '../helpers.js';
import { ctx, message, useManagers } from './harness.js';

/**
 * ContextForge's test_manager.py, on configs shaped as its fixture configs are (valid_single_plugin.yaml and the
 * rest): SearchReplacePlugin and DenyListPlugin through the manager, a header-adding plugin (a JS fixture standing
 * for its Python one), and the manager's lifecycle.
 */

const managerFor = useManagers();

// the fixture configs' condition: one prompt, with the empty server and tenant lists that mean "all"
const ONLY_GREETING = `
    conditions:
      # Apply to specific tools/servers
      - prompts: ["greeting"]
        server_ids: []  # Apply to all servers
        tenant_ids: []  # Apply to all tenants`;

const SEARCH_REPLACE = `
  - name: "ReplaceWords"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    description: "A plugin for finding and replacing words."
    version: "0.1"
    author: "Someone"
    hooks: ["prompt_pre_fetch", "prompt_post_fetch"]
    tags: ["plugin", "transformer", "regex", "search-and-replace", "pre-post"]
    mode: "enforce"  # enforce | permissive | disabled
    priority: 150${ONLY_GREETING}
    config:
      words:
        - search: darn
          replace: drat
        - search: drat
          replace: phooey
`;
// runs before ReplaceWords (priority 149): its last rule rewrites what ReplaceWords would write, so the order shows
const SYNONYMS = `
  - name: "Synonyms"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    description: "A plugin for finding and replacing synonyms."
    version: "0.1"
    author: "Someone"
    hooks: ["prompt_pre_fetch", "prompt_post_fetch"]
    mode: "enforce"
    priority: 149${ONLY_GREETING}
    config:
      words:
        - search: glad
          replace: cheerful
        - search: low
          replace: glum
        - search: phooey
          replace: gosh
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
    priority: 100${ONLY_GREETING}
    config:
      words:
        - synergy
        - paradigm
`;
const RESOURCES = `
  - name: "ResourceRules"
    kind: "plugins.resource_filter.resource_filter.ResourceFilterPlugin"
    hooks: ["resource_pre_fetch", "resource_post_fetch"]
    mode: "enforce"
    priority: 200
    conditions: []  # Apply to all resources
    config:
      max_content_size: 4096
      allowed_protocols: [https, time]
      blocked_domains: [bad.example.net]
      content_filters:
        - pattern: "token\\\\s*[:=]\\\\s*\\\\S+"
          replacement: "token: [GONE]"
`;

const greeting = (user: string) => ({ prompt_id: 'greeting', args: { user } });

describe('SearchReplacePlugin (test_manager.py expectations)', () => {
  it('replaces in prompt arguments and rendered messages, rule after rule', async () => {
    const manager = await managerFor('sr', `plugins:${SEARCH_REPLACE}`);
    const pre = await manager.invokeHook('prompt_pre_fetch', greeting('What a darnfest!'), ctx);
    assert.deepEqual(pre.result.modified_payload, greeting('What a phooeyfest!'));
    const post = await manager.invokeHook('prompt_post_fetch',
      { prompt_id: 'greeting', result: { messages: [message("It's a drat bakery.")] } }, ctx, { localContexts: pre.contexts ?? undefined });
    assert.deepEqual(post.result.modified_payload, { prompt_id: 'greeting', result: { messages: [message("It's a phooey bakery.")] } });
  });

  it('keeps the entry as ContextForge wrote it: name, description, version, author, hooks, mode, priority, conditions', async () => {
    const manager = await managerFor('sr-entry', `plugins:${SEARCH_REPLACE}`);
    assert.equal(manager.initialized, true);
    assert.equal(manager.pluginCount, 1);
    const entry = manager.getPlugin('ReplaceWords');
    assert.ok(entry);
    assert.deepEqual(
      [entry.name, entry.description, entry.version, entry.author, entry.hooks, entry.mode, entry.priority],
      ['ReplaceWords', 'A plugin for finding and replacing words.', '0.1', 'Someone', ['prompt_pre_fetch', 'prompt_post_fetch'], 'enforce', 150],
    );
    assert.deepEqual(entry.tags, ['plugin', 'transformer', 'regex', 'search-and-replace', 'pre-post']);
    assert.deepEqual(entry.conditions[0]?.prompts, ['greeting']);
    // the bundled plugin that runs for the class path, its rules in order as the words were written
    assert.equal(entry.kind, 'regex_filter');
    assert.deepEqual((entry.config.rules as Array<{ search: string; replace: string }>).map((r) => [r.search, r.replace]),
      [['darn', 'drat'], ['drat', 'phooey']]);
    // and the class path and config as written, which `cordon serve` answers with
    assert.deepEqual(entry.written, {
      kind: 'plugins.regex_filter.search_replace.SearchReplacePlugin',
      config: { words: [{ search: 'darn', replace: 'drat' }, { search: 'drat', replace: 'phooey' }] },
    });
  });

  it('two search-replace plugins (two entries of one class path) run in priority order on arguments and messages', async () => {
    const manager = await managerFor('sr-two', `plugins:${SYNONYMS}${SEARCH_REPLACE}`);
    assert.equal(manager.pluginCount, 2);
    assert.deepEqual([manager.getPlugin('Synonyms')?.priority, manager.getPlugin('ReplaceWords')?.priority], [149, 150]);
    // Synonyms first: "phooey" becomes "gosh" before ReplaceWords writes its own "phooey"
    const pre = await manager.invokeHook('prompt_pre_fetch', greeting("phooey, it's always glad at the darnfest."), ctx);
    assert.deepEqual(pre.result.modified_payload, greeting("gosh, it's always cheerful at the phooeyfest."));
    const post = await manager.invokeHook('prompt_post_fetch',
      { prompt_id: 'greeting', result: { messages: [message("It's low at the drat bakery.")] } }, ctx, { localContexts: pre.contexts ?? undefined });
    assert.deepEqual(post.result.modified_payload, { prompt_id: 'greeting', result: { messages: [message("It's glum at the phooey bakery.")] } });
  });

  it('registered for prompt hooks only: tool calls and tool results pass untouched, with no contexts', async () => {
    const manager = await managerFor('sr-prompts-only', `plugins:${SEARCH_REPLACE}`);
    const pre = await manager.invokeHook('tool_pre_invoke', { name: 'lookup', args: { input: 'darn data' } }, ctx);
    assert.deepEqual([pre.result.continue_processing, pre.result.modified_payload ?? null, pre.result.violation ?? null, pre.contexts],
      [true, null, null, null]);
    const post = await manager.invokeHook('tool_post_invoke', { name: 'lookup', result: { output: 'a darn result' } }, ctx,
      { localContexts: pre.contexts ?? undefined });
    assert.deepEqual([post.result.continue_processing, post.result.modified_payload ?? null, post.result.violation ?? null],
      [true, null, null]);
  });

  it('on tool hooks with a tools condition: every string argument and result field', async () => {
    const manager = await managerFor('sr-tools', `
plugins:
  - name: "ToolWords"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    description: "A plugin for testing tool hooks."
    hooks: ["tool_pre_invoke", "tool_post_invoke"]
    mode: "enforce"
    priority: 150
    conditions:
      - tools: ["lookup"]
        server_ids: []
        tenant_ids: []
    config:
      words:
        - search: poor
          replace: fine
        - search: incorrect
          replace: correct
`);
    const pre = await manager.invokeHook('tool_pre_invoke', { name: 'lookup', args: { input: 'poor input', quality: 'incorrect' } }, ctx);
    assert.equal(pre.result.continue_processing, true);
    assert.equal(pre.result.violation ?? null, null);
    assert.deepEqual(pre.result.modified_payload, { name: 'lookup', args: { input: 'fine input', quality: 'correct' } });
    const post = await manager.invokeHook('tool_post_invoke', { name: 'lookup', result: { output: 'went poor', status: 'incorrect format' } }, ctx,
      { localContexts: pre.contexts ?? undefined });
    assert.equal(post.result.continue_processing, true);
    assert.equal(post.result.violation ?? null, null);
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
  it('blocks a prompt whose argument contains a denied word, with reason "Prompt not allowed" and code "deny"; as an exception when asked', async () => {
    const manager = await managerFor('deny', `plugins:${DENY}`);
    const { result } = await manager.invokeHook('prompt_pre_fetch', greeting('pure synergy'), ctx);
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.reason, 'Prompt not allowed');
    assert.equal(result.violation?.code, 'deny');
    assert.equal(result.violation?.description, 'A deny word was found in the prompt');
    assert.equal(result.violation?.plugin_name, 'DenyWords');
    await assert.rejects(manager.invokeHook('prompt_pre_fetch', greeting('pure synergy'), ctx, { violationsAsExceptions: true }),
      (err: unknown) => err instanceof PluginViolationError && err.violation?.reason === 'Prompt not allowed' && err.violation.code === 'deny');
  });

  it('matches as ContextForge does: inside words and case-sensitively', async () => {
    const manager = await managerFor('deny-substring', `plugins:${DENY}`);
    const inside = await manager.invokeHook('prompt_pre_fetch', greeting('paradigmatic'), ctx);
    assert.equal(inside.result.violation?.code, 'deny');
    const upper = await manager.invokeHook('prompt_pre_fetch', greeting('Synergy'), ctx);
    assert.equal(upper.result.continue_processing, true);
    const otherPrompt = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'farewell', args: { user: 'synergy' } }, ctx);
    assert.equal(otherPrompt.result.continue_processing, true);
  });

  it('a deny list before search-replace and a resource filter blocks the request, as an exception when asked', async () => {
    const manager = await managerFor('deny-sr', `plugins:${DENY}${SEARCH_REPLACE}${RESOURCES}`);
    assert.equal(manager.pluginCount, 3);
    const { result } = await manager.invokeHook('prompt_pre_fetch', greeting('synergy darnfest.'), ctx);
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.reason, 'Prompt not allowed');
    assert.equal(result.violation?.plugin_name, 'DenyWords');
    assert.equal(result.modified_payload ?? null, null, 'search-replace did not run after the block');
    await assert.rejects(manager.invokeHook('prompt_pre_fetch', greeting('synergy darnfest.'), ctx, { violationsAsExceptions: true }),
      (err: unknown) => err instanceof PluginViolationError && err.violation?.plugin_name === 'DenyWords');
    // without a denied word the chain goes on to search-replace
    const clean = await manager.invokeHook('prompt_pre_fetch', greeting('a darnfest.'), ctx);
    assert.deepEqual(clean.result.modified_payload, greeting('a phooeyfest.'));
  });
});

describe('a config with no plugins (test_manager.py expectations)', () => {
  it('plugins: null runs nothing and changes nothing, on prompt and tool hooks', async () => {
    const manager = await managerFor('none', 'plugins:\n  # nothing configured\n');
    assert.equal(manager.initialized, true);
    assert.equal(manager.pluginCount, 0);
    const prompt = await manager.invokeHook('prompt_pre_fetch', greeting('synergy'), ctx);
    assert.deepEqual([prompt.result.continue_processing, prompt.result.modified_payload ?? null, prompt.contexts], [true, null, null]);
    const pre = await manager.invokeHook('tool_pre_invoke', { name: 'adder', args: { operation: 'add', a: 2, b: 40 } }, ctx);
    assert.deepEqual([pre.result.continue_processing, pre.result.modified_payload ?? null, pre.result.violation ?? null, pre.contexts],
      [true, null, null, null]);
    const post = await manager.invokeHook('tool_post_invoke', { name: 'adder', result: { result: 42, status: 'success' } }, ctx);
    assert.deepEqual([post.result.continue_processing, post.result.modified_payload ?? null, post.result.violation ?? null, post.contexts],
      [true, null, null, null]);
  });
});

describe('a plugin that sets headers on a tool call (test_manager.py expectations)', () => {
  it('adds its headers to a call with none, and merges them with those a call came with', async () => {
    const manager = await managerFor('headers', `
plugins:
  - name: "HeadersPlugin"
    kind: "${fixture('plugins/headers.js')}"
    description: "A tools header plugin."
    hooks: ["tool_pre_invoke"]
    mode: "enforce"
    priority: 150
    conditions:
      - prompts: []
        server_ids: []  # Apply to all servers
        tenant_ids: []  # Apply to all tenants
`);
    const args = { input: 'poor data', quality: 'incorrect' };
    const bare = await manager.invokeHook('tool_pre_invoke', { name: 'lookup', args, headers: null }, ctx);
    assert.equal(bare.result.continue_processing, true);
    assert.equal(bare.result.violation ?? null, null);
    assert.deepEqual(bare.result.modified_payload, { name: 'lookup', args, headers: { 'X-Client': 'cordon-tests', 'Cache-Control': 'no-store' } });
    const typed = await manager.invokeHook('tool_pre_invoke', { name: 'lookup', args, headers: { 'Content-Type': 'application/json' } }, ctx);
    assert.deepEqual(typed.result.modified_payload, {
      name: 'lookup', args, headers: { 'Content-Type': 'application/json', 'X-Client': 'cordon-tests', 'Cache-Control': 'no-store' },
    });
  });
});

describe('the manager\'s lifecycle on a ContextForge config (test_manager.py expectations)', () => {
  /** A manager of its own, not initialized: these tests drive initialize() and shutdown() themselves. */
  async function fresh(yaml: string, run: (manager: PluginManager) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-cf-mgr-'));
    const path = join(dir, 'config.yaml');
    await writeFile(path, yaml);
    const manager = new PluginManager(path);
    try {
      await run(manager);
    } finally {
      await manager.shutdown();
      await rm(dir, { recursive: true, force: true });
    }
  }
  // a rule that grows its own match: a plugin registered twice would show as "aaaa"
  const GROWING = `plugins:
  - name: "Doubler"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    hooks: ["tool_pre_invoke"]
    config:
      words:
        - search: a
          replace: aa
`;

  it('initialize() several times at once, then again, loads the plugins once', async () => {
    await fresh(GROWING, async (manager) => {
      assert.equal(manager.initialized, false);
      await Promise.all(Array.from({ length: 5 }, () => manager.initialize()));
      await manager.initialize();
      assert.equal(manager.initialized, true);
      assert.equal(manager.pluginCount, 1);
      const { result } = await manager.invokeHook('tool_pre_invoke', { name: 't', args: { x: 'a' } }, ctx);
      assert.deepEqual(result.modified_payload, { name: 't', args: { x: 'aa' } });
    });
  });

  it('initialize() and shutdown() at once, and shutdown() several times at once, end shut down without an error', async () => {
    await fresh(GROWING, async (manager) => {
      const outcomes = await Promise.allSettled([manager.initialize(), manager.shutdown()]);
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled']);
      assert.equal(manager.initialized, false);
    });
    await fresh(GROWING, async (manager) => {
      await manager.initialize();
      assert.equal(manager.initialized, true);
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => manager.shutdown()));
      assert.ok(outcomes.every((o) => o.status === 'fulfilled'));
      assert.equal(manager.initialized, false);
      await assert.rejects(manager.invokeHook('tool_pre_invoke', { name: 't', args: { x: 'a' } }, ctx), /shut ?down/i);
    });
  });
});

describe("ContextForge's shipped packaged plugins (test_manager.py expectations)", () => {
  const packaged = (name: string, kind: string, hooks: string, config: string) => `
  - name: "${name}"
    kind: "${kind}"
    hooks: ${hooks}
    mode: "permissive"
    priority: 50
    config:
${config}`;
  const PII = packaged('PIIFilterPlugin', 'cpex_pii_filter.PIIFilterPlugin', '["prompt_pre_fetch", "tool_post_invoke"]', '      detect_email: true');
  const RATE = packaged('RateLimiterPlugin', 'cpex_rate_limiter.RateLimiterPlugin', '["prompt_pre_fetch", "tool_pre_invoke"]', '      by_user: "60/m"');
  const URLS = packaged('URLReputationPlugin', 'cpex_url_reputation.URLReputationPlugin', '["resource_pre_fetch"]', '      blocked_domains: ["bad.example.net"]');
  const SECRETS = packaged('SecretsDetection', 'cpex_secrets_detection.SecretsDetectionPlugin', '["prompt_pre_fetch", "tool_post_invoke"]',
    '      block_on_detection: true');
  const RETRY = packaged('RetryWithBackoffPlugin', 'cpex_retry_with_backoff.RetryWithBackoffPlugin', '["tool_post_invoke"]', '      max_retries: 2');
  const EXFIL = packaged('EncodedExfilDetector', 'cpex_encoded_exfil_detection.EncodedExfilDetectorPlugin', '["tool_post_invoke"]', '      min_entropy: 3.5');

  it('PII, rate limiter, URL reputation and secrets load on their hooks; retry-with-backoff and encoded-exfil are refused with the way forward', async () => {
    const manager = await managerFor('packaged', `plugins:${PII}${RATE}${URLS}${SECRETS}`);
    assert.equal(manager.pluginCount, 4);
    for (const [name, hooks] of [['PIIFilterPlugin', ['prompt_pre_fetch', 'tool_post_invoke']], ['URLReputationPlugin', ['resource_pre_fetch']]] as const) {
      assert.deepEqual(manager.getPlugin(name)?.hooks, hooks, name);
    }
    assert.ok(manager.hasHooksFor('prompt_pre_fetch') && manager.hasHooksFor('resource_pre_fetch') && manager.hasHooksFor('tool_post_invoke'));
    await assert.rejects(managerFor('packaged-python', `plugins:${PII}${RETRY}${EXFIL}`), (err: unknown) => {
      const lines = err instanceof ConfigError ? err.issues.map(formatIssue) : [];
      assert.equal(lines.length, 2, String(err));
      assert.match(lines[0]!, /^plugins\[1\]\.kind: plugin "RetryWithBackoffPlugin": .*kind: external .*mcp:/);
      assert.match(lines[1]!, /^plugins\[2\]\.kind: plugin "EncodedExfilDetector": .*kind: external .*mcp:/);
      return true;
    });
  });
});
