/**
 * Synthetic personal data, one type at a time, each beside look-alikes that fail the type's own check. The check
 * digits are computed here independently of the plugin (BigInt mod 97, Luhn, Verhoeff, mod 11, the DNI table), and
 * the IBAN formats come from ibantools' registry table, so every registry country is planted.
 */
import { countrySpecs } from 'ibantools';
import { chars, pick, type Rand } from './corpus-secrets.js';

export interface PiiFamily {
  type: string;
  plant: (rand: Rand) => { text: string; label: string };
  benign: (rand: Rand) => Array<{ text: string; label: string }>;
}

const DIGITS = '0123456789';
const digits = (r: Rand, n: number) => chars(r, DIGITS, n);

function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}
const card = (r: Rand, prefix: string, length: number) => {
  const body = prefix + digits(r, length - prefix.length - 1);
  return body + luhnDigit(body);
};
const group4 = (s: string) => s.replace(/(.{4})(?=.)/g, '$1 ');

function ibanFor(r: Rand, country: string): string {
  const format = (countrySpecs as Record<string, { bban_regexp?: string }>)[country]!.bban_regexp!;
  let bban = '';
  for (const m of format.matchAll(/\[([^\]]+)\]\{(\d+)(?:,\d+)?\}/g)) {
    const set = m[1]!.replace('0-9', DIGITS).replace('A-Z', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    bban += chars(r, set.replace(/[^0-9A-Z]/g, ''), Number(m[2]));
  }
  const numeric = (s: string) => [...s].map((c) => (c >= 'A' ? String(c.charCodeAt(0) - 55) : c)).join('');
  const check = 98n - (BigInt(numeric(`${bban}${country}00`)) % 97n);
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}
const IBAN_COUNTRIES = Object.entries(countrySpecs as Record<string, { bban_regexp?: string; chars?: number }>)
  .filter(([, s]) => s.bban_regexp && s.chars).map(([c]) => c);

const VERHOEFF_D = ['0123456789', '1234067895', '2340178956', '3401289567', '4012395678', '5987604321', '6598710432', '7659821043', '8765932104', '9876543210'];
const VERHOEFF_P = ['0123456789', '1576283094', '5803796142', '8916043527', '9453126870', '4286573901', '2793806415', '7046913258'];
const VERHOEFF_INV = '0432156789';
function verhoeffDigit(body: string): string {
  let c = 0;
  for (let i = 0; i < body.length; i++) c = Number(VERHOEFF_D[c]![Number(VERHOEFF_P[(i + 1) % 8]![Number(body[body.length - 1 - i])])]);
  return VERHOEFF_INV[c]!;
}
function nhs(r: Rand, valid: boolean): string {
  for (;;) {
    // look-alikes start with 1, which no UK, US or French phone number does after its trunk prefix
    const body = (valid ? pick(r, ['4', '6', '9']) : '1') + digits(r, 8);
    const sum = [...body].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
    const check = (11 - (sum % 11)) % 11;
    if (check === 10) continue;
    const last = valid ? check : (check + 1) % 10;
    const n = body + last;
    return r() < 0.5 ? n : `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
  }
}

const PHONES = (r: Rand) => pick(r, [
  `+1 415 555 01${digits(r, 2)}`, `+1 (212) 555-01${digits(r, 2)}`, `+44 20 7946 0${digits(r, 3)}`, `+44 7700 900${digits(r, 3)}`,
  `+49 30 901820${digits(r, 2)}`, `+33 1 23 45 ${digits(r, 2)} ${digits(r, 2)}`, `+91 98765 4${digits(r, 4)}`, `+81 3-1234-${digits(r, 4)}`,
  `+61 2 9374 ${digits(r, 4)}`, `+55 11 91234-${digits(r, 4)}`, `+14155550${digits(r, 3)}`, `+44 (0)20 7946 0${digits(r, 3)}`,
  `(415) 555-01${digits(r, 2)}`, `415-555-01${digits(r, 2)}`, `020 7946 0${digits(r, 3)}`, `030 901820${digits(r, 2)}`, `01 23 45 ${digits(r, 2)} ${digits(r, 2)}`,
]);

export const PII_FAMILIES: PiiFamily[] = [
  {
    type: 'email',
    plant: (r) => ({
      text: pick(r, [
        `${pick(r, ['dana', 'li.wei', 'r.okafor', 'maria_garcia'])}${digits(r, 2)}@example.com`, `ops+alerts${digits(r, 2)}@mail.corp.example.org`,
        `"john smith${digits(r, 1)}"@example.net`, `user${digits(r, 2)}@[192.0.2.${1 + Math.floor(r() * 200)}]`, `jörg${digits(r, 2)}@bücher.example`,
        `info${digits(r, 2)}@xn--bcher-kva.example`, `First.Last${digits(r, 2)}@Example.CO.UK`, `a!b#c${digits(r, 2)}@test.example.io`,
      ]),
      label: 'customer_email',
    }),
    benign: (r) => [
      { text: `icon@${pick(r, ['2x', '3x'])}.png`, label: 'asset' }, { text: 'lodash@4.17.21', label: 'dependency' },
      { text: '@Injectable()', label: 'decorator' }, { text: 'admin@localhost', label: 'local_account' }, { text: '@scope/pkg@1.2.0', label: 'package' },
    ],
  },
  {
    type: 'phone',
    plant: (r) => ({ text: PHONES(r), label: 'contact_phone' }),
    benign: (r) => [
      { text: `2024-0${1 + Math.floor(r() * 9)}-1${digits(r, 1)}`, label: 'order_date' }, { text: `1${digits(r, 1)}.0${1 + Math.floor(r() * 9)}.2024`, label: 'invoice_date' },
      { text: `ORD-2024-${digits(r, 6)}`, label: 'order_id' }, { text: '978-3-16-148410-0', label: 'isbn' }, { text: `v2.${digits(r, 1)}.1${digits(r, 1)}`, label: 'version' },
      { text: `17${digits(r, 8)}`, label: 'timestamp' }, { text: `12:${digits(r, 1)}0:45`, label: 'time' }, { text: '+12', label: 'delta' },
    ],
  },
  {
    type: 'credit_card',
    plant: (r) => {
      const [prefix, length] = pick(r, [['4', 16], ['51', 16], ['55', 16], ['2221', 16], ['2720', 16], ['34', 15], ['37', 15], ['6011', 16], ['65', 16],
        ['3528', 16], ['36', 14], ['62', 16], ['2200', 16], ['4', 19]] as Array<[string, number]>);
      const n = card(r, prefix, length);
      return { text: r() < 0.5 ? group4(n) : n, label: 'card_number' };
    },
    benign: (r) => {
      const valid = card(r, '4', 16);
      const wrong = valid.slice(0, 15) + String((Number(valid[15]) + 1) % 10);
      return [
        { text: wrong, label: 'ledger_id' }, { text: group4(wrong), label: 'ledger_id' },
        { text: card(r, pick(r, ['7', '1']), 16), label: 'ledger_id' }, { text: `1${digits(r, 12)}`, label: 'account_ref' },
      ];
    },
  },
  {
    type: 'iban',
    plant: (r) => {
      const iban = ibanFor(r, pick(r, IBAN_COUNTRIES));
      return { text: r() < 0.5 ? group4(iban) : iban, label: 'payout_iban' };
    },
    benign: (r) => {
      const iban = ibanFor(r, pick(r, IBAN_COUNTRIES));
      const broken = iban.slice(0, 2) + String((Number(iban.slice(2, 4)) + 1) % 100).padStart(2, '0') + iban.slice(4);
      return [{ text: broken, label: 'payout_ref' }, { text: `XX${digits(r, 20)}`, label: 'payout_ref' }];
    },
  },
  {
    type: 'ip_address',
    plant: (r) => ({
      text: pick(r, [`203.0.113.${Math.floor(r() * 255)}`, `198.51.100.${Math.floor(r() * 255)}`, `10.${Math.floor(r() * 255)}.0.${1 + Math.floor(r() * 250)}`,
        `2001:db8::${chars(r, '0123456789abcdef', 4)}`, `2001:0db8:85a3:0000:0000:8a2e:0370:${chars(r, '0123456789abcdef', 4)}`, `fe80::${chars(r, '123456789abcdef', 3)}:1`]),
      label: 'client_ip',
    }),
    benign: (r) => [
      { text: `1.${digits(r, 1)}.3`, label: 'version' }, { text: '1.3.6.1.4.1.311', label: 'oid' }, { text: `300.1.2.${digits(r, 1)}`, label: 'build' },
      { text: 'std::vector', label: 'type' }, { text: `00:1A:2B:3C:4D:${chars(r, '0123456789ABCDEF', 2)}`, label: 'mac' },
    ],
  },
  {
    type: 'ssn',
    plant: (r) => ({ text: `${1 + Math.floor(r() * 665)}`.padStart(3, '0') + `-${10 + Math.floor(r() * 89)}-${1000 + Math.floor(r() * 8999)}`, label: 'ssn' }),
    benign: (r) => [
      { text: `000-${10 + Math.floor(r() * 89)}-${1000 + Math.floor(r() * 8999)}`, label: 'ref' }, { text: `666-12-${1000 + Math.floor(r() * 8999)}`, label: 'ref' },
      { text: `9${digits(r, 2)}-45-6789`, label: 'ref' }, { text: `123-00-${1000 + Math.floor(r() * 8999)}`, label: 'ref' },
    ],
  },
  {
    type: 'nhs_number',
    plant: (r) => ({ text: nhs(r, true), label: 'nhs_number' }),
    benign: (r) => [{ text: nhs(r, false), label: 'patient_ref' }],
  },
  {
    type: 'es_dni',
    plant: (r) => {
      const first = pick(r, ['', 'X', 'Y', 'Z']);
      const body = first ? digits(r, 7) : digits(r, 8);
      const n = Number((first ? String('XYZ'.indexOf(first)) : '') + body);
      return { text: `${first}${body}${'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}`, label: 'dni' };
    },
    benign: (r) => {
      const body = digits(r, 8);
      return [{ text: `${body}${'TRWAGMYFPDXBNJZSQVHLCKE'[(Number(body) + 1) % 23]}`, label: 'ticket' }];
    },
  },
  {
    type: 'aadhaar',
    plant: (r) => {
      const body = String(2 + Math.floor(r() * 8)) + digits(r, 10);
      const n = body + verhoeffDigit(body);
      return { text: r() < 0.5 ? `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}` : n, label: 'aadhaar' };
    },
    benign: (r) => {
      const body = String(2 + Math.floor(r() * 8)) + digits(r, 10);
      const n = body + String((Number(verhoeffDigit(body)) + 1) % 10);
      return [{ text: `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}`, label: 'order_ref' }];
    },
  },
];
