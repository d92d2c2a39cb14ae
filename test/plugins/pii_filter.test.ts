import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import piiFilter from '../../plugins/pii_filter.js';
import type { PiiFilterConfig } from '../../plugins/schemas.js';
import { assertIssueAt, configErrors, parseConfig } from './helpers.js';

const build = (config: unknown = {}) => piiFilter(parseConfig<PiiFilterConfig>('pii_filter', config));

/** FNV-1a 32 over bytes, written independently of the plugin; the plugin hashes UTF-16 units, equal for ASCII. */
function fnv1a32(text: string, basis: number): string {
  let hash = BigInt(basis);
  for (const byte of Buffer.from(text, 'latin1')) hash = ((hash ^ BigInt(byte)) * 16777619n) % 2n ** 32n;
  return hash.toString(16).padStart(8, '0');
}

describe('pii_filter', () => {
  it('masks every kind of PII in nested tool args and counts them', () => {
    const result = build().tool_pre_invoke({
      name: 'send_email',
      args: {
        to: 'dana.whitfield@example.com',
        body: 'Card 4111 1111 1111 1111, SSN 078-05-1120, call +1 415 555 0132.',
        meta: { client_ip: '203.0.113.24', server: '2001:db8::8a2e:370:7334', refs: ['IBAN DE89 3704 0044 0532 0130 00'] },
        count: 3,
      },
    });
    assert.deepEqual(result, {
      modified_payload: {
        name: 'send_email',
        args: {
          to: 'd*************@example.com',
          body: 'Card **** **** **** 1111, SSN ***-**-1120, call +* *** *** 0132.',
          meta: { client_ip: '203.*.*.*', server: '2001:*::*:*:*', refs: ['IBAN **** **** **** **** **30 00'] },
          count: 3,
        },
      },
      metadata: {
        pii_found: 7,
        pii_types: { email: 1, credit_card: 1, ssn: 1, phone: 1, ip_address: 2, iban: 1 },
      },
    });
  });

  it('leaves look-alikes alone: a failed Luhn or IBAN check, ids, versions, times, C++ scopes', () => {
    const text = 'card 4111 1111 1111 1112, IBAN DE88 3704 0044 0532 0130 00, ts 1700000000, '
      + 'v1.2.3.4.5, at 12:30:45, std::vector, order 2024-01-15';
    assert.equal(build().tool_pre_invoke({ name: 't', args: { text } }), undefined);
  });

  it('redacts with the configured text, naming the type', () => {
    const result = build({ strategy: 'redact', redaction_text: '<{type}>' }).tool_post_invoke({
      name: 'lookup_customer',
      result: { content: [{ type: 'text', text: 'Owner: ops@example.com, phone (415) 555-0132, office 020 7946 0018' }], isError: false },
    });
    assert.deepEqual(result?.modified_payload, {
      name: 'lookup_customer',
      result: { content: [{ type: 'text', text: 'Owner: <EMAIL>, phone <PHONE>, office <PHONE>' }], isError: false },
    });
  });

  it('hashes with two seeded FNV-1a passes, so equal values give equal labels and the salt changes them', () => {
    assert.equal(fnv1a32('foobar', 0x811c9dc5), 'bf9cf968'); // the published FNV-1a test vector
    const email = 'li.wei@example.org';
    const hashOf = (salt: string) => {
      const out = build({ strategy: 'hash', hash_salt: salt }).prompt_pre_fetch({ prompt_id: 'p', args: { a: email, b: `cc ${email}` } });
      return out?.modified_payload?.args as Record<string, string>;
    };
    const plain = hashOf('');
    assert.equal(plain.a, `[EMAIL:${fnv1a32(email, 0x811c9dc5)}${fnv1a32(email, 0x050c5d1f)}]`);
    assert.equal(plain.b, `cc ${plain.a}`);
    const salted = hashOf('pepper');
    assert.equal(salted.a, `[EMAIL:${fnv1a32(`pepper${email}`, 0x811c9dc5)}${fnv1a32(`${email}pepper`, 0x050c5d1f)}]`);
    assert.notEqual(salted.a, plain.a);
  });

  it('blocks when a found type has the block strategy, without echoing the data', () => {
    const result = build({ strategy_by_type: { ssn: 'block' } }).tool_pre_invoke({
      name: 'file_taxes',
      args: { email: 'a.b@example.com', ssn: '078-05-1120' },
    });
    assert.deepEqual(result, {
      continue_processing: false,
      violation: {
        reason: 'Personal data detected',
        description: 'Found 2 item(s) of personal data: email, ssn',
        code: 'PII_DETECTED',
        details: { types: { email: 1, ssn: 1 } },
      },
      metadata: { pii_found: 2, pii_types: { email: 1, ssn: 1 } },
    });
    assert.doesNotMatch(JSON.stringify(result), /078-05-1120|a\.b@/);
  });

  it('masks message content of prompt results but keeps role and type', () => {
    const result = build().prompt_post_fetch({
      prompt_id: 'summarize_ticket',
      result: {
        messages: [
          { role: 'user', content: { type: 'text', text: 'Ticket from li.wei@example.org, card 5500 0000 0000 0004' } },
          { role: 'assistant', content: { type: 'text', text: 'Noted.' } },
        ],
      },
    });
    assert.deepEqual(result?.modified_payload, {
      prompt_id: 'summarize_ticket',
      result: {
        messages: [
          { role: 'user', content: { type: 'text', text: 'Ticket from l*****@example.org, card **** **** **** 0004' } },
          { role: 'assistant', content: { type: 'text', text: 'Noted.' } },
        ],
      },
    });
  });

  it('scans agent messages and tool calls without adding absent fields', () => {
    const result = build().agent_post_invoke({
      agent_id: 'support-triage',
      messages: [{ role: 'assistant', content: 'Refund sent to GB82WEST12345698765432.' }],
      tool_calls: [{ id: 'call_1', name: 'send_email', arguments: { to: 'maria.garcia@example.com' } }],
    });
    assert.deepEqual(result?.modified_payload, {
      agent_id: 'support-triage',
      messages: [{ role: 'assistant', content: 'Refund sent to ******************5432.' }],
      tool_calls: [{ id: 'call_1', name: 'send_email', arguments: { to: 'm***********@example.com' } }],
    });
  });

  it('skips allowed values and disabled detectors', () => {
    const plugin = build({ allow: ['noreply@example\\.com'], detect: { ip_address: false } });
    const result = plugin.resource_post_fetch({ uri: 'file:///log', content: 'from noreply@example.com to bo@example.com via 10.0.0.1' });
    assert.deepEqual(result?.modified_payload, { uri: 'file:///log', content: 'from noreply@example.com to b*@example.com via 10.0.0.1' });
    assert.equal(plugin.resource_post_fetch({ uri: 'file:///log', content: 'host 10.0.0.1' }), undefined);
  });

  it('finds custom patterns as type custom in what the built-in types left, each with its own strategy or the plugin\'s', () => {
    const plugin = build({
      strategy: 'remove',
      custom: [
        { pattern: 'EMP\\d{6}', description: 'employee id', strategy: 'tokenize' },
        { pattern: 'ticket-\\d+', description: 'ticket', ignore_case: true },
        { pattern: '078', description: 'inside an SSN', strategy: 'redact' },
      ],
    });
    const result = plugin.tool_pre_invoke({ name: 't', args: { a: 'EMP123456 and TICKET-42, SSN 078-05-1120.' } });
    assert.match(String((result?.modified_payload?.args as { a: string }).a), /^\[TOKEN:[0-9a-f]{8}\] and , SSN \.$/);
    assert.deepEqual(result?.metadata, { pii_found: 3, pii_types: { ssn: 1, custom: 2 } });
    assertIssueAt(configErrors('pii_filter', { custom: [{ pattern: '(a|b)'.repeat(17), description: 'x' }] }), 'custom.0.pattern', /too many alternations/);
  });

  it('fails a call over a bound it is given, before scanning, and has none unless given one', () => {
    const args = { a: { b: { c: 'x@mail.example' } }, list: [1, 2, 3] };
    assert.throws(() => build({ max_nested_depth: 1 }).tool_pre_invoke({ name: 't', args }), /Nested data exceeds maximum depth of 1/);
    assert.throws(() => build({ max_collection_items: 2 }).tool_pre_invoke({ name: 't', args }), /Nested list exceeds maximum size of 2 items/);
    assert.throws(() => build({ max_text_bytes: 13 }).tool_pre_invoke({ name: 't', args }), /maximum supported size of 13 bytes/);
    assert.ok(build().tool_pre_invoke({ name: 't', args })?.modified_payload);
  });

  it('fills every default', () => {
    assert.deepEqual(parseConfig('pii_filter', {}), {
      strategy: 'mask',
      strategy_by_type: {},
      detect: { email: true, phone: true, ssn: true, credit_card: true, ip_address: true, iban: true },
      custom: [],
      allow_match: 'whole',
      redaction_text: '[REDACTED:{type}]',
      mask_char: '*',
      hash_salt: '',
      type_names: {},
      allow: [],
      ssn_labelled_digits: false,
      any_date_of_birth: false,
      labelled_ids_without_digit: false,
      log_detections: false,
      context_details: false,
      context_stats: false,
      violations: 'cordon',
    });
  });

  it('finds labelled ids (passport, licence, record, account, BSN, date of birth) only when switched on, label and all', () => {
    const args = { a: 'Passport No: NX4417203', b: 'DOB 07/04/1982', c: 'Acct #7702913355', d: 'a date: 07/04/1982' };
    assert.equal(build({ strategy: 'redact' }).tool_pre_invoke({ name: 't', args }), undefined);
    const on = build({
      strategy: 'redact',
      detect: { passport: true, date_of_birth: true, bank_account: true },
      type_names: { bank_account: 'account' },
    }).tool_pre_invoke({ name: 't', args });
    assert.deepEqual(on, {
      modified_payload: { name: 't', args: { a: '[REDACTED:PASSPORT]', b: '[REDACTED:DATE_OF_BIRTH]', c: '[REDACTED:BANK_ACCOUNT]', d: 'a date: 07/04/1982' } },
      metadata: { pii_found: 3, pii_types: { passport: 1, date_of_birth: 1, account: 1 } },
    });
  });

  it("widens detection only when asked: labelled bare-digit SSNs, any MM/DD/YYYY date, ids of letters only", () => {
    const args = { a: 'SSN: 512447391', b: 'shipped 03/18/2024', c: 'License: Apache', d: 'ssn 000447391' };
    const detect = { date_of_birth: true, driver_license: true };
    assert.equal(build({ strategy: 'redact', detect }).tool_pre_invoke({ name: 't', args }), undefined);
    const wide = build({ strategy: 'redact', detect, ssn_labelled_digits: true, any_date_of_birth: true, labelled_ids_without_digit: true });
    assert.deepEqual(wide.tool_pre_invoke({ name: 't', args })?.modified_payload, {
      name: 't',
      args: { a: '[REDACTED:SSN]', b: 'shipped [REDACTED:DATE_OF_BIRTH]', c: '[REDACTED:DRIVER_LICENSE]', d: 'ssn 000447391' },
    });
  });

  it('rejects a bad config naming the field', () => {
    assertIssueAt(configErrors('pii_filter', { strategy: 'scramble' }), 'strategy');
    assertIssueAt(configErrors('pii_filter', { strategy_by_type: { ssn: 'shred' } }), 'strategy_by_type.ssn');
    assertIssueAt(configErrors('pii_filter', { detect: { emails: true } }), 'detect', /emails/);
    assertIssueAt(configErrors('pii_filter', { mask_char: '**' }), 'mask_char');
    assertIssueAt(configErrors('pii_filter', { allow: ['ok', '(unclosed'] }), 'allow.1', /invalid regular expression/);
  });
});
