import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ctx, useManagers } from './harness.js';

/**
 * cpex pii-filter 0.2.1's detection tests (the Rust crate's detector.rs and patterns.rs): what each type finds and
 * what it leaves, through the plugin's effect on a payload (redaction shows the span found).
 */

const managerFor = useManagers();

const ALL_OFF = {
  detect_ssn: false, detect_bsn: false, detect_credit_card: false, detect_email: false, detect_phone: false, detect_ip_address: false,
  detect_date_of_birth: false, detect_passport: false, detect_driver_license: false, detect_bank_account: false, detect_medical_record: false,
};
let n = 0;
/** A plugin with `config` (on ContextForge's defaults: every type on) that redacts each text it is given. */
async function redactor(config: Record<string, unknown>) {
  const manager = await managerFor(`pii-detect-${n++}`, `
plugins:
  - name: "PII"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    config: ${JSON.stringify(config)}
`);
  return async (text: string) => {
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 't', args: { text } }, ctx);
    const out = result.modified_payload as { args: { text: string } } | null | undefined;
    return { text: out?.args.text ?? text, types: (result.metadata as { pii_types?: Record<string, number> }).pii_types ?? {} };
  };
}

describe('PIIFilterPlugin detection, type by type', () => {
  it('finds SSNs dashed anywhere and bare behind their label, never structurally impossible ones nor bare digits unlabelled', async () => {
    const scan = await redactor({ ...ALL_OFF, detect_ssn: true });
    assert.deepEqual(await scan('My SSN is 512-44-7391'), { text: 'My SSN is [REDACTED]', types: { ssn: 1 } });
    assert.deepEqual(await scan('512-44-7391'), { text: '[REDACTED]', types: { ssn: 1 } });
    assert.deepEqual(await scan('SSN: 512447391'), { text: '[REDACTED]', types: { ssn: 1 } });
    // areas 656 to 699 (but 666) are real
    assert.deepEqual(await scan('SSN: 667-12-3456'), { text: 'SSN: [REDACTED]', types: { ssn: 1 } });
    for (const text of ['SSN 000-12-3456', 'SSN 666-12-3456', 'SSN 901-12-3456', 'SSN 123-00-4567', 'SSN 123-45-0000', 'SSN: 000-12-3456', 'Reference number 512447391']) {
      assert.deepEqual(await scan(text), { text, types: {} }, text);
    }
  });

  it('finds one item, not several, where types overlap (with every type on)', async () => {
    const scan = await redactor({});
    assert.deepEqual(await scan('512-44-7391'), { text: '[REDACTED]', types: { ssn: 1 } });
  });

  it('finds card numbers that pass Luhn within a brand\'s range, however grouped (Amex, Visa, Maestro, UnionPay)', async () => {
    const scan = await redactor({ ...ALL_OFF, detect_credit_card: true });
    for (const card of ['3782 822463 10005', '4111-1111-1111-1111', '6759649826438453', '6200000000000005']) {
      assert.deepEqual(await scan(`Card ${card}`), { text: 'Card [REDACTED]', types: { credit_card: 1 } }, card);
    }
    for (const text of ['Card 4111-1111-1111-1112', 'Card 0000-0000-0000-0000']) assert.deepEqual(await scan(text), { text, types: {} }, text);
  });

  it('finds emails, leaving whitelisted ones (matched anywhere in the value, in any case) and failing card numbers alone', async () => {
    const scan = await redactor({ ...ALL_OFF, detect_email: true });
    assert.deepEqual(await scan('Contact: john.doe@mail.example'), { text: 'Contact: [REDACTED]', types: { email: 1 } });
    const listed = await redactor({ detect_credit_card: true, detect_email: true, whitelist_patterns: [String.raw`test@mail\.example`] });
    assert.deepEqual(await listed('Email1: test@mail.example, Email2: john@mail.example, Card 4111-1111-1111-1112'),
      { text: 'Email1: test@mail.example, Email2: [REDACTED], Card 4111-1111-1111-1112', types: { email: 1 } });
    const text = 'Email test@mail.example Card 4111-1111-1111-1112';
    assert.deepEqual(await listed(text), { text, types: {} });
    // a whitelist pattern matches anywhere in a found value, in any case, as there
    const domain = await redactor({ ...ALL_OFF, detect_email: true, whitelist_patterns: [String.raw`@corp\.example$`] });
    assert.deepEqual(await domain('Ann@CORP.example, ann@corp.example.net'), { text: 'Ann@CORP.example, [REDACTED]', types: { email: 1 } });
  });

  it('finds phone numbers, US-written and +-prefixed international', async () => {
    const scan = await redactor({ ...ALL_OFF, detect_phone: true });
    assert.deepEqual(await scan('+353871234567'), { text: '[REDACTED]', types: { phone: 1 } });
    assert.deepEqual(await scan('Phone 555-123-4567'), { text: 'Phone [REDACTED]', types: { phone: 1 } });
  });

  it('finds bank accounts and passports only behind their label, label and all, and a labelled BSN as a BSN', async () => {
    const accounts = await redactor({ ...ALL_OFF, detect_bank_account: true });
    assert.deepEqual(await accounts('Timestamp 20250324123045'), { text: 'Timestamp 20250324123045', types: {} });
    assert.deepEqual(await accounts('Account: 123456789'), { text: '[REDACTED]', types: { bank_account: 1 } });
    const passports = await redactor({ ...ALL_OFF, detect_passport: true });
    assert.deepEqual(await passports('Employee ID AB123456'), { text: 'Employee ID AB123456', types: {} });
    assert.deepEqual(await passports('Passport Number: AB123456'), { text: '[REDACTED]', types: { passport: 1 } });
    const bsn = await redactor({ ...ALL_OFF, detect_ssn: true, detect_bsn: true });
    assert.deepEqual(await bsn('Customer record: BSN: 204118736'), { text: 'Customer record: [REDACTED]', types: { bsn: 1 } });
  });

  it('masks every built-in type with default_mask_strategy: redact with its text, hash, partial', async () => {
    const text = 'SSN 512-44-7391 Email john@mail.example Phone 555-123-4567 Card 4111-1111-1111-1111 IP 192.168.1.1';
    const redacted = await redactor({ detect_phone: false, detect_ip_address: false, redaction_text: '[PII_REDACTED]' });
    assert.deepEqual(await redacted('SSN: 512-44-7391 Email: john@mail.example'), { text: 'SSN: [PII_REDACTED] Email: [PII_REDACTED]', types: { ssn: 1, email: 1 } });
    const hashed = await redactor({ default_mask_strategy: 'hash' });
    const h = '\\[HASH:[0-9a-f]{16}\\]';
    const out = await hashed(text);
    assert.match(out.text, new RegExp(`^SSN ${h} Email ${h} Phone ${h} Card ${h} IP ${h}$`));
    assert.deepEqual(out.types, { ssn: 1, email: 1, phone: 1, credit_card: 1, ip_address: 1 });
    const partial = await redactor({ ...ALL_OFF, detect_ssn: true, detect_email: true, default_mask_strategy: 'partial' });
    assert.deepEqual(await partial('SSN: 512-44-7391 Email: john@mail.example'), { text: 'SSN: ***-**-7391 Email: j***n@mail.example', types: { ssn: 1, email: 1 } });
  });

  it('loads and finds nothing with every detect_ flag off', async () => {
    const scan = await redactor(ALL_OFF);
    const text = 'SSN 512-44-7391, john@mail.example, 192.168.1.1, Passport Number: AB123456';
    assert.deepEqual(await scan(text), { text, types: {} });
  });
});
