import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConfigInput } from '../../src/index.js';
import { fixture, withManager } from '../helpers.js';

/*
 * `isolation: process` runs one plugin per task, so a chain crosses into a process once per plugin; these check that
 * the executor still folds a chain in order across processes and other levels, blocks, and ignores failures by mode.
 */
type Entry = NonNullable<ConfigInput['plugins']>[number];
const tag = (name: string, priority: number, isolation: Entry['isolation'] = 'process', extra: Partial<Entry> = {}): Entry => ({
  name, kind: fixture('process/tag.js'), hooks: ['tool_pre_invoke'], priority, isolation, config: { tag: name }, ...extra,
});
const config = (plugins: Entry[]): ConfigInput => ({ plugin_settings: { processes: 2, plugin_timeout: 10 }, plugins });
const invoke = (args: Record<string, unknown> = {}) => [{ name: 'tool', args }, { request_id: `r-${Math.random()}` }] as const;

describe('isolation: process in a chain', () => {
  test('three process plugins each see the payload the previous one left', () =>
    withManager(config([tag('c', 3), tag('a', 1), tag('b', 2)]), async (manager) => {
      const { result } = await manager.invokeHook('tool_pre_invoke', ...invoke());
      assert.deepEqual(result.modified_payload?.args.tags, ['a', 'b', 'c']);
      assert.deepEqual(result.metadata, { a: true, b: true, c: true });
    }));

  test('a chain alternating process and sandbox plugins keeps its order', () =>
    withManager(config([tag('a', 1), tag('b', 2, 'sandbox'), tag('c', 3), tag('d', 4, 'worker')]), async (manager) => {
      const { result } = await manager.invokeHook('tool_pre_invoke', ...invoke());
      assert.deepEqual(result.modified_payload?.args.tags, ['a', 'b', 'c', 'd']);
    }));

  test('a block in a process stops the chain there', () =>
    withManager(config([tag('a', 1), tag('b', 2), tag('c', 3)]), async (manager) => {
      const { result } = await manager.invokeHook('tool_pre_invoke', ...invoke({ block: 'b' }));
      assert.equal(result.continue_processing, false);
      assert.equal(result.violation?.plugin_name, 'b');
      assert.deepEqual(result.modified_payload?.args.tags, ['a']);
      assert.deepEqual(result.metadata, { a: true });
    }));

  test('a runaway enforce_ignore_error plugin times out and the chain goes on after it', () =>
    withManager(config([
      tag('a', 1),
      { name: 'spin', kind: fixture('bombs/busy-loop.js'), hooks: ['tool_pre_invoke'], priority: 2, isolation: 'process', mode: 'enforce_ignore_error', timeout: 0.5 },
      tag('c', 3),
    ]), async (manager) => {
      const { result } = await manager.invokeHook('tool_pre_invoke', ...invoke());
      assert.deepEqual(result.modified_payload?.args.tags, ['a', 'c']);
    }));

  test('a concurrent phase that is decided kills a still-running process plugin instead of waiting for its timeout', () =>
    withManager(config([
      { name: 'spin', kind: fixture('bombs/busy-loop.js'), hooks: ['tool_pre_invoke'], priority: 1, isolation: 'process', mode: 'concurrent' },
      tag('b', 2, 'process', { mode: 'concurrent' }),
    ]), async (manager) => {
      const start = performance.now();
      const { result } = await manager.invokeHook('tool_pre_invoke', ...invoke({ block: 'b' }));
      assert.equal(result.violation?.plugin_name, 'b');
      assert.ok(performance.now() - start < 5000, 'the decided phase waited for the runaway plugin');
      assert.deepEqual((await manager.invokeHookForPlugin('b', 'tool_pre_invoke', ...invoke())).metadata, { b: true });
    }));
});
