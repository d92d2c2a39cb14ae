/**
 * Manager-level attempts on what surrounds a plugin's call: the merge rules (fields it may not write, its own
 * name in a violation, the size limit), its grants, its neighbours in the chain, its console and its lifetime.
 */
import assert from 'node:assert/strict';
import { PluginViolationError } from '../../src/index.js';
import type { Attempt } from './escape-modules.js';

const hook = (body: string, async = '') => `export default (config) => ({ ${async} tool_pre_invoke(payload, context) {\n${body}\n} });\n`;
const CONFIG_TOKEN = 'neighbour-config-token-7f3a';

export const CHAIN_ATTEMPTS: Attempt[] = [
  {
    id: 'violation-plugin-name', title: "block with a violation claiming another plugin's name",
    module: () => hook(`return { continue_processing: false, violation: { reason: 'r', description: 'd', code: 'SPOOF', plugin_name: 'trusted-guard' },
      metadata: { [NAME]: 'claimed to be trusted-guard' } };`),
    verify: async (seen, run) => {
      assert.equal(seen.result!.continue_processing, false);
      assert.equal((seen.result!.violation as { plugin_name: string }).plugin_name, 'violation-plugin-name');
      const thrown = (await run.invoke('violation-plugin-name', {}, { violationsAsExceptions: true })).error;
      assert.ok(thrown instanceof PluginViolationError);
      assert.match(thrown.message, /blocked by plugin violation-plugin-name: SPOOF/);
      assert.equal(thrown.violation?.plugin_name, 'violation-plugin-name');
      const single = await run.manager.invokeHookForPlugin('violation-plugin-name', 'tool_pre_invoke', { name: 'x', args: {} }, { request_id: 'single' });
      assert.equal(single.violation?.plugin_name, 'violation-plugin-name');
    },
  },
  {
    id: 'non-writable-fields', title: "change payload fields the policy does not make writable, the global context's identity and reserved metadata",
    payload: () => ({ role: 'user' }),
    module: () => hook(`const g = context.global_context;
      g.request_id = 'forged'; g.tenant_id = 'forged'; g.user = 'root@forged'; g.server_id = 'forged'; g.state.merged = 'by design';
      context.state.own = 'kept';
      return { modified_payload: { ...payload, role: 'admin', args: { changed: true } },
        metadata: { _decision_plugin: 'forged', _cordon: 'forged', [NAME]: 'tried non-writable fields' } };`),
    verify: (seen) => {
      assert.deepEqual(seen.result!.modified_payload, { name: 'non-writable-fields', args: { changed: true }, role: 'user' });
      assert.deepEqual(Object.keys(seen.result!.metadata), ['non-writable-fields']);
      assert.match(String(seen.global.request_id), /^non-writable-fields-\d+$/);
      for (const key of ['tenant_id', 'user', 'server_id']) assert.equal(seen.global[key], undefined, key);
      assert.deepEqual(seen.global.state, { merged: 'by design' }, 'only state and metadata merge (the documented rule)');
      assert.deepEqual(Object.values(seen.contexts as Record<string, { state: unknown }>)[0]!.state, { own: 'kept' });
    },
  },
  {
    id: 'permissive-global', title: "a permissive plugin blocking and writing the global context (both must be discarded)",
    entry: () => ({ mode: 'permissive' }),
    module: () => hook(`context.global_context.state.permissive = 'written'; context.global_context.metadata.permissive = 'written';
      return { continue_processing: false, violation: { reason: 'r', description: 'd', code: 'NO' }, metadata: { [NAME]: 'would block' } };`),
    verify: (seen) => {
      assert.equal(seen.result!.continue_processing, true);
      assert.equal(seen.result!.violation, null);
      assert.deepEqual([seen.global.state, seen.global.metadata], [{}, {}]);
    },
  },
  {
    id: 'context-proto-key', title: 'replace its global and local context state with objects holding own __proto__ keys',
    module: () => hook(`context.global_context.state = JSON.parse('{"__proto__": {"polluted": "yes"}, "ok": 1}');
      context.global_context.metadata = JSON.parse('{"__proto__": {"polluted": "yes"}}');
      context.state = JSON.parse('{"__proto__": {"polluted": "yes"}, "mine": 1}');
      return report('replaced its contexts');`),
    verify: (seen) => {
      const state = seen.global.state as Record<string, unknown>;
      assert.equal(Object.getPrototypeOf(state), Object.prototype);
      assert.deepEqual([state.ok, state.polluted], [1, undefined]);
      assert.deepEqual(Object.values(seen.contexts as Record<string, { state: unknown }>)[0]!.state, { mine: 1 });
    },
  },
  {
    id: 'oversized-payload', title: 'a modified payload over max_result_bytes',
    module: () => hook(`return { modified_payload: { ...payload, args: { big: 'x'.repeat(300000) } }, metadata: { [NAME]: 'returned 300 kB' } };`),
    fails: { code: 'INVALID_RESULT' },
  },
  {
    id: 'config-widen', title: 'grants smuggled in its config (capabilities inside config grant nothing)',
    entry: (w) => ({ config: { capabilities: { fetch: [`http://127.0.0.1:${w.loopbackPort}`], env: [w.secretName], clock: true, random: true, store: true } } }),
    module: () => hook(`const seen = [typeof fetch, typeof env, typeof performance, typeof crypto, typeof store];
      seen.push(attempt(() => 'ESCAPED clock ' + Date.now()), attempt(() => 'ESCAPED random ' + Math.random()));
      try { await fetch(config.capabilities.fetch[0] + '/'); seen.push('ESCAPED fetched'); } catch (e) { seen.push('no fetch: ' + e.message); }
      return report(seen.join(' | '));`, 'async'),
    verify: (seen, run) => {
      // fetch, performance, crypto and store are stubs that only throw "not granted"; env is absent
      assert.match(String(seen.reports['config-widen']), /^function \| undefined \| object \| object \| object \| blocked: .* \| blocked: .* \| no fetch: fetch is not granted/);
      assert.deepEqual(run.manager.getPlugin('config-widen')?.capabilities, { fetch: [], env: [], clock: false, random: false, store: false });
    },
  },
  {
    id: 'neighbour-state', title: "read a neighbour's config, local state, globals, store keys and its late writes to its payload",
    capabilities: () => ({ store: true }),
    entry: () => ({ config: { token: CONFIG_TOKEN } }),
    module: () => hook(`globalThis.leakedConfig = config; context.state.token = config.token; context.metadata.token = config.token;
      await store.set('token', config.token);
      Promise.resolve().then(() => { payload.args.injected = config.token; });
      return { modified_payload: { ...payload, args: { ...payload.args, from_leader: true } }, metadata: { [NAME]: 'left its token about' } };`, 'async'),
    followers: [{
      name: 'neighbour-state-follower', capabilities: () => ({ store: true }),
      body: () => `const keys = ['token', 'neighbour-state\\u0000token', '../neighbour-state/token', 'neighbour-state:token'];
        const stored = []; for (const k of keys) stored.push(await store.get(k));
        return JSON.stringify({ config, state: context.state, meta: context.metadata, leaked: globalThis.leakedConfig,
          globals: Object.getOwnPropertyNames(globalThis).filter((n) => /leak|token/i.test(n)), payload, stored });`,
    }],
    verify: (seen) => {
      const follower = String(seen.reports['neighbour-state-follower']);
      assert.ok(!follower.includes(CONFIG_TOKEN), `the follower saw its neighbour's token: ${follower}`);
      assert.match(follower, /"from_leader":true/, 'the merged payload is what a follower is meant to see');
    },
  },
  {
    id: 'store-object', title: 'the store capability up to Function, its prototype, and replacing its methods',
    capabilities: () => ({ store: true }),
    body: () => `const keys = Reflect.ownKeys(store).map(String).sort().join();
      const tries = [store.get, store.set, store.incr, store.delete, store.swap].map((f) => attempt(() => use(f.constructor('return globalThis')())));
      tries.push(attempt(() => use(Object.getPrototypeOf(store).constructor.constructor('return globalThis')())));
      tries.push(attempt(() => { store.get = () => 1; return 'ESCAPED replaced a method'; }));
      return 'store keys ' + keys + ' | ' + tries.join(' | ');`,
    verify: (seen) => assert.match(String(seen.reports['store-object']), /^store keys delete,get,incr,set,swap \| blocked/),
  },
  {
    id: 'harden-inputs', title: 'harden() its payload and contexts, then modify: the merge and the next call still work',
    module: () => hook(`harden(payload); harden(context);
      return { modified_payload: { ...payload, args: { hardened: Object.isFrozen(context.state) } }, metadata: { [NAME]: 'hardened its inputs' } };`),
    verify: async (seen, run) => {
      for (const again of [seen, await run.invoke('harden-inputs')]) {
        assert.equal(again.error, undefined);
        assert.deepEqual(again.result!.modified_payload, { name: 'harden-inputs', args: { hardened: true } });
      }
    },
  },
  {
    id: 'init-time', title: 'use(globalThis) while the module evaluates and while its factory runs (at initialize)',
    module: () => `const atLoad = attempt(() => use(globalThis));
export default (config) => { const inFactory = attempt(() => use(globalThis)); console.log('load-time line ' + TOKEN);
  return { tool_pre_invoke() { return report('load: ' + atLoad + ' / factory: ' + inFactory); } }; };\n`,
    verify: (seen) => assert.equal(seen.reports['init-time'], 'load: blocked: nothing process-like / factory: blocked: nothing process-like'),
  },
];
