import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server as NodeServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from './observability.js';
import type { PluginTools } from './plugin-server.js';

export interface HttpServeOptions {
  host: string;
  port: number;
  tls?: { certfile: string; keyfile: string; ca_bundle?: string | undefined; keyfile_password?: string | undefined } | undefined;
  /** the largest request body read, bytes */
  maxBodyBytes: number;
  logger: Logger;
}

/** Sessions a server keeps at once; a new session past it is refused (503) rather than growing memory. */
const MAX_SESSIONS = 1000;
/** A session with no request for this long is closed (its client then gets 404 and reconnects). */
const SESSION_IDLE_MS = 15 * 60_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

interface Session {
  transport: StreamableHTTPServerTransport;
  seen: number;
}

/**
 * `cordon serve` over streamable HTTP: MCP at `/mcp` with sessions (an unknown or closed session id is answered
 * 404, so clients reconnect), `GET /health`, TLS, and mTLS when a CA is given. On a loopback host, a request whose
 * Host or Origin is not loopback is refused (DNS rebinding).
 */
export class PluginHttpServer {
  private readonly sessions = new Map<string, Session>();
  private server: NodeServer | null = null;
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly tools: PluginTools, private readonly options: HttpServeOptions) {}

  async listen(): Promise<AddressInfo> {
    const { tls } = this.options;
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: unknown) => {
        this.options.logger.error(`request failed: ${(err as Error)?.message ?? err}`);
        if (!res.headersSent) reply(res, 500, { jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
        else res.end();
      });
    };
    if (tls) {
      const [cert, key, ca] = await Promise.all([readFile(tls.certfile), readFile(tls.keyfile), tls.ca_bundle ? readFile(tls.ca_bundle) : undefined]);
      this.server = createHttpsServer({ cert, key, ca, passphrase: tls.keyfile_password, requestCert: !!ca, rejectUnauthorized: !!ca }, handler);
    } else {
      this.server = createHttpServer(handler);
    }
    this.server.headersTimeout = 30_000;
    this.server.requestTimeout = 5 * 60_000;
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.sweep = setInterval(() => this.closeIdle(), 60_000).unref();
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    await Promise.allSettled([...this.sessions.values()].map((s) => s.transport.close()));
    this.sessions.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (!this.hostAllowed(req)) return reply(res, 403, { error: 'Host or Origin not allowed on a loopback server (DNS rebinding protection)' });
    if (path === '/health' && req.method === 'GET') return reply(res, 200, { status: 'healthy' });
    if (path !== '/mcp') return reply(res, 404, { error: 'not found: MCP is at /mcp, health at /health' });
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readBody(req, this.options.maxBodyBytes);
      if ('error' in read) return reply(res, read.status, rpcError(read.status === 413 ? -32600 : -32700, read.error));
      body = read.body;
    }
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const session = this.sessions.get(id);
      if (!session) return reply(res, 404, rpcError(-32001, 'Session not found'));
      session.seen = Date.now();
      return session.transport.handleRequest(req, res, body);
    }
    const { isInitializeRequest } = await import('@modelcontextprotocol/sdk/types.js');
    if (req.method !== 'POST' || !isInitializeRequest(body)) return reply(res, 400, rpcError(-32000, 'Bad Request: no valid session id'));
    if (this.sessions.size >= MAX_SESSIONS) return reply(res, 503, rpcError(-32000, `too many sessions (${MAX_SESSIONS})`));
    const transport = await this.newSession();
    await transport.handleRequest(req, res, body);
  }

  private async newSession(): Promise<StreamableHTTPServerTransport> {
    const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => void this.sessions.set(id, { transport, seen: Date.now() }),
      onsessionclosed: (id) => void this.sessions.delete(id),
    });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    const server = await this.tools.server();
    await server.connect(transport);
    return transport;
  }

  private closeIdle(): void {
    const now = Date.now();
    for (const [id, session] of this.sessions) {
      if (now - session.seen > SESSION_IDLE_MS) {
        this.sessions.delete(id);
        void session.transport.close().catch(() => {});
      }
    }
  }

  private hostAllowed(req: IncomingMessage): boolean {
    if (!LOOPBACK.has(this.options.host)) return true;
    const hostname = (value: string) => {
      try {
        return new URL(value.includes('://') ? value : `http://${value}`).hostname;
      } catch {
        return '';
      }
    };
    const origin = req.headers.origin;
    return LOOPBACK.has(hostname(req.headers.host ?? '')) && (origin === undefined || LOOPBACK.has(hostname(origin)));
  }
}

async function readBody(req: IncomingMessage, max: number): Promise<{ body: unknown } | { status: number; error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      // answered without reading the rest; Node closes the connection rather than drain it
      return { status: 413, error: `request body over the limit of ${max} bytes` };
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { status: 400, error: 'Parse error: the body is not JSON' };
  }
}

const rpcError = (code: number, message: string) => ({ jsonrpc: '2.0', error: { code, message }, id: null });

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
