/**
 * Synthetic secrets, one family at a time, each beside benign look-alikes. Every value is assembled at run time from a
 * seeded generator (never a real credential, and nothing in this file reads as one to a scanner), in the provider's
 * real format: prefix, length, alphabet, and the checksum where the provider has one.
 */
import { crc32 } from 'node:zlib';
import { seeded } from '../../bench/payloads.js';

export type Rand = () => number;

export { seeded };

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const URLSAFE = `${ALNUM}_-`;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
export const chars = (rand: Rand, alphabet: string, n: number) => Array.from({ length: n }, () => pick(rand, [...alphabet])).join('');

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function base62(n: number, width: number): string {
  let out = '';
  for (let v = n; v > 0; v = Math.floor(v / 62)) out = BASE62[v % 62] + out;
  return out.padStart(width, '0');
}
/** GitHub's and npm's scheme: 30 random characters, then their CRC32 in base62 (node:zlib's CRC, not the plugin's). */
const crcToken = (rand: Rand, prefix: string) => {
  const body = chars(rand, ALNUM, 30);
  return `${prefix}${body}${base62(crc32(body), 6)}`;
};

/**
 * A planted secret: `text` is what sits in the context (a connection string, a URL, a JSON key file) and `secret`
 * the part that must be gone afterwards; `label` names it where a context writes a key (STRIPE_SECRET_KEY=...).
 */
export interface Planted {
  text: string;
  secret: string;
  label: string;
}

export interface Family {
  type: string;
  plant: (rand: Rand) => Planted;
  /** values that look like the family but are not secrets, each with the label it would sit under */
  benign: (rand: Rand) => Array<{ text: string; label: string }>;
}

const same = (label: string) => (text: string) => ({ text, secret: text, label });
const rsaBody = (rand: Rand) => Array.from({ length: 6 }, () => chars(rand, B64, 64)).join('\n');

export const SECRET_FAMILIES: Family[] = [
  {
    type: 'aws_access_key',
    plant: (r) => same('AWS_ACCESS_KEY_ID')(pick(r, ['AKIA', 'ASIA']) + chars(r, UPPER32, 16)),
    benign: (r) => [
      { text: ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join(''), label: 'AWS_ACCESS_KEY_ID' },
      { text: `AKIA${chars(r, 'abcdefgh', 16)}`, label: 'aws_key_hint' },
      { text: `AKIA${chars(r, UPPER32, 12)}`, label: 'AWS_KEY_PREFIX' },
    ],
  },
  {
    type: 'aws_secret_key',
    plant: (r) => same('aws_secret_access_key')(chars(r, B64, 40)),
    benign: (r) => [
      { text: ['wJalrXUtnFEMI/K7MDENG/bPxRfiCY', 'EXAMPLEKEY'].join(''), label: 'aws_secret_access_key' },
      { text: chars(r, HEX, 40), label: 'aws_commit_sha' },
      { text: '<YOUR_SECRET_ACCESS_KEY>', label: 'aws_secret_access_key' },
    ],
  },
  {
    type: 'aws_session_token',
    plant: (r) => same('aws_session_token')(`IQoJb3JpZ2luX2Vj${chars(r, B64, 300)}`),
    benign: () => [{ text: '${AWS_SESSION_TOKEN}', label: 'aws_session_token' }, { text: 'IQoJb3JpZ2luX2Vj', label: 'token_prefix_hint' }],
  },
  {
    type: 'google_api_key',
    plant: (r) => same('GOOGLE_API_KEY')(`AIza${chars(r, URLSAFE, 35)}`),
    benign: (r) => [{ text: 'AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', label: 'GOOGLE_API_KEY' }, { text: `AIza${chars(r, ALNUM, 20)}`, label: 'maps_key_prefix' }],
  },
  {
    type: 'gcp_service_account',
    plant: (r) => {
      const id = chars(r, HEX, 40);
      return { text: `{"type":"service_account","project_id":"demo-proj","private_key_id":"${id}","client_email":"svc@demo-proj.iam.gserviceaccount.com"}`, secret: id, label: 'GOOGLE_CREDENTIALS' };
    },
    benign: (r) => [{ text: `{"type":"service_account","project_id":"demo-proj","commit":"${chars(r, HEX, 40)}"}`, label: 'GOOGLE_CREDENTIALS_META' }],
  },
  {
    type: 'azure_storage_key',
    plant: (r) => {
      const key = `${chars(r, B64, 86)}==`;
      return { text: `DefaultEndpointsProtocol=https;AccountName=demostore;AccountKey=${key};EndpointSuffix=core.windows.net`, secret: key, label: 'AZURE_STORAGE_CONNECTION_STRING' };
    },
    benign: () => [{ text: 'DefaultEndpointsProtocol=https;AccountName=demostore;AccountKey=<account-key>;EndpointSuffix=core.windows.net', label: 'AZURE_STORAGE_CONNECTION_STRING' }],
  },
  {
    type: 'azure_client_secret',
    plant: (r) => same('AZURE_CLIENT_SECRET')(`${chars(r, ALNUM, 3)}${Math.floor(r() * 10)}Q~${chars(r, `${ALNUM}_~.-`, 34).replace(/[.~-]$/, 'x')}`),
    benign: () => [{ text: 'abc1Q~', label: 'azure_hint' }, { text: '${AZURE_CLIENT_SECRET}', label: 'AZURE_CLIENT_SECRET' }],
  },
  {
    type: 'github_token',
    plant: (r) => same('GITHUB_TOKEN')(r() < 0.8 ? crcToken(r, pick(r, ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'])) : `github_pat_${chars(r, ALNUM, 22)}_${chars(r, ALNUM, 59)}`),
    benign: (r) => [
      { text: 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', label: 'GITHUB_TOKEN' },
      { text: `ghp_${'ab'.repeat(18)}`, label: 'GITHUB_TOKEN' },
      { text: `ghp_${chars(r, ALNUM, 20)}`, label: 'gh_prefix' },
    ],
  },
  {
    type: 'gitlab_token',
    plant: (r) => same('GITLAB_TOKEN')(`glpat-${chars(r, URLSAFE, 20).replace(/-$/, 'q')}`),
    benign: () => [{ text: 'glpat-xxxxxxxxxxxxxxxxxxxx', label: 'GITLAB_TOKEN' }, { text: 'glpat-<token>', label: 'GITLAB_TOKEN' }],
  },
  {
    type: 'slack_token',
    plant: (r) => same('SLACK_BOT_TOKEN')(`xoxb-${Math.floor(r() * 1e12)}-${Math.floor(r() * 1e12)}-${chars(r, ALNUM, 24)}`),
    benign: () => [{ text: 'xoxb-your-token', label: 'SLACK_BOT_TOKEN' }, { text: 'xoxb-...', label: 'SLACK_BOT_TOKEN' }],
  },
  {
    type: 'slack_webhook',
    plant: (r) => same('SLACK_WEBHOOK_URL')(`https://hooks.slack.com/services/T${chars(r, UPPER32, 8)}/B${chars(r, UPPER32, 8)}/${chars(r, ALNUM, 24)}`),
    benign: () => [{ text: 'https://hooks.slack.com/services/', label: 'SLACK_DOCS' }, { text: 'https://api.slack.com/messaging/webhooks', label: 'SLACK_DOCS_URL' }],
  },
  {
    type: 'stripe_key',
    plant: (r) => same('STRIPE_SECRET_KEY')(`${pick(r, ['sk', 'rk'])}_${pick(r, ['live', 'test'])}_${chars(r, ALNUM, 24 + Math.floor(r() * 76))}`),
    benign: (r) => [
      { text: `pk_live_${chars(r, ALNUM, 24)}`, label: 'STRIPE_PUBLISHABLE' },
      { text: 'sk_test_...', label: 'STRIPE_SECRET_KEY' },
      { text: 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxx', label: 'STRIPE_SECRET_KEY' },
    ],
  },
  {
    type: 'openai_key',
    plant: (r) => same('OPENAI_API_KEY')(`sk-proj-${chars(r, URLSAFE, 74)}T3BlbkFJ${chars(r, URLSAFE, 74).replace(/[-_]$/, 'Q')}`),
    benign: () => [{ text: 'sk-...', label: 'OPENAI_API_KEY' }, { text: 'sk-proj-...', label: 'OPENAI_API_KEY' }, { text: 'sk-learn', label: 'ml_library' }],
  },
  {
    type: 'anthropic_key',
    plant: (r) => same('ANTHROPIC_API_KEY')(`sk-ant-api03-${chars(r, URLSAFE, 93)}AA`),
    benign: () => [{ text: 'sk-ant-...', label: 'ANTHROPIC_API_KEY' }, { text: 'sk-ant-api03-<your-key>', label: 'ANTHROPIC_API_KEY' }],
  },
  {
    type: 'huggingface_token',
    plant: (r) => same('HF_TOKEN')(`hf_${chars(r, LETTERS, 34)}`),
    benign: () => [{ text: 'hf_hub_download', label: 'hf_function' }, { text: 'hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', label: 'HF_TOKEN' }],
  },
  {
    type: 'npm_token',
    plant: (r) => same('NPM_TOKEN')(crcToken(r, 'npm_')),
    benign: () => [{ text: 'npm_config_registry', label: 'npm_setting' }, { text: 'npm_package_version', label: 'npm_env_name' }],
  },
  {
    type: 'pypi_token',
    plant: (r) => same('PYPI_TOKEN')(`pypi-AgEIcHlwaS5vcmc${chars(r, URLSAFE, 120).replace(/[-_]$/, 'z')}`),
    benign: () => [{ text: 'pypi-simple', label: 'index_name' }, { text: 'pypi-AgEI...', label: 'PYPI_TOKEN' }],
  },
  {
    type: 'twilio_key',
    plant: (r) => same('TWILIO_API_KEY')(`SK${chars(r, HEX, 32)}`),
    benign: (r) => [{ text: `AC${chars(r, HEX, 32)}`, label: 'TWILIO_ACCOUNT_SID' }, { text: 'SKU-12345', label: 'product_sku' }],
  },
  {
    type: 'sendgrid_key',
    plant: (r) => same('SENDGRID_API_KEY')(`SG.${chars(r, URLSAFE, 22)}.${chars(r, URLSAFE, 43).replace(/[-_]$/, 'k')}`.replace(/^SG\.[-_]/, 'SG.a')),
    benign: () => [{ text: 'SG.xxxxx', label: 'SENDGRID_API_KEY' }, { text: 'SG.1.2', label: 'sg_version' }],
  },
  {
    type: 'mailgun_key',
    plant: (r) => same('MAILGUN_API_KEY')(`key-${chars(r, HEX, 32)}`),
    benign: () => [{ text: 'key-value', label: 'store_kind' }, { text: 'key-rotation-policy', label: 'doc_anchor' }],
  },
  {
    type: 'shopify_token',
    plant: (r) => same('SHOPIFY_ACCESS_TOKEN')(`${pick(r, ['shpat_', 'shpss_', 'shpca_'])}${chars(r, HEX, 32)}`),
    benign: () => [{ text: 'shpat_...', label: 'SHOPIFY_ACCESS_TOKEN' }, { text: 'shpat_<token>', label: 'SHOPIFY_ACCESS_TOKEN' }],
  },
  {
    type: 'datadog_key',
    plant: (r) => same('DD_API_KEY')(chars(r, HEX, 32)),
    benign: (r) => [{ text: chars(r, HEX, 32), label: 'dd_trace_id' }, { text: '<DATADOG_API_KEY>', label: 'DD_API_KEY' }],
  },
  {
    type: 'discord_token',
    plant: (r) => same('DISCORD_BOT_TOKEN')(`M${chars(r, ALNUM, 23)}.${chars(r, ALNUM, 6)}.${chars(r, URLSAFE, 38).replace(/[-_]$/, 'x')}`),
    benign: () => [{ text: 'MTIzNDU2Nzg5.example.token', label: 'DISCORD_BOT_TOKEN' }, { text: 'Mozilla/5.0', label: 'user_agent' }],
  },
  {
    type: 'telegram_bot_token',
    plant: (r) => same('TELEGRAM_BOT_TOKEN')(`${1e8 + Math.floor(r() * 9e8)}:AA${chars(r, URLSAFE, 33).replace(/[-_]$/, 'x')}`),
    benign: () => [{ text: '123456789:ABC', label: 'ratio_hint' }, { text: '12:AA', label: 'time_hint' }],
  },
  {
    type: 'jwt',
    plant: (r) => same('ID_TOKEN')(`eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ${chars(r, URLSAFE, 60)}.${chars(r, URLSAFE, 43)}`.replace(/[-_]\./g, 'a.').replace(/[-_]$/, 'a')),
    benign: () => [{ text: 'eyJhbGciOiJIUzI1NiJ9', label: 'jwt_header_only' }, { text: 'eyJ...', label: 'ID_TOKEN' }],
  },
  {
    type: 'private_key',
    plant: (r) => {
      const kind = pick(r, ['RSA ', 'EC ', 'OPENSSH ', '']);
      const body = rsaBody(r);
      return { text: `-----BEGIN ${kind}PRIVATE KEY-----\n${body}\n-----END ${kind}PRIVATE KEY-----`, secret: body.slice(0, 64), label: 'SSH_KEY' };
    },
    benign: (r) => [
      { text: `-----BEGIN PUBLIC KEY-----\n${chars(r, B64, 64)}\n-----END PUBLIC KEY-----`, label: 'PUBLIC_KEY' },
      { text: '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----', label: 'KEY_TEMPLATE' },
    ],
  },
  {
    type: 'url_credentials',
    plant: (r) => {
      const pw = `${chars(r, ALNUM, 14)}${pick(r, ['!', '%21', '_', '9'])}`;
      const url = pick(r, [
        `postgres://app_user:${pw}@db.internal.example:5432/orders`,
        `mongodb+srv://svc:${pw}@cluster0.abcde.mongodb.net/prod?retryWrites=true`,
        `redis://:${pw}@cache.internal.example:6379/0`,
        `https://deploy:${pw}@git.example.com/org/repo.git`,
        `amqp://guest:${pw}@mq.internal.example:5672/`,
      ]);
      return { text: url, secret: pw, label: 'DATABASE_URL' };
    },
    benign: () => [
      { text: 'postgres://user:password@localhost:5432/db', label: 'DATABASE_URL' },
      { text: 'postgres://app@db.internal.example:5432/orders', label: 'DATABASE_URL' },
      { text: 'https://docs.example.com:8443/guide', label: 'DOCS_URL' },
      { text: 'redis://:${REDIS_PASSWORD}@cache:6379', label: 'REDIS_URL' },
    ],
  },
  {
    type: 'authorization_header',
    plant: (r) => {
      const value = r() < 0.5 ? chars(r, `${ALNUM}._-`, 40).replace(/^[._-]/, 'a') : `${chars(r, B64, 28)}=`;
      return { text: `Authorization: ${pick(r, ['Bearer', 'Basic', 'Token'])} ${value}`, secret: value, label: 'Authorization' };
    },
    benign: () => [
      { text: 'Authorization: Bearer <token>', label: 'Authorization' },
      { text: 'Authorization: Bearer token', label: 'Authorization' },
      { text: 'Authorization: Bearer ${TOKEN}', label: 'Authorization' },
    ],
  },
  {
    type: 'password',
    plant: (r) => same('DB_PASSWORD')(`${chars(r, ALNUM, 10)}${pick(r, ['#', '!', '$', '%', '&', '9'])}${chars(r, ALNUM, 3)}`),
    benign: () => [
      { text: '********', label: 'DB_PASSWORD' },
      { text: 'changeme', label: 'DB_PASSWORD' },
      { text: '/run/secrets/db_password', label: 'DB_PASSWORD_FILE' },
      { text: 'https://id.example.com/reset', label: 'password_reset_url' },
      { text: 'required', label: 'password' },
    ],
  },
  {
    type: 'generic_api_key',
    plant: (r) => same('PAYMENTS_API_KEY')(chars(r, ALNUM, 32)),
    benign: (r) => [
      { text: `${chars(r, HEX, 8)}-${chars(r, HEX, 4)}-4${chars(r, HEX, 3)}-a${chars(r, HEX, 3)}-${chars(r, HEX, 12)}`, label: 'api_key_id' },
      { text: chars(r, HEX, 64), label: 'content_sha256' },
      { text: '1.14.2', label: 'api_version' },
      { text: 'your-api-key-here', label: 'API_KEY' },
      { text: 'process.env.API_KEY', label: 'api_key' },
      // the allowlist's other shapes under credential-like labels: ids, digests, versions, words in prose, references
      { text: `${chars(r, HEX, 8)}-${chars(r, HEX, 4)}-4${chars(r, HEX, 3)}-b${chars(r, HEX, 3)}-${chars(r, HEX, 12)}`, label: 'session_token' },
      { text: chars(r, HEX, 40), label: 'secret_commit' },
      { text: `sha256:${chars(r, HEX, 64)}`, label: 'token_digest' },
      { text: 'v2.14.0-rc.1', label: 'token_service_version' },
      { text: 'stored in the vault, ask the on-call', label: 'password' },
      { text: 'none', label: 'api_token' },
      { text: '${{ secrets.DEPLOY_TOKEN }}', label: 'deploy_token' },
      { text: 'rotate-every-ninety-days', label: 'secret_policy_note' },
    ],
  },
];
