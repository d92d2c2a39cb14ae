/**
 * The host side of the manager-level escape suite: the things an escaped plugin would touch, and the detectors that
 * notice. An attempt that escapes writes a canary file, spawns `touch` on a second one, connects to a loopback port
 * nobody is granted, writes a token to the host's stdout, pollutes a host intrinsic, or reports the env secret.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EscapeContext } from '../sandbox/escape-attempts.js';

export const SECRET_NAME = 'CORDON_ESCAPE_SECRET';
/** the env name the boundary suite's attempts are granted (`capabilities.env: ['GRANTED']`) */
export const GRANTED_NAME = 'GRANTED';

export interface World extends EscapeContext {
  /** the secret's value, in the test process's env before any manager starts */
  secret: string;
  /** a token an escaped plugin writes to stdout and uses as the name of a polluted host property */
  token: string;
  /** where the plugin files are written */
  dir: string;
  connections(): number;
  stdioHits(): number;
  /** forgets effects a control test produced on purpose */
  reset(): void;
  close(): Promise<void>;
}

export async function openWorld(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-escapes-'));
  const secret = `s3cret-${randomBytes(8).toString('hex')}`;
  const token = `cordon_token_${randomBytes(6).toString('hex')}`;
  process.env[SECRET_NAME] = secret;
  process.env[GRANTED_NAME] = 'granted-value';
  let connections = 0;
  const loopback: TcpServer = createTcpServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
  const loopbackPort = (loopback.address() as AddressInfo).port;
  const granted: HttpServer = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://granted');
    if (url.pathname === '/redirect-to-loopback') return void res.writeHead(302, { location: `http://127.0.0.1:${loopbackPort}/` }).end();
    if (url.pathname === '/echo-host') return void res.end(req.headers.host ?? '');
    if (url.pathname === '/slow') return void setTimeout(() => res.end('slow-done'), Number(url.searchParams.get('ms') ?? 0));
    res.end('granted');
  });
  await new Promise<void>((resolve) => granted.listen(0, '127.0.0.1', resolve));
  const stdio = spyOnStdio(token);
  const marker = join(dir, 'canary');
  const removeCanaries = () => {
    rmSync(marker, { force: true });
    rmSync(`${marker}.spawn`, { force: true });
  };
  return {
    marker, secretName: SECRET_NAME, loopbackPort, grantedOrigin: `http://127.0.0.1:${(granted.address() as AddressInfo).port}`,
    secret, token, dir,
    connections: () => connections,
    stdioHits: stdio.hits,
    reset() {
      removeCanaries();
      connections = 0;
      stdio.clear();
      delete (Object.prototype as Record<string, unknown>)[token];
    },
    async close() {
      stdio.restore();
      granted.closeAllConnections();
      await Promise.all([new Promise((r) => loopback.close(r)), new Promise((r) => granted.close(r))]);
      rmSync(dir, { recursive: true, force: true });
      delete process.env[SECRET_NAME];
      delete process.env[GRANTED_NAME];
    },
  };
}

/** Counts writes to the host's stdout/stderr carrying the token (a worker's console is piped there) and swallows them. */
function spyOnStdio(token: string) {
  let hits = 0;
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  streams.forEach((stream, i) => {
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      if (String(chunk).includes(token)) {
        hits += 1;
        return true;
      }
      return (originals[i] as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
  });
  return {
    hits: () => hits,
    clear: () => void (hits = 0),
    restore: () => streams.forEach((stream, i) => void (stream.write = originals[i]!)),
  };
}

const INTRINSICS: Record<string, object> = {
  'Object.prototype': Object.prototype, 'Array.prototype': Array.prototype, 'Function.prototype': Function.prototype,
  'String.prototype': String.prototype, 'Promise.prototype': Promise.prototype, 'RegExp.prototype': RegExp.prototype,
  'Error.prototype': Error.prototype, Object, Array, Promise, JSON, Math, Reflect, Symbol,
};
/** The members whose identity matters most to the host: what merges, serialises and awaits. */
const MEMBERS: Array<[object, PropertyKey]> = [
  [JSON, 'stringify'], [JSON, 'parse'], [Object.prototype, 'toString'], [Object.prototype, 'hasOwnProperty'],
  [Array.prototype, 'push'], [Promise.prototype, 'then'], [Function.prototype, 'call'], [Object, 'keys'],
];

export interface HostSnapshot {
  names: Record<string, string>;
  members: unknown[];
}

export function hostSnapshot(): HostSnapshot {
  const names: Record<string, string> = {};
  for (const [label, target] of Object.entries(INTRINSICS)) names[label] = Reflect.ownKeys(target).map(String).sort().join();
  return { names, members: MEMBERS.map(([target, key]) => (target as Record<PropertyKey, unknown>)[key]) };
}

/** Host-side effects since the last reset: each entry names one. */
export function effects(world: World, before: HostSnapshot): string[] {
  const found: string[] = [];
  if (existsSync(world.marker)) found.push('a file was written');
  if (existsSync(`${world.marker}.spawn`)) found.push('a process was spawned');
  if (world.connections() > 0) found.push(`a loopback socket was opened (${world.connections()})`);
  if (world.stdioHits() > 0) found.push("plugin output reached the host's stdout/stderr");
  const now = hostSnapshot();
  for (const [label, names] of Object.entries(now.names)) if (names !== before.names[label]) found.push(`host ${label} changed`);
  if (now.members.some((m, i) => m !== before.members[i])) found.push('a host intrinsic method was replaced');
  if ((({}) as Record<string, unknown>)[world.token] !== undefined) found.push('host Object.prototype polluted');
  return found;
}

/** Where the secret shows up in what the caller and the logger got. */
export function secretLeaks(world: World, seen: Record<string, unknown>): string[] {
  return Object.entries(seen).filter(([, value]) => textOf(value).includes(world.secret)).map(([where]) => `the env secret is in ${where}`);
}

export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return JSON.stringify({ ...value, name: value.name, message: value.message });
  return JSON.stringify(value) ?? String(value);
}

/**
 * What is not plain host data in a value the caller got: other prototypes (including another realm's), accessors,
 * functions, symbols, own `__proto__` keys. Paths name each.
 */
export function impurities(value: unknown, path = '$', stack = new Set<object>()): string[] {
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return [`${path} is a ${typeof value}`];
  if (typeof value !== 'object' || value === null) return [];
  if (stack.has(value)) return [`${path} is a cycle`];
  const proto = Object.getPrototypeOf(value);
  const found: string[] = [];
  if (proto !== (Array.isArray(value) ? Array.prototype : Object.prototype)) found.push(`${path} has a foreign prototype`);
  stack.add(value);
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === 'symbol') { found.push(`${path} has a symbol key`); continue; }
    if (key === '__proto__') found.push(`${path} has an own __proto__ key`);
    const desc = Object.getOwnPropertyDescriptor(value, key)!;
    if (desc.get || desc.set) found.push(`${path}.${key} is an accessor`);
    else if (!(Array.isArray(value) && key === 'length')) found.push(...impurities(desc.value, `${path}.${key}`, stack));
  }
  stack.delete(value);
  return found;
}
