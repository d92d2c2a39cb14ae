import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ctx, message, useManagers } from './harness.js';

/** cpex pii-filter 0.2.1's tests (plugins/tests/pii_filter and the Rust crate's). */

const managerFor = useManagers();

describe('PIIFilterPlugin, as ContextForge configures it', () => {
  it('redacts with its redaction_text, keeps whitelisted values, and blocks when block_on_detection', async () => {
    const manager = await managerFor('pii', `
plugins:
  - name: "PII"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    mode: "enforce"
    config:
      detect_email: true
      detect_phone: false
      default_mask_strategy: "redact"
      redaction_text: "[PII_GONE]"
      block_on_detection: false
      log_detections: true
      whitelist_patterns: ["helpdesk@corp\\\\.example"]
  - name: "PIIBlock"
    kind: "plugins.pii_filter.pii_filter.PIIFilterPlugin"
    hooks: ["prompt_pre_fetch"]
    config: { block_on_detection: true }
`);
    const { result } = await manager.invokeHook('tool_pre_invoke',
      { name: 'mail', args: { to: 'dana.k@mail.example', cc: 'helpdesk@corp.example' } }, ctx);
    assert.deepEqual(result.modified_payload, { name: 'mail', args: { to: '[PII_GONE]', cc: 'helpdesk@corp.example' } });
    const blocked = (await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'p', args: { who: 'dana.k@mail.example' } }, ctx)).result;
    assert.equal(blocked.continue_processing, false);
    assert.deepEqual([blocked.violation?.reason, blocked.violation?.code], ['PII detected in prompt arguments', 'PII_DETECTED']);
  });

  it("masks with ContextForge's partial format, type by type", async () => {
    const manager = await managerFor('pii-partial', `
plugins:
  - name: "PIIPartial"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_post_invoke"]
    mode: "enforce"
    config:
      detect_ssn: true
      detect_credit_card: true
      detect_email: true
      detect_phone: true
      detect_ip_address: true
      detect_bsn: false
      detect_date_of_birth: false
      detect_passport: false
      detect_driver_license: false
      detect_medical_record: false
      default_mask_strategy: "partial"
      redaction_text: "[PII_REDACTED]"
      block_on_detection: false
      log_detections: true
      include_detection_details: true
`);
    const { result } = await manager.invokeHook('tool_post_invoke', {
      name: 'crm',
      result: {
        owner: 'maria.lopez@mail.example', short: 'bo@x.example', ssn: 'SSN 512-44-7391 on file',
        card: '5500 0000 0000 0004', phone: 'call (415) 555-0132', host: '10.20.30.40',
      },
    }, ctx);
    assert.deepEqual(result.modified_payload, {
      name: 'crm',
      result: {
        owner: 'm***z@mail.example', short: '***@x.example', ssn: 'SSN ***-**-7391 on file',
        card: '****-****-****-0004', phone: 'call ***-***-0132', host: '1*********0',
      },
    });
  });

  it('hash writes [HASH:<16 hex>], the same for the same value within a run', async () => {
    const manager = await managerFor('pii-hash', `
plugins:
  - name: "PIIHash"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    config: { default_mask_strategy: "hash", detect_email: true, detect_ssn: true }
`);
    const { result } = await manager.invokeHook('tool_pre_invoke',
      { name: 'mail', args: { a: 'dana.k@mail.example', b: 'dana.k@mail.example', c: 'lee.p@mail.example', d: 'SSN 512-44-7391' } }, ctx);
    const args = (result.modified_payload as { args: Record<string, string> }).args;
    for (const value of [args.a, args.b, args.c]) assert.match(value!, /^\[HASH:[0-9a-f]{16}\]$/);
    assert.match(args.d!, /^SSN \[HASH:[0-9a-f]{16}\]$/);
    assert.equal(args.a, args.b);
    assert.notEqual(args.a, args.c);
  });

  it("remove leaves nothing in place of what it finds, whatever redaction_text says", async () => {
    const manager = await managerFor('pii-remove', `
plugins:
  - name: "PIIRemove"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    config: { default_mask_strategy: "remove", redaction_text: "[GONE]" }
`);
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'mail', args: { to: 'write to dana.k@mail.example today' } }, ctx);
    assert.deepEqual(result.modified_payload, { name: 'mail', args: { to: 'write to  today' } });
  });

  it('blocks with the reason and code ContextForge gives for each hook, counting the types found', async () => {
    const manager = await managerFor('pii-block-hooks', `
plugins:
  - name: "PIIStrict"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["prompt_pre_fetch", "prompt_post_fetch", "tool_pre_invoke", "tool_post_invoke"]
    config: { block_on_detection: true }
`);
    const who = 'reach ann.b@mail.example or 512-44-7391';
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['prompt_pre_fetch', { prompt_id: 'p', args: { who } }, 'PII detected in prompt arguments', 'PII_DETECTED'],
      ['prompt_post_fetch', { prompt_id: 'p', result: { messages: [message(who)] } }, 'PII detected in prompt messages', 'PII_DETECTED_IN_PROMPT_RESULT'],
      ['tool_pre_invoke', { name: 't', args: { who } }, 'PII detected in tool arguments', 'PII_DETECTED_IN_TOOL_ARGS'],
      ['tool_post_invoke', { name: 't', result: { who } }, 'PII detected in tool result', 'PII_DETECTED_IN_TOOL_RESULT'],
    ];
    for (const [hook, payload, reason, code] of cases) {
      const { result } = await manager.invokeHook(hook as 'tool_pre_invoke', payload as { name: string; args: Record<string, unknown> }, ctx);
      assert.equal(result.continue_processing, false, hook);
      assert.deepEqual([result.violation?.reason, result.violation?.code], [reason, code], hook);
      assert.deepEqual(result.violation?.details, { detected_types: ['email', 'ssn'], count: 2 }, hook);
    }
  });

  it('finds the ids its defaults switch on behind their labels, label and all, and only there', async () => {
    const manager = await managerFor('pii-labelled', `
plugins:
  - name: "PIIDefaults"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    mode: "enforce"
    config:
      default_mask_strategy: "redact"
      block_on_detection: false
  - name: "PIIPartialDefaults"
    kind: "plugins.pii_filter.pii_filter.PIIFilterPlugin"
    hooks: ["tool_post_invoke"]
    config: { default_mask_strategy: "partial" }
`);
    const found = {
      dob: 'Patient DOB: 07/04/1982, admitted',
      born: 'she was born on 11/30/1979 in Utrecht',
      passport: 'Passport Number: NX4417203',
      licence: "Driver's License: K5520193",
      mrn: 'MRN: 00451877',
      bsn: 'BSN: 204118736',
      account: 'wire to Account: 7702913355',
      iban: 'IBAN NL91ABNA0417164300',
    };
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'intake', args: found }, ctx);
    assert.deepEqual(result.modified_payload, {
      name: 'intake',
      args: {
        dob: 'Patient [REDACTED], admitted',
        born: 'she was born on [REDACTED] in Utrecht',
        passport: '[REDACTED]',
        licence: '[REDACTED]',
        mrn: '[REDACTED]',
        bsn: '[REDACTED]',
        account: 'wire to [REDACTED]',
        iban: 'IBAN [REDACTED]',
      },
    });
    // an IBAN is one of ContextForge's bank accounts
    assert.deepEqual(result.metadata, {
      pii_found: 8,
      pii_types: { date_of_birth: 2, passport: 1, driver_license: 1, medical_record: 1, bsn: 1, bank_account: 2 },
    });
    const partial = (await manager.invokeHook('tool_post_invoke', { name: 'intake', result: found }, ctx)).result;
    assert.deepEqual(partial.modified_payload, {
      name: 'intake',
      result: {
        dob: 'Patient D*************2, admitted',
        born: 'she was born on 1********9 in Utrecht',
        passport: `P${'*'.repeat(24)}3`,
        licence: `D${'*'.repeat(24)}3`,
        mrn: 'M***********7',
        bsn: '*****8736',
        account: `wire to Ac${'*'.repeat(13)}3355`,
        iban: `IBAN NL${'*'.repeat(12)}4300`,
      },
    });
    // (ContextForge's partial keeps a value's first and last character, the label's first letter here; a BSN's last
    // four behind five stars; a bank account's first two and last four, label and all)
    // the same ids without their label are left alone
    const alone = { ids: 'order 77029133, ticket 204118736, ref NX4417203', short: 'MRN: 12345, DL 1234' };
    const plain = (await manager.invokeHook('tool_pre_invoke', { name: 'intake', args: alone }, ctx)).result;
    assert.equal(plain.modified_payload ?? null, null);
  });

  it('finds what its wider patterns find: an SSN without separators behind its label, any MM/DD/YYYY date, ids of letters', async () => {
    const manager = await managerFor('pii-wide', `
plugins:
  - name: "PIIWide"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    config:
      detect_ssn: true
      detect_bsn: false
      detect_phone: false
      detect_bank_account: false
      default_mask_strategy: "redact"
  - name: "PIIWidePartial"
    kind: "plugins.pii_filter.pii_filter.PIIFilterPlugin"
    hooks: ["tool_post_invoke"]
    config: { default_mask_strategy: "partial", detect_phone: false }
`);
    const text = {
      ssn: 'SSN: 512447391',
      social: 'Social Security Number 512447391 on file',
      date: 'the release of 07/04/2025',
      words: 'License: Apache, Passport: expired, MRN: pending',
      // invalid SSNs stay invalid, and other years are not dates of birth
      invalid: 'SSN: 000447391, SSN 666123456, SSN: 912447391, in 07/04/1875',
    };
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'intake', args: text }, ctx);
    assert.deepEqual(result.modified_payload, {
      name: 'intake',
      args: {
        ssn: '[REDACTED]',
        social: '[REDACTED] on file',
        date: 'the release of [REDACTED]',
        words: '[REDACTED], [REDACTED], [REDACTED]',
        invalid: text.invalid,
      },
    });
    assert.deepEqual(result.metadata, { pii_found: 6, pii_types: { ssn: 2, date_of_birth: 1, driver_license: 1, passport: 1, medical_record: 1 } });
    const partial = (await manager.invokeHook('tool_post_invoke', { name: 'intake', result: { ssn: text.ssn, date: text.date } }, ctx)).result;
    assert.deepEqual(partial.modified_payload, { name: 'intake', result: { ssn: '***-**-7391', date: 'the release of 0********5' } });
  });

  it('names the types it found in a block as ContextForge does, and a detector switched off finds nothing', async () => {
    const manager = await managerFor('pii-labelled-block', `
plugins:
  - name: "PIIBlockAll"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    config: { block_on_detection: true }
  - name: "PIINoBirthDates"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_post_invoke"]
    config:
      block_on_detection: true
      detect_date_of_birth: false
      detect_bank_account: false
`);
    const args = { note: 'Citizen Service Number 204118736, MRN: 00451877, IBAN NL91ABNA0417164300' };
    const blocked = (await manager.invokeHook('tool_pre_invoke', { name: 'intake', args }, ctx)).result;
    assert.equal(blocked.continue_processing, false);
    assert.deepEqual(blocked.violation?.details, { detected_types: ['bank_account', 'bsn', 'medical_record'], count: 3 });
    const off = (await manager.invokeHook('tool_post_invoke',
      { name: 'intake', result: { note: 'DOB: 07/04/1982, Account: 7702913355, IBAN NL91ABNA0417164300' } }, ctx)).result;
    assert.equal(off.continue_processing, true);
    assert.equal(off.modified_payload ?? null, null);
  });

});
