/**
 * Class 1 of issue 11, held as a class: a sandboxed plugin with every grant walks everything it can reach (its
 * globals, their prototypes, what every function returns and throws when called or constructed with plausible and
 * bad arguments, what prototype methods do on the instances, what promises settle with) and finds nothing shared
 * that is not frozen, and no fresh object carrying symbol-keyed slots (the internals of Node's JavaScript classes).
 * The control runs the same walker on Node's own codecs in a plain worker, where it must find both.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PluginManager } from '../../src/index.js';
import { fixture } from '../helpers.js';

interface Reach {
  problems: string[];
  count: number;
  shared: number;
  fresh: number;
  calls: number;
}

const walker = fixture('escapes/reach-walker.js');

async function walk(isolation: 'sandbox' | 'worker', extra: Record<string, unknown>): Promise<Reach> {
  const manager = new PluginManager({
    plugin_settings: { threads: 1, plugin_timeout: 240 },
    plugins: [{ name: 'walker', kind: walker, hooks: ['tool_pre_invoke'], isolation, ...extra }],
  });
  await manager.initialize();
  try {
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'walk', args: {} }, { request_id: 'walk' });
    return result.metadata.reach as Reach;
  } finally {
    await manager.shutdown();
  }
}

describe('what a compartment can reach', () => {
  let server: Server;
  let origin: string;
  before(async () => {
    server = createServer((_req, res) => res.end('{"answer":1}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('a sandboxed plugin with every grant reaches nothing shared and mutable, and no forgeable native slots', async () => {
    const reach = await walk('sandbox', {
      config: { roots: 'global', url: origin },
      capabilities: { fetch: [origin], env: ['HOME'], clock: true, random: true, store: true },
    });
    assert.deepEqual(reach.problems, [], `${reach.count} problems`);
    // the walk really went everywhere: every intrinsic, tens of thousands of calls and their results
    assert.ok(reach.shared > 500, `only ${reach.shared} shared objects reached`);
    assert.ok(reach.calls > 20_000, `only ${reach.calls} calls made`);
    assert.ok(reach.fresh > 10_000, `only ${reach.fresh} results and errors walked`);
  });

  it("control: the walker finds Node's codecs' symbol slots and unfrozen prototypes in a plain worker", async () => {
    const reach = await walk('worker', { config: { roots: 'codecs' } });
    const text = reach.problems.join('\n');
    assert.match(text, /new TextDecoder\(\d+\) returned carries symbol-keyed slots: .*Symbol\(handle\)/);
    assert.match(text, /TextDecoder\.prototype\.decode is shared and not frozen/);
    assert.match(text, /threw: its prototype .* is not frozen/);
  });
});
