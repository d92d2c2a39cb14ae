/**
 * Bench payloads shaped like real MCP traffic: a document-search tool call whose nested args carry prose with
 * emails, URLs and phone numbers (so a PII-scanning chain has real work), built to a target JSON size from a
 * seeded generator so every run sends the same bytes.
 */

export interface Payload {
  label: string;
  bytes: number;
  hook: 'tool_pre_invoke' | 'tool_post_invoke';
  payload: Record<string, unknown>;
}

export const SIZES = [
  { label: '1KB', bytes: 1024 },
  { label: '16KB', bytes: 16 * 1024 },
  { label: '256KB', bytes: 256 * 1024 },
] as const;

const WORDS = (
  'the quarterly report covers revenue growth across regions while the support team reviewed open tickets and ' +
  'flagged accounts that need a follow up call before renewal our engineers shipped the new search index and ' +
  'measured latency under load customers asked about data retention export formats and single sign on'
).split(' ');
const NAMES = ['jane.doe', 'r.okafor', 'li.wei', 'maria.garcia', 'tom_baker', 'a.novak'];
const DOMAINS = ['example.com', 'corp.example.org', 'mail.example.net'];
const SITES = ['https://docs.example.org/guide', 'https://status.example.com/incidents', 'http://intranet.example.net/wiki'];

/** mulberry32: a tiny seeded PRNG, enough to make the text varied yet identical across runs. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sentence(rand: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const words = Array.from({ length: 8 + Math.floor(rand() * 8) }, () => pick(WORDS));
  const r = rand();
  if (r < 0.2) words.push(`contact ${pick(NAMES)}@${pick(DOMAINS)}`);
  else if (r < 0.35) words.push(`see ${pick(SITES)}/${Math.floor(rand() * 1000)}`);
  else if (r < 0.42) words.push(`call +1 555-${100 + Math.floor(rand() * 900)}-${1000 + Math.floor(rand() * 9000)}`);
  return `${words.join(' ')}.`;
}

const byteLength = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/** Fills `docs` with documents of prose until the whole of `shell` serializes to about `target` bytes. */
function fill(shell: Record<string, unknown>, docs: Record<string, unknown>[], target: number, seed: number): void {
  const rand = seeded(seed);
  let size = byteLength(shell);
  while (size < target) {
    const doc = { id: `doc-${docs.length + 1}`, title: sentence(rand).slice(0, 40), owner: `${NAMES[docs.length % NAMES.length]}@${DOMAINS[0]}`, body: '' };
    docs.push(doc);
    size += byteLength(doc) + 1;
    for (let i = 0; i < 6 && size < target; i++) {
      const s = (doc.body ? ' ' : '') + sentence(rand);
      doc.body += s;
      size += Buffer.byteLength(s);
    }
  }
  // The last sentence overshoots; cut it back (the text is ASCII, so a character is a byte).
  const last = docs.at(-1) as { body: string } | undefined;
  const excess = byteLength(shell) - target;
  if (last && excess > 0) last.body = last.body.slice(0, Math.max(0, last.body.length - excess));
}

export function toolPreInvoke(label: string, target: number): Payload {
  const documents: Record<string, unknown>[] = [];
  const payload = {
    name: 'search_documents',
    args: {
      query: 'renewal risk for accounts managed by jane.doe@example.com',
      filters: { region: ['emea', 'apac'], updated_after: '2026-01-01', include_archived: false },
      options: { limit: 50, highlight: true, source: 'https://search.example.com/v2' },
      documents,
    },
    headers: { 'x-request-id': 'bench-0001', 'user-agent': 'cordon-bench/1', 'x-tenant': 'acme' },
  };
  fill(payload, documents, target, target);
  return { label, bytes: byteLength(payload), hook: 'tool_pre_invoke', payload };
}

export function toolPostInvoke(label: string, target: number): Payload {
  const documents: Record<string, unknown>[] = [];
  const payload = {
    name: 'search_documents',
    result: { content: [{ type: 'text', text: 'Found matching documents.' }], structuredContent: { documents }, isError: false },
  };
  fill(payload, documents, target, target + 1);
  return { label, bytes: byteLength(payload), hook: 'tool_post_invoke', payload };
}

/** The pre-invoke payload at each size of SIZES. */
export function preInvokePayloads(): Payload[] {
  return SIZES.map((s) => toolPreInvoke(s.label, s.bytes));
}
