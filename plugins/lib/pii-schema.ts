import { z } from 'zod';
import { list, on, regexSource, Violations } from './schema-parts.js';

/** pii_filter's config schema (split out of plugins/schemas.ts, which re-exports it). */

export const PII_TYPES = [
  'email', 'phone', 'ssn', 'credit_card', 'ip_address', 'iban', 'nhs_number', 'es_dni', 'aadhaar',
  'bsn', 'date_of_birth', 'passport', 'driver_license', 'medical_record', 'bank_account', 'custom',
] as const;
export type PiiType = (typeof PII_TYPES)[number];
/**
 * `partial`: ContextForge's partial masking (***-**-6789, ****-****-****-1111, j***e@example.com, ***-***-0132);
 * `tokenize`: a token per occurrence ([TOKEN:<8 hex>]) that says nothing of the value, not even that two were equal;
 * `remove`: nothing in its place
 */
const PiiStrategy = z.enum(['mask', 'partial', 'redact', 'hash', 'tokenize', 'remove', 'block']);
export type PiiStrategy = z.infer<typeof PiiStrategy>;

/**
 * A pattern of one's own. Its size is bounded as ContextForge bounds it (a config is read by people; a long
 * alternation is a word list, which deny_filter takes better).
 */
const CustomPattern = z.strictObject({
  pattern: regexSource().superRefine((source, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (source.trim() === '') fail('must not be blank');
    if (source.length > 256) fail('must be at most 256 characters');
    if (source.split('|').length - 1 > 16) fail('has too many alternations (max 16)');
    if ((source.match(/[*+?{]/g) ?? []).length > 24) fail('has too many quantifiers (max 24)');
  }),
  description: z.string().min(1),
  /** absent: the plugin's `strategy` (or `strategy_by_type.custom`) */
  strategy: PiiStrategy.optional(),
  ignore_case: z.boolean().default(false),
});
export type PiiCustomPattern = z.infer<typeof CustomPattern>;

/** A bound on what one call may make the plugin scan; absent: none beyond the runtime's payload limit. */
const bound = (max: number) => z.number().int().min(1).max(max).optional();

export const PiiFilterSchema = z.strictObject({
  strategy: PiiStrategy.default('mask'),
  strategy_by_type: z.partialRecord(z.enum(PII_TYPES), PiiStrategy).default(() => ({})),
  detect: z
    .strictObject({
      email: on, phone: on, ssn: on, credit_card: on, ip_address: on, iban: on,
      // national ids with public checksums: off unless switched on (absent = off)
      nhs_number: z.boolean().optional(), es_dni: z.boolean().optional(), aadhaar: z.boolean().optional(),
      // ids found only behind their label (ContextForge's, on by default there): off unless switched on
      bsn: z.boolean().optional(), date_of_birth: z.boolean().optional(), passport: z.boolean().optional(),
      driver_license: z.boolean().optional(), medical_record: z.boolean().optional(), bank_account: z.boolean().optional(),
    })
    .prefault({}),
  /** found as type `custom`, after every built-in type has claimed its text */
  custom: list(CustomPattern),
  redaction_text: z.string().default('[REDACTED:{type}]'),
  mask_char: z.string().length(1).default('*'),
  hash_salt: z.string().default(''),
  /** one label for every hash instead of the type's: `HASH` gives ContextForge's [HASH:<16 hex>] */
  hash_label: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be upper case letters, digits and _').optional(),
  /** names reports give types instead of Cordon's (`iban` -> ContextForge's `bank_account`) */
  type_names: z.partialRecord(z.enum(PII_TYPES), z.string().min(1)).default(() => ({})),
  allow: list(regexSource()),
  /** `whole`: an `allow` pattern must match a found value whole, in case as written; `contextforge`: anywhere in it,
   * in any case, as ContextForge's whitelist_patterns match */
  allow_match: z.enum(['whole', 'contextforge']).default('whole'),
  /** ContextForge's wider detection, off by default: `SSN: 123456789`, any MM/DD/YYYY date (19xx, 20xx) as a date
   * of birth, a labelled passport, licence or record number of letters only (`License: Apache`) */
  ssn_labelled_digits: z.boolean().default(false),
  any_date_of_birth: z.boolean().default(false),
  labelled_ids_without_digit: z.boolean().default(false),
  /** ISO 3166 regions whose national written forms count as phone numbers (absent: US, CA, GB, DE, FR, IN, AU, JP, BR) */
  phone_regions: z.array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 region like GB')).optional(),
  /**
   * A call over one of these bounds fails (the plugin's on_error decides what that costs): a string's UTF-8 bytes,
   * how deep containers nest below a scanned field, how many items one container holds. ContextForge's limits.
   */
  max_text_bytes: bound(100 * 1024 * 1024),
  max_nested_depth: bound(1000),
  max_collection_items: bound(1_000_000),
  /** logs each scan that found something (info when masked, warn when blocked), as ContextForge's log_detections does */
  log_detections: z.boolean().default(false),
  /** writes `pii_detections.<hook>` ({detected, types, total_count}) in the plugin's context metadata, as ContextForge does */
  context_details: z.boolean().default(false),
  /** writes `pii_filter_stats` ({total_detections, total_masked}) there after a tool call it masked, as ContextForge does */
  context_stats: z.boolean().default(false),
  violations: Violations,
});
export type PiiFilterConfig = z.infer<typeof PiiFilterSchema>;
