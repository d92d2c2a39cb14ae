import { spawn, type ChildProcess } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from './observability.js';
import { safeText } from '../core/failures.js';

export interface StdioServer {
  command: string;
  args: string[];
  env?: Record<string, string> | undefined;
  cwd?: string | undefined;
}

/**
 * The client side of MCP over a child's stdio, with the reply bound enforced as lines arrive: the SDK's transport
 * joins its buffer on every chunk (quadratic in a long line) and closes gently, so a 10 MB reply took longer than
 * a plugin's timeout to be refused. Here a line over `maxLineBytes` kills the server at once; the session's owner
 * learns it through `overflowed`.
 */
export class BoundedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  overflowed = false;
  private child: ChildProcess | null = null;
  private chunks: Buffer[] = [];
  private pending = 0;

  constructor(private readonly server: StdioServer, private readonly maxLineBytes: number, private readonly logger: Logger, private readonly label: string) {}

  async start(): Promise<void> {
    const [{ getDefaultEnvironment }, { JSONRPCMessageSchema }] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/stdio.js'), import('@modelcontextprotocol/sdk/types.js'),
    ]);
    // the SDK's safe default environment (PATH, HOME, ...) plus the entry's env: no secret of the host leaks by default
    const child = spawn(this.server.command, this.server.args, {
      env: { ...getDefaultEnvironment(), ...this.server.env }, cwd: this.server.cwd, stdio: ['pipe', 'pipe', 'pipe'], shell: false,
    });
    this.child = child;
    child.stderr!.on('data', (chunk: Buffer) => this.logger.debug(`[${this.label} server] ${safeText(chunk.toString('utf8').trimEnd(), 2000)}`));
    child.stdin!.on('error', (err) => this.onerror?.(err));
    child.stdout!.on('data', (chunk: Buffer) => this.read(chunk, (line) => {
      try {
        this.onmessage?.(JSONRPCMessageSchema.parse(JSON.parse(line)));
      } catch (err) {
        this.onerror?.(err as Error);
      }
    }));
    child.once('close', () => {
      this.child = null;
      this.onclose?.();
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  }

  /** Splits lines, looking for a newline only in the new chunk. */
  private read(chunk: Buffer, line: (text: string) => void): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      this.chunks.push(chunk.subarray(start, nl));
      line(Buffer.concat(this.chunks).toString('utf8').replace(/\r$/, ''));
      this.chunks = [];
      this.pending = 0;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    this.pending += rest.length;
    if (this.pending > this.maxLineBytes) {
      this.overflowed = true;
      this.chunks = [];
      this.child?.kill('SIGKILL');
      return;
    }
    if (rest.length) this.chunks.push(rest);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin) throw new Error('Not connected');
    if (stdin.write(JSON.stringify(message) + '\n')) return;
    // a server that exits never drains: its close ends the wait too
    const child = this.child!;
    await new Promise<void>((resolve) => {
      const done = () => {
        stdin.off('drain', done);
        child.off('close', done);
        resolve();
      };
      stdin.once('drain', done);
      child.once('close', done);
    });
  }

  /** Ends the server: stdin closed, then SIGKILL if it has not exited within a second. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
    await closed;
    clearTimeout(timer);
  }
}
