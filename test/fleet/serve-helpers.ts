import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { CLI } from '../cli/helpers.js';
import { fixture } from '../helpers.js';

/*
 * `cordon serve` as a real child process: started from the built CLI on a loopback port the OS picks, found by the
 * line it prints on stderr, and stopped by SIGTERM (then SIGKILL if it does not go).
 */
export const SERVER_CONFIG = fixture('fleet/server.yaml');
/** the server under a loaded 2-core machine can take several seconds to start its pools */
const START_TIMEOUT_MS = 60_000;

export interface Served {
  url: string;
  port: number;
  child: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

export function serve(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  return listening([CLI, 'serve', ...args], env, args.includes('--tls-cert') ? 'https' : 'http');
}

/** The misbehaving plugin server of the fault tests, over HTTP. */
export const ROGUE = fixture('fleet/rogue-server.mjs');
export const rogueHttp = () => listening([ROGUE, '--http'], {}, 'http');
export const rogueStdio = () => ({ proto: 'STDIO' as const, cmd: [process.execPath, ROGUE] });

/** Starts a node script that prints `... on http(s)://host:port/mcp` on stderr once it listens. */
async function listening(args: string[], env: NodeJS.ProcessEnv, scheme: string): Promise<Served> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.resume();
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cordon serve did not start in time:\n${stderr}`)), START_TIMEOUT_MS);
    const check = () => {
      const match = / on https?:\/\/[^\s]+:(\d+)\/mcp/.exec(stderr);
      if (match) clearTimeout(timer), resolve(Number(match[1]));
    };
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${code}):\n${stderr}`));
    });
  });
  return {
    url: `${scheme}://127.0.0.1:${port}/mcp`, port, child, stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The `mcp` section of an external entry that starts `cordon serve` over stdio. */
export const stdioMcp = (config = SERVER_CONFIG) => ({ proto: 'STDIO' as const, cmd: [process.execPath, CLI, 'serve', config, '--transport', 'stdio'] });
export const httpMcp = (url: string) => ({ proto: 'STREAMABLEHTTP' as const, url });
