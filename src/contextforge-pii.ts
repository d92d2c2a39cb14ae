import { randomUUID } from 'node:crypto';
import { noEffect, same, setIn, translator, type Handler, type Out } from './contextforge-translator.js';
import { pythonPattern, pythonPatterns } from './python-syntax.js';

/**
 * ContextForge's PII filter (cpex pii-filter) as Cordon's pii_filter: its config keys, its defaults, its custom
 * patterns. Split out of contextforge-plugins.ts, which maps its class paths here.
 */

/** ContextForge's masking strategies, each Cordon's of the same name. */
const PII_MASKS = ['redact', 'partial', 'hash', 'tokenize', 'remove'];
const piiMask = (value: unknown) => (typeof value === 'string' && PII_MASKS.includes(value) ? value : undefined);
const notAMask = (key: string, value: unknown) => `${key}: ${JSON.stringify(value)} is not one of ${PII_MASKS.join(', ')}`;
/**
 * ContextForge's custom patterns: read case-insensitively, in Python's syntax; one switched off is left out; one
 * without a mask strategy takes the plugin's; under block_on_detection every finding blocks, theirs too.
 */
const piiCustomPatterns: Handler = (value, out, none, config) => {
  if (!Array.isArray(value)) return none();
  out.custom = value.flatMap((p: Record<string, unknown>, i) => {
    if (!p || typeof p !== 'object') return [p];
    if (p.enabled === false) return [];
    const { source } = typeof p.pattern === 'string' ? pythonPattern(p.pattern) : { source: p.pattern };
    const strategy = p.mask_strategy === undefined || p.mask_strategy === null ? undefined : piiMask(p.mask_strategy);
    if (p.mask_strategy != null && strategy === undefined) none(notAMask(`custom_patterns[${i}].mask_strategy`, p.mask_strategy));
    const blocks = config.block_on_detection === true;
    return [{ pattern: source, description: p.description, ignore_case: true, ...(strategy && !blocks ? { strategy } : {}) }];
  });
};
export const contextForgePiiFilter = translator(
  'pii_filter',
  // ContextForge redacts with "[REDACTED]" unless told otherwise; it hashes as [HASH:<16 hex>] with a salt of its own,
  // drawn at random when the plugin starts (its config cannot set one), so hashes join only within one gateway run
  // Every detector is on there unless switched off, the labelled ids included; an IBAN is one of its bank accounts.
  // Its bounds on a call's scan are on by default, and it records its stats after a tool call in the context.
  () => ({
    strategy: 'redact', redaction_text: '[REDACTED]', hash_label: 'HASH', hash_salt: randomUUID(), violations: 'contextforge',
    detect: { bsn: true, date_of_birth: true, passport: true, driver_license: true, medical_record: true, bank_account: true },
    type_names: { iban: 'bank_account' },
    // and its detection is wider than Cordon's own: SSN: 123456789, every MM/DD/YYYY date, License: Apache
    ssn_labelled_digits: true, any_date_of_birth: true, labelled_ids_without_digit: true,
    max_text_bytes: 10 * 1024 * 1024, max_nested_depth: 32, max_collection_items: 4096, context_stats: true, allow_match: 'contextforge',
  }),
  {
    detect_ssn: setIn('detect', 'ssn'),
    detect_credit_card: setIn('detect', 'credit_card'),
    detect_email: setIn('detect', 'email'),
    detect_phone: setIn('detect', 'phone'),
    detect_ip_address: setIn('detect', 'ip_address'),
    // ContextForge's bank accounts are IBANs (Cordon checks them by mod 97) and numbers labelled as accounts
    detect_bank_account: (value, out) => {
      out.detect = { ...(out.detect as Out), iban: value, bank_account: value };
    },
    detect_bsn: setIn('detect', 'bsn'),
    detect_date_of_birth: setIn('detect', 'date_of_birth'),
    detect_passport: setIn('detect', 'passport'),
    detect_driver_license: setIn('detect', 'driver_license'),
    detect_medical_record: setIn('detect', 'medical_record'),
    max_text_bytes: same('max_text_bytes'),
    max_nested_depth: same('max_nested_depth'),
    max_collection_items: same('max_collection_items'),
    // older ContextForge configs still write these, but the PII filter v1.0.0 installs (cpex 0.2.1) reads neither:
    // keys are secrets_detection's, there as here
    detect_aws_keys: noEffect,
    detect_api_keys: noEffect,
    default_mask_strategy: (value, out, none) => {
      const mask = piiMask(value);
      if (mask === undefined) none(notAMask('default_mask_strategy', value));
      else if (out.strategy !== 'block') out.strategy = mask;
    },
    redaction_text: same('redaction_text'),
    block_on_detection: (value, out) => {
      if (value === true) out.strategy = 'block';
    },
    custom_patterns: piiCustomPatterns,
    whitelist_patterns: (value, out) => {
      out.allow = pythonPatterns(value);
    },
    log_detections: same('log_detections'),
    include_detection_details: same('context_details'),
  },
);
