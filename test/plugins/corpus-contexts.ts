/**
 * The places a value turns up in what gateways carry: a log line, a .env file, JSON, YAML, code, a curl command, a
 * stack trace and prose. Each renders one labelled value (`label` is the key it would sit under).
 */

const camel = (label: string) => label.toLowerCase().replace(/[_-]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const multiline = (text: string) => text.includes('\n');
const envValue = (text: string) => (/[\s"'{}]/.test(text) ? `'${text}'` : text);
const yamlValue = (text: string) => (multiline(text) ? `|\n${text.split('\n').map((l) => `    ${l}`).join('\n')}` : JSON.stringify(text));

export const CONTEXTS: Record<string, (label: string, text: string) => string> = {
  log: (label, text) => `2026-12-01T10:15:02.114Z WARN [billing] retry 2/5: ${label}=${text} rejected by upstream`,
  env: (label, text) => `# service settings\nLOG_LEVEL=info\n${label}=${envValue(text)}\nREGION=eu-west-1\n`,
  json: (label, text) => JSON.stringify({ service: 'billing', [label]: text, region: 'eu-west-1', retries: 3 }, null, 2),
  yaml: (label, text) => `billing:\n  region: eu-west-1\n  ${label.toLowerCase()}: ${yamlValue(text)}\n  retries: 3\n`,
  code: (label, text) =>
    `export const config = {\n  region: 'eu-west-1',\n  ${camel(label)}: ${multiline(text) ? `\`${text}\`` : JSON.stringify(text)},\n  retries: 3,\n};\n`,
  curl: (label, text) => {
    const header = text.startsWith(`${label}:`) ? text : `X-${label.replace(/_/g, '-')}: ${text}`;
    return `curl -sS -X POST https://api.example.com/v1/jobs -H "Content-Type: application/json" -H "${header}" -d '{"limit": 10}'`;
  },
  stack: (label, text) =>
    `Error: upstream rejected the request (${label}=${text})\n    at Client.request (/srv/app/node_modules/@acme/client/dist/index.js:212:17)\n` +
    '    at async Job.run (/srv/app/src/jobs/sync.ts:48:5)\n    at async main (/srv/app/src/main.ts:10:3)',
  prose: (label, text) => `Hi team, I rotated it after this morning's incident. Here is the new ${label}: ${text}\nThe old one is revoked; update the vault when you can.`,
};
