import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preInvokePayloads, SIZES, toolPostInvoke } from '../../bench/payloads.js';
import { hookSpec } from '../../src/index.js';

describe('bench payloads', () => {
  const payloads = preInvokePayloads();

  it('come within 5 % of each target size, measured as UTF-8 JSON', () => {
    assert.deepEqual(payloads.map((p) => p.label), SIZES.map((s) => s.label));
    payloads.forEach((p, i) => {
      const bytes = Buffer.byteLength(JSON.stringify(p.payload));
      assert.equal(p.bytes, bytes);
      assert.ok(Math.abs(bytes - SIZES[i]!.bytes) / SIZES[i]!.bytes < 0.05, `${p.label}: ${bytes} bytes`);
    });
  });

  it('parse with their hook schemas', () => {
    for (const p of [...payloads, toolPostInvoke('16KB', 16 * 1024)]) {
      assert.doesNotThrow(() => hookSpec(p.hook).payloadSchema.parse(p.payload), p.label);
    }
  });

  it('carry emails, URLs and phone numbers in nested text, for scanning plugins to find', () => {
    const text = JSON.stringify(payloads[1]!.payload);
    assert.ok((text.match(/[\w.]+@[\w.]+\.\w+/g) ?? []).length >= 10);
    assert.ok((text.match(/https?:\/\/\S+/g) ?? []).length >= 5);
    assert.match(text, /\+1 555-\d{3}-\d{4}/);
  });

  it('are the same bytes on every build', () => {
    assert.deepEqual(preInvokePayloads(), payloads);
  });
});
