import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginManager, type ManagerOptions } from '../src/index.js';
import type { ConfigInput, Logger } from '../src/index.js';

/*
 * Shared bits of the test suites. This file runs from dist/test/, while fixtures are not compiled: they are
 * resolved against the repository root, two levels up from the compiled file.
 */
const root = new URL('../../', import.meta.url);

/** Absolute path of a file under test/fixtures, e.g. fixture('plugins/scripted.js'). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`test/fixtures/${name}`, root));
}

export const configPath = (name: string) => fixture(`configs/${name}.yaml`);

const tempDirs: string[] = [];
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp dir, removed when the test process exits. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-test-'));
  tempDirs.push(dir);
  return dir;
}

/** Runs fn with an initialized manager and always shuts it down. */
export async function withManager<T>(source: string | ConfigInput, fn: (m: PluginManager) => Promise<T>, options?: ManagerOptions): Promise<T> {
  const manager = new PluginManager(source, options);
  try {
    await manager.initialize();
    return await fn(manager);
  } finally {
    await manager.shutdown();
  }
}

export interface LogLine {
  level: keyof Logger;
  message: string;
}

/** A logger that keeps every line, for the spec's "logged" rules. */
export function captureLogger(): Logger & { lines: LogLine[]; text(level?: keyof Logger): string } {
  const lines: LogLine[] = [];
  const at = (level: keyof Logger) => (message: string) => {
    lines.push({ level, message });
  };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: (level) => lines.filter((l) => !level || l.level === level).map((l) => l.message).join('\n'),
  };
}

let requests = 0;

/**
 * A fresh global context. `script` tells each scripted.js plugin (by its tag) what to do in this invocation;
 * it rides in global_context.metadata.script, which every plugin receives a copy of.
 */
export function ctx(script: Record<string, Record<string, unknown>> = {}, extra: Record<string, unknown> = {}) {
  const { metadata, ...rest } = extra as { metadata?: Record<string, unknown> };
  return { request_id: `req-${process.pid}-${++requests}`, state: {}, ...rest, metadata: { ...metadata, script } };
}

export const toolPayload = (name = 'lookup', args: Record<string, unknown> = {}) => ({ name, args });

/** Tags of the scripted plugins that ran, from the ran_<tag> keys of a result's metadata, sorted. */
export function ran(metadata: Record<string, unknown>): string[] {
  return Object.keys(metadata).filter((k) => k.startsWith('ran_')).map((k) => k.slice(4)).sort();
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** true when the child had to be killed because it did not exit within the bound */
  hung: boolean;
}

/** Runs `node ...args` and waits for it to exit on its own, killing it (and reporting hung) past the bound. */
export function runNode(args: string[], options: { env?: NodeJS.ProcessEnv; boundMs?: number } = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, options.boundMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, hung });
    });
  });
}

export const childScript = fixture('scripts/use_manager.mjs');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
