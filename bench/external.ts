import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginManager, type ConfigInput } from '../src/index.js';
import { globalContext, pluginPath } from './fixtures.js';
import type { BenchContext, Scenario } from './scenario.js';

/**
 * What a `kind: external` plugin costs per call: one no-op served by a `cordon serve` child (sandboxed there, as by
 * default), called over streamable HTTP on loopback and over stdio, beside the same no-op run locally in the
 * sandbox and a bare HTTP round trip, in the same run. Latency only, on the 1 KB payload: the round trip is the point.
 */
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const HOOKS = ['tool_pre_invoke'];

export const LOCAL_VARIANT = 'local sandbox no-op';
export const HTTP_VARIANT = 'external no-op over HTTP';
export const STDIO_VARIANT = 'external no-op over stdio';
export const FETCH_VARIANT = 'bare fetch round trip (baseline)';

export const externalScenario: Scenario = {
  name: 'external',
  group: 'external',
  async run(ctx) {
    const payload = ctx.payloads.find((p) => p.label === '1KB')!;
    const dir = mkdtempSync(join(tmpdir(), 'cordon-bench-external-'));
    const serverConfig = join(dir, 'served.yaml');
    // one thread: one call at a time is measured, and the server shares the machine with the caller
    writeFileSync(serverConfig, JSON.stringify({
      plugin_settings: { threads: 1 },
      plugins: [{ name: 'noop', kind: pluginPath('noop'), hooks: HOOKS }],
    }));
    await bareFetch(ctx, payload);
    const server = await startServer(serverConfig);
    try {
      const local: ConfigInput = { plugin_settings: { threads: 1 }, plugins: [{ name: 'noop', kind: pluginPath('noop'), hooks: HOOKS }] };
      const remote = (mcp: Record<string, unknown>): ConfigInput => ({ plugins: [{ name: 'noop', kind: 'external', mcp: mcp as never }] });
      // quick mode leaves out stdio: starting a second server costs more than all its measurements
      for (const [variant, config] of [
        [LOCAL_VARIANT, local],
        [HTTP_VARIANT, remote({ proto: 'STREAMABLEHTTP', url: server.url })],
        ...(ctx.quick ? [] : [[STDIO_VARIANT, remote({ proto: 'STDIO', cmd: [process.execPath, CLI, 'serve', serverConfig, '--transport', 'stdio'] })]] as const),
      ] as const) {
        await measure(ctx, variant, config, payload);
      }
    } finally {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function measure(ctx: BenchContext, variant: string, config: ConfigInput, payload: BenchContext['payloads'][number]): Promise<void> {
  const manager = new PluginManager(config);
  await manager.initialize();
  ctx.pin();
  try {
    let i = 0;
    const call = () => manager.invokeHook(payload.hook, payload.payload as never, globalContext(i++));
    const { contexts } = await call();
    if (!contexts || Object.keys(contexts).length === 0) throw new Error(`${variant} ran no plugin`);
    ctx.step(`${variant} ${payload.label}`);
    await ctx.latency({ variant, payload }, call);
  } finally {
    await manager.shutdown();
  }
}

/** The floor under the HTTP variant: a POST of the payload to a Node server that answers at once, same machine. */
async function bareFetch(ctx: BenchContext, payload: BenchContext['payloads'][number]): Promise<void> {
  const http = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  const body = JSON.stringify(payload.payload);
  try {
    ctx.step(FETCH_VARIANT);
    await ctx.latency({ variant: FETCH_VARIANT, payload }, async () => {
      await (await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).text();
    });
  } finally {
    http.closeAllConnections();
    http.close();
  }
}

async function startServer(config: string): Promise<{ url: string; child: ReturnType<typeof spawn> }> {
  const child = spawn(process.execPath, [CLI, 'serve', config, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const match = / on (http:\/\/\S+\/mcp)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`cordon serve exited (${code}): ${stderr}`)));
  });
  return { url, child };
}
