import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpClientConfig } from './external-config.js';
import type { Logger } from './observability.js';
import { boundedFetch, tlsFetch } from './mcp-fetch.js';
import { BoundedStdioTransport } from './mcp-stdio.js';

/** The SDK is loaded on first use, so a manager without external plugins never loads it. */
const sdk = () => Promise.all([
  import('@modelcontextprotocol/sdk/client/index.js'),
  import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
]);

/** How long the MCP handshake with a plugin server may take (a STDIO server starts its own plugin pools first). */
export const CONNECT_TIMEOUT_MS = 60_000;

export class ReplyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the server's reply is over the limit of ${limit} bytes`);
  }
}

/** A failure of the connection rather than of the call: a terminated session (404) or a dropped transport. */
export function isTransportFailure(err: unknown): boolean {
  if (err instanceof ReplyTooLargeError) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === 404 || e.code === -32000) return true; // StreamableHTTPError 404; McpError ConnectionClosed
  if (e.message === 'Not connected' || (e.name === 'TypeError' && e.message === 'fetch failed')) return true;
  return typeof e.cause?.code === 'string' && /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|UND_ERR_SOCKET)$/.test(e.cause.code);
}

/**
 * One MCP session with a plugin server, as ContextForge's external plugin client holds it: connects over
 * streamable HTTP or by starting a STDIO server, calls tools, reconnects, and closes (HTTP DELETE of the session,
 * or the child process).
 */
export class McpSession {
  private client: Client | null = null;
  private transport: Transport | null = null;
  private connecting: Promise<Client> | null = null;
  /** set by close(): a call still in flight then fails instead of reconnecting (and starting a STDIO server again) */
  private closed = false;

  constructor(private readonly pluginName: string, private readonly mcp: McpClientConfig, private readonly maxReplyBytes: number,
    private readonly logger: Logger) {}

  /** What the session talks to, for error messages: the URL, or the STDIO command. */
  get target(): string {
    return this.mcp.url ?? (this.mcp.cmd ?? [this.mcp.script!]).join(' ');
  }

  /**
   * Opens the session if it is not open. The handshake has its own bound, not a plugin's timeout: a STDIO server
   * takes seconds to start. A call that cannot wait that long gives up on its own timer; the session opened in
   * the meantime serves the next call.
   */
  connect(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error('the session with the plugin server is closed'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const [{ Client }, { StreamableHTTPClientTransport }] = await sdk();
    const client = new Client({ name: 'cordon', version: '0.1.0' }, { capabilities: {} });
    let transport: Transport;
    if (this.mcp.proto === 'STREAMABLEHTTP') {
      const base = this.mcp.tls ? await tlsFetch(this.mcp.tls) : fetch;
      transport = new StreamableHTTPClientTransport(new URL(this.mcp.url!), { fetch: boundedFetch(base, this.maxReplyBytes) });
    } else {
      const [command, ...args] = this.mcp.cmd ?? [this.mcp.script!];
      transport = new BoundedStdioTransport({ command: command!, args, env: this.mcp.env, cwd: this.mcp.cwd }, this.maxReplyBytes, this.logger, this.pluginName);
    }
    // the SDK bounds the initialize request, not the whole handshake (start, the initialized notification): bound it all
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no MCP handshake within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    });
    try {
      await Promise.race([client.connect(transport, { timeout: CONNECT_TIMEOUT_MS }), late]);
    } catch (err) {
      await client.close().catch(() => {});
      throw err;
    } finally {
      clearTimeout(timer);
    }
    if (this.closed) {
      await client.close().catch(() => {});
      throw new Error('the session with the plugin server is closed');
    }
    this.client = client;
    this.transport = transport;
    // a transport that closes (a STDIO server that exits) leaves the session to be reopened by the next call
    const previous = transport.onclose;
    transport.onclose = () => {
      previous?.();
      if (this.client === client) this.client = null;
    };
    return client;
  }

  /** Calls a tool and returns the text of its first text content. */
  async callTool(name: string, args: Record<string, unknown>, signal: AbortSignal, timeoutMs: number): Promise<string> {
    const client = await this.connect();
    try {
      // the SDK's own request timeout stays above ours: our timer decides, and its abort cancels the request
      const reply = await client.callTool({ name, arguments: args }, undefined, { signal, timeout: timeoutMs + 1000 });
      const text = (reply.content as Array<{ type: string; text?: unknown }>).find((c) => c.type === 'text')?.text;
      if (typeof text !== 'string') throw new Error(`the server's ${name} reply holds no text content`);
      if (Buffer.byteLength(text, 'utf8') > this.maxReplyBytes) throw new ReplyTooLargeError(this.maxReplyBytes);
      return text;
    } catch (err) {
      // the first call to learn of a cut reply is the one it was for (the bounded fetch, or the STDIO line bound)
      const stdio = this.transport instanceof BoundedStdioTransport ? this.transport : null;
      if (stdio?.overflowed || String((err as Error)?.message).includes('reply is over the limit')) {
        if (stdio) stdio.overflowed = false;
        throw new ReplyTooLargeError(this.maxReplyBytes);
      }
      throw err;
    }
  }

  /** Drops the session (after a 404 or a dropped transport) so the next call opens a new one. */
  async reset(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.transport = null;
    await client?.close().catch(() => {});
  }

  /** Ends the session: an HTTP DELETE of it for STREAMABLEHTTP, the child process for STDIO. */
  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => {});
    const transport = this.transport as (Transport & { terminateSession?: () => Promise<void> }) | null;
    if (transport?.terminateSession) await transport.terminateSession().catch(() => {});
    await this.reset();
  }
}
