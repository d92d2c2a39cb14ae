import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PluginManager, type ConfigInput } from '../../src/index.js';
import { fixture } from '../helpers.js';

const config = (isolation: 'sandbox' | 'process'): ConfigInput => ({
  plugin_settings: { threads: 1, processes: 1 },
  plugins: [{ name: `bare_${isolation}`, kind: fixture('plugins/ungranted.js'), hooks: ['tool_pre_invoke'], isolation }],
});

const EXPECTED: Record<string, RegExp> = {
  fetch: /fetch is not granted: add capabilities\.fetch: \[origin\] to plugin bare_/,
  date: /the clock is not granted: add capabilities\.clock: true to plugin bare_\w+ \(secure mode Calling %SharedDate%\.now\(\) throws\)/,
  new_date: /the clock is not granted: add capabilities\.clock: true/,
  random: /randomness is not granted: add capabilities\.random: true/,
  performance: /the clock is not granted: add capabilities\.clock: true/,
  crypto: /randomness is not granted: add capabilities\.random: true/,
  store: /the shared store is not granted: add capabilities\.store: true/,
};

for (const isolation of ['sandbox', 'process'] as const) {
  let manager: PluginManager;
  before(async () => {
    manager = new PluginManager(config(isolation));
    await manager.initialize();
  });
  after(() => manager.shutdown());

  test(`${isolation}: a capability used without its grant fails naming the grant to add`, async () => {
    for (const [use, expected] of Object.entries(EXPECTED)) {
      await assert.rejects(manager.invokeHook('tool_pre_invoke', { name: 't', args: { use } }, { request_id: use }), (err: Error) => {
        assert.match(err.message, new RegExp(`^Plugin bare_${isolation} failed on tool_pre_invoke: `));
        assert.match(err.message, expected, use);
        return true;
      });
    }
  });
}
