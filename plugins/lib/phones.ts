import metadata from 'libphonenumber-js/metadata.min.json';

/**
 * Phone numbers judged with libphonenumber's metadata (the per-country table Google keeps for Android and
 * libphonenumber; bundled from libphonenumber-js as one JSON string that is parsed when the plugin loads): a
 * candidate is a number when, for a country of its calling code, its national significant number has one of that
 * country's possible lengths and matches the country's national number pattern. That is libphonenumber's "possible
 * number" test, not its per-line-type "valid number" test: fictional ranges (555 in the US, 7946 0xxx in London) that
 * people and test data use are still phone numbers to a guardrail.
 */

type CountryData = [callingCode: string, idd: string, pattern: string, lengths: number[], formats: unknown, nationalPrefix?: string | 0];
const data = metadata as unknown as { country_calling_codes: Record<string, string[]>; countries: Record<string, CountryData> };

interface Country {
  pattern: RegExp;
  lengths: ReadonlySet<number>;
  /** the trunk prefix dialled before a national number ("0" in most of Europe, "1" in the NANP), if any */
  trunk: string;
}

/** Regions whose national written forms (`(415) 555-0132`, `020 7946 0018`) are recognised when none is configured. */
export const DEFAULT_PHONE_REGIONS = ['US', 'CA', 'GB', 'DE', 'FR', 'IN', 'AU', 'JP', 'BR'];

/** A date written with separators reads like a short national number; it is not one. */
const DATE = /^(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2})$/;

export type PhoneCheck = (candidate: string) => boolean;

/** Builds the checker once per plugin instance: every country pattern is compiled here, not per candidate. */
export function phoneChecker(regions: readonly string[] = DEFAULT_PHONE_REGIONS): PhoneCheck {
  const countries = new Map<string, Country>();
  for (const [code, c] of Object.entries(data.countries)) {
    countries.set(code, { pattern: new RegExp(`^(?:${c[2]})$`), lengths: new Set(c[3]), trunk: typeof c[5] === 'string' ? c[5] : '' });
  }
  const fits = (country: Country | undefined, nsn: string) =>
    country !== undefined && country.lengths.has(nsn.length) && country.pattern.test(nsn);
  // after the trunk prefix a national number does not start with 0 (00... is an international or service prefix)
  const fitsNational = (country: Country, nsn: string) => nsn[0] !== '0' && fits(country, nsn);
  const national = regions.map((r) => countries.get(r)).filter((c): c is Country => c !== undefined);

  return (candidate) => {
    if (candidate.startsWith('+')) {
      // "+44 (0)20 ..." writes the trunk prefix inside the international form; it is not part of the number
      const digits = candidate.replace('(0)', '').replace(/\D/g, '');
      if (digits.length < 8 || digits.length > 15) return false;
      for (let ccLength = 1; ccLength <= 3; ccLength++) {
        const members = data.country_calling_codes[digits.slice(0, ccLength)];
        if (!members) continue;
        const nsn = digits.slice(ccLength);
        return members.some((m) => fits(countries.get(m), nsn));
      }
      return false;
    }
    if (DATE.test(candidate)) return false;
    const digits = candidate.replace(/\D/g, '');
    if (digits.length < 8 || digits.length > 15) return false;
    // A national number is written with its trunk prefix where the region has one (NANP: optional).
    return national.some((c) =>
      c.trunk === '1' ? fitsNational(c, digits) || (digits.startsWith('1') && fitsNational(c, digits.slice(1)))
        : c.trunk ? digits.startsWith(c.trunk) && fitsNational(c, digits.slice(c.trunk.length))
          : fitsNational(c, digits));
  };
}
