import { findEmails } from './lib/emails.js';
import { claim, replaceFindings, type Finding } from './lib/findings.js';
import { rewriteFields, textHooks, type TextHook } from './lib/hooks.js';
import { checkBounds, hasBounds } from './lib/pii-bounds.js';
import { piiDetectors, type PiiDetector } from './lib/pii-detectors.js';
import { replacer } from './lib/pii-masks.js';
import { mapStrings } from './lib/strings.js';
import type { HookResult, Payload, PiiFilterConfig, PiiStrategy, PiiType, PluginContext } from './schemas.js';

/**
 * Finds personal data (emails, phone numbers, cards, IBANs, IP addresses, US SSNs and, when switched on, UK NHS
 * numbers, Spanish DNI/NIE, Indian Aadhaar numbers and the ids found behind their label: Dutch BSNs, dates of birth,
 * passport, driver's licence, medical record and bank account numbers) in the text of a payload and masks, redacts, hashes it, or
 * blocks the request. Each type is confirmed by its own check (Luhn and brand ranges, mod 97 and the country's
 * length, the country's phone plan, the id's check digit), so ids that only look alike pass untouched. Patterns of
 * one's own (`custom`) find type `custom` in what the built-in types left.
 */

// Types whose switch is absent from `detect` default to these (national ids are opt-in).
const DEFAULT_ON: Record<PiiType, boolean> = {
  email: true, phone: true, ssn: true, credit_card: true, ip_address: true, iban: true,
  nhs_number: false, es_dni: false, aadhaar: false,
  bsn: false, date_of_birth: false, passport: false, driver_license: false, medical_record: false, bank_account: false,
  custom: true,
};

/** A custom pattern may name its own strategy; its findings carry it. */
type Detector = PiiDetector<PiiType> & { strategy?: PiiStrategy };
type PiiFinding = Finding<PiiType> & { strategy?: PiiStrategy };

/**
 * Emails first, then each detector in order: an earlier type claims its text first, so the digits of an IBAN are
 * never also read as a card number, nor a card number as a phone number. A detector's own matches never overlap, so
 * each is checked only against earlier claims.
 */
function find(text: string, detectors: readonly Detector[], emails: boolean, allow: readonly RegExp[]): PiiFinding[] {
  const allowed = (value: string) => allow.some((re) => re.test(value));
  let found: PiiFinding[] = [];
  if (emails) {
    for (const [start, end] of findEmails(text)) if (!allowed(text.slice(start, end))) found.push({ type: 'email', start, end });
  }
  for (const { type, pattern, valid, strategy } of detectors) {
    const mine: PiiFinding[] = [];
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      const value = m[0];
      // a custom pattern may match nothing at some place (a lookahead): step past it
      if (value === '') pattern.lastIndex++;
      if (value === '' || (valid && !valid(value, text, m.index)) || allowed(value)) continue;
      mine.push({ type, start: m.index, end: m.index + value.length, ...(strategy ? { strategy } : {}) });
    }
    found = claim(found, mine);
  }
  return found;
}

/** ContextForge's violation for each hook it scans (its reason, description and code differ by hook). */
const CONTEXTFORGE_VIOLATIONS: Partial<Record<TextHook, [reason: string, description: string, code: string]>> = {
  prompt_pre_fetch: ['PII detected in prompt arguments', 'Sensitive information detected in prompt arguments', 'PII_DETECTED'],
  prompt_post_fetch: ['PII detected in prompt messages', 'Sensitive information detected in prompt result', 'PII_DETECTED_IN_PROMPT_RESULT'],
  tool_pre_invoke: ['PII detected in tool arguments', 'Sensitive information detected in tool arguments', 'PII_DETECTED_IN_TOOL_ARGS'],
  tool_post_invoke: ['PII detected in tool result', 'Sensitive information detected in tool result', 'PII_DETECTED_IN_TOOL_RESULT'],
};

/** What ContextForge's plugin writes in its context metadata after a scan it did not block. */
function recordInContext(config: PiiFilterConfig, context: PluginContext | undefined, hook: TextHook, types: string[], total: number): void {
  if (!context) return;
  if (config.context_details) {
    const details = (context.metadata.pii_detections ?? {}) as Record<string, unknown>;
    context.metadata.pii_detections = { ...details, [hook]: { detected: true, types, total_count: total } };
  }
  if (config.context_stats && hook === 'tool_post_invoke') context.metadata.pii_filter_stats = { total_detections: total, total_masked: total };
}

/** ContextForge's detection log line (no values in it: types and a count). */
function logDetections(hook: TextHook, payload: Payload, blocked: boolean, types: string[], total: number): void {
  const subject = typeof payload.name === 'string' ? payload.name : typeof payload.prompt_id === 'string' ? payload.prompt_id : undefined;
  const line = `PII detected during ${hook}: action=${blocked ? 'blocked' : 'masked'} total=${total} types=${types.join(',')}${subject === undefined ? '' : ` subject=${subject}`}`;
  if (blocked) console.warn(line);
  else console.info(line);
}

export default (config: PiiFilterConfig) => {
  const allow = config.allow.map((source) => (config.allow_match === 'whole' ? new RegExp(`^(?:${source})$`) : new RegExp(source, 'i')));
  const on = (type: PiiType) => (config.detect as Partial<Record<PiiType, boolean>>)[type] ?? DEFAULT_ON[type];
  const custom: Detector[] = config.custom.map((c) => ({
    type: 'custom', pattern: new RegExp(c.pattern, c.ignore_case ? 'gi' : 'g'), ...(c.strategy ? { strategy: c.strategy } : {}),
  }));
  const detectors: Detector[] = [
    ...piiDetectors(config.phone_regions, {
      labelledSsnDigits: config.ssn_labelled_digits,
      anyDateOfBirth: config.any_date_of_birth,
      labelledIdsWithoutDigit: config.labelled_ids_without_digit,
    }),
    ...custom,
  ].filter((d) => on(d.type));
  const emails = on('email');
  const strategyOf = (f: PiiFinding): PiiStrategy => f.strategy ?? config.strategy_by_type[f.type] ?? config.strategy;
  const replacement = replacer(config);
  const bounded = hasBounds(config);

  /** Scans every string of the given payload fields; `role` and `type` keys name message structure, not text. */
  const scan = (payload: Payload, fields: readonly string[], hook: TextHook, context?: PluginContext): HookResult | undefined => {
    if (bounded) for (const field of fields) if (field in payload) checkBounds(payload[field], config);
    const counts: Partial<Record<PiiType, number>> = {};
    let total = 0;
    let blocked = false;
    const rewrite = (text: string): string => {
      return replaceFindings(text, find(text, detectors, emails, allow), (f: PiiFinding, value) => {
        counts[f.type] = (counts[f.type] ?? 0) + 1;
        total++;
        const strategy = strategyOf(f);
        if (strategy === 'block') blocked = true;
        return replacement(f.type, value, strategy);
      });
    };
    const modified = rewriteFields(payload, fields, (value) => mapStrings(value, rewrite));
    if (total === 0) return undefined;
    const named: Record<string, number> = {};
    for (const [type, n] of Object.entries(counts) as Array<[PiiType, number]>) {
      const name = config.type_names[type] ?? type;
      named[name] = (named[name] ?? 0) + n;
    }
    const metadata = { pii_found: total, pii_types: named };
    const types = Object.keys(named).sort();
    if (config.log_detections) logDetections(hook, payload, blocked, types, total);
    const contextforge = config.violations === 'contextforge' ? CONTEXTFORGE_VIOLATIONS[hook] : undefined;
    if (blocked && contextforge) {
      const [reason, description, code] = contextforge;
      return { continue_processing: false, violation: { reason, description, code, details: { detected_types: types, count: total } }, metadata };
    }
    if (blocked) {
      return {
        continue_processing: false,
        violation: {
          reason: 'Personal data detected',
          description: `Found ${total} item(s) of personal data: ${Object.keys(named).join(', ')}`,
          code: 'PII_DETECTED',
          details: { types: named },
        },
        metadata,
      };
    }
    recordInContext(config, context, hook, types, total);
    return { modified_payload: modified, metadata };
  };

  return textHooks((fields, hook) => (payload: Payload, context?: PluginContext) => scan(payload, fields, hook, context));
};
