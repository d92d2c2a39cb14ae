import { pathToFileURL } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

/** The MCP server behind the gateway: a mail tool and a file tool over a small in-memory share. */
const FILES: Record<string, string> = {
  'handbook.md': '# Team handbook\nDeploys go out on Tuesdays and Thursdays. Ask in #ops before a hotfix.\n',
  'contacts.txt': 'On call this week: Priya Raman <priya.raman@example.com>\nEscalations: ops-lead@example.org\n',
};

export interface Upstream {
  server: McpServer;
  /** every email the server was asked to send, as it received it */
  outbox: Array<{ to: string; body: string }>;
}

export function createUpstream(): Upstream {
  const outbox: Upstream['outbox'] = [];
  const server = new McpServer({ name: 'example-upstream', version: '0.1.0' });
  server.registerTool(
    'send_email',
    { description: 'Send an email', inputSchema: { to: z.string(), body: z.string() } },
    async ({ to, body }) => {
      outbox.push({ to, body });
      return { content: [{ type: 'text', text: `Queued message #${outbox.length} to ${to}` }] };
    },
  );
  server.registerTool(
    'read_file',
    { description: 'Read a file from the team share', inputSchema: { path: z.string() } },
    async ({ path }) => {
      const text = FILES[path];
      if (text === undefined) return { isError: true, content: [{ type: 'text', text: `No such file: ${path}` }] };
      return { content: [{ type: 'text', text }] };
    },
  );
  return { server, outbox };
}

// `node upstream.js` serves it on stdio, which is how the gateway starts it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await createUpstream().server.connect(new StdioServerTransport());
}
