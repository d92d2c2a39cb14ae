/**
 * Recall and false positives of secrets_detection and pii_filter on a synthetic corpus: every family planted in every
 * context (log line, .env, JSON, YAML, code, curl, stack trace, prose), each beside benign look-alikes in the same
 * contexts. Prints per-family counts; asserts recall >= 98% overall, every family caught in every context, and false
 * positives <= 1% of benign values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import piiFilter from '../../plugins/pii_filter.js';
import type { PiiFilterConfig, SecretsDetectionConfig } from '../../plugins/schemas.js';
import secretsDetection from '../../plugins/secrets_detection.js';
import { CONTEXTS } from './corpus-contexts.js';
import { PII_FAMILIES } from './corpus-pii.js';
import { SECRET_FAMILIES, seeded } from './corpus-secrets.js';
import { parseConfig } from './helpers.js';

const PER_CONTEXT = 4; // planted values of each family in each context

interface Tally {
  planted: number;
  caught: number;
  benign: number;
  falsePositives: number;
  missedIn: Set<string>;
  examples: string[];
}

type Scan = (text: string) => { text: string; types: string[] };

function run(families: Array<{ type: string; plant: (r: () => number) => { text: string; label: string; secret?: string }; benign: (r: () => number) => Array<{ text: string; label: string }> }>, scan: Scan, tag: (type: string) => string) {
  const tallies = new Map<string, Tally>();
  const rand = seeded(20261201);
  for (const family of families) {
    const t: Tally = { planted: 0, caught: 0, benign: 0, falsePositives: 0, missedIn: new Set(), examples: [] };
    tallies.set(family.type, t);
    for (const [context, render] of Object.entries(CONTEXTS)) {
      for (let i = 0; i < PER_CONTEXT; i++) {
        const planted = family.plant(rand);
        const secret = planted.secret ?? planted.text;
        const out = scan(render(planted.label, planted.text));
        t.planted++;
        if (!out.text.includes(secret) && out.types.includes(family.type) && out.text.includes(tag(family.type))) t.caught++;
        else {
          t.missedIn.add(context);
          if (t.examples.length < 3) t.examples.push(`${context}: ${JSON.stringify(planted.text).slice(0, 90)} -> ${out.types.join(',') || 'nothing'}`);
        }
        for (const look of family.benign(rand)) {
          const benign = scan(render(look.label, look.text));
          t.benign++;
          if (benign.types.length > 0) {
            t.falsePositives++;
            if (t.examples.length < 6) t.examples.push(`benign ${context}: ${JSON.stringify(look.text).slice(0, 90)} -> ${benign.types.join(',')}`);
          }
        }
      }
    }
  }
  return tallies;
}

function report(title: string, tallies: Map<string, Tally>) {
  let planted = 0;
  let caught = 0;
  let benign = 0;
  let fp = 0;
  const lines = [`${title}: family, caught/planted, false positives/benign`];
  for (const [type, t] of tallies) {
    planted += t.planted;
    caught += t.caught;
    benign += t.benign;
    fp += t.falsePositives;
    lines.push(`  ${type.padEnd(22)} ${`${t.caught}/${t.planted}`.padStart(7)}  ${`${t.falsePositives}/${t.benign}`.padStart(7)}${t.missedIn.size ? `  missed in ${[...t.missedIn].join(', ')}` : ''}`);
    for (const e of t.examples) lines.push(`      ${e}`);
  }
  lines.push(`  ${'overall'.padEnd(22)} ${`${caught}/${planted}`.padStart(7)}  ${`${fp}/${benign}`.padStart(7)}  recall ${((100 * caught) / planted).toFixed(1)}%, false positives ${((100 * fp) / benign).toFixed(2)}%`);
  console.log(lines.join('\n'));
  return { recall: caught / planted, fpRate: fp / benign };
}

function assertQuality(tallies: Map<string, Tally>, totals: { recall: number; fpRate: number }) {
  assert.ok(totals.recall >= 0.98, `recall ${totals.recall} is below 98%`);
  assert.ok(totals.fpRate <= 0.01, `false positives ${totals.fpRate} are above 1% of benign values`);
  for (const [type, t] of tallies) assert.deepEqual([...t.missedIn], [], `${type} missed in some contexts: ${t.examples.join(' | ')}`);
}

describe('guardrail corpus', () => {
  it('secrets_detection finds every family in every context and leaves look-alikes alone', () => {
    const plugin = secretsDetection(parseConfig<SecretsDetectionConfig>('secrets_detection', { action: 'redact' }));
    const scan: Scan = (text) => {
      const result = plugin.tool_post_invoke({ name: 'read_file', result: text });
      const types = Object.keys((result?.metadata?.secret_types as Record<string, number> | undefined) ?? {});
      return { text: (result?.modified_payload?.result as string | undefined) ?? text, types };
    };
    const tallies = run(SECRET_FAMILIES, scan, (type) => `[REDACTED:${type}]`);
    assertQuality(tallies, report('secrets_detection', tallies));
  });

  it('pii_filter finds every type in every context (national ids switched on) and leaves look-alikes alone', () => {
    const plugin = piiFilter(parseConfig<PiiFilterConfig>('pii_filter', { strategy: 'redact', detect: { nhs_number: true, es_dni: true, aadhaar: true } }));
    const scan: Scan = (text) => {
      const result = plugin.tool_post_invoke({ name: 'lookup', result: text });
      const types = Object.keys((result?.metadata?.pii_types as Record<string, number> | undefined) ?? {});
      return { text: (result?.modified_payload?.result as string | undefined) ?? text, types };
    };
    const tallies = run(PII_FAMILIES, scan, (type) => `[REDACTED:${type.toUpperCase()}]`);
    assertQuality(tallies, report('pii_filter', tallies));
  });
});
