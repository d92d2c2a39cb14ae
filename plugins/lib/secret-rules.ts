import { crc32Suffix } from './checksums.js';

/**
 * Provider-specific secret formats: prefix, length and alphabet as each provider issues them, with the checksum
 * where the provider has one (GitHub's and npm's CRC32 suffix, Anthropic's trailing AA), in the spirit of gitleaks'
 * rules. Written here rather than taken from npm: the rule sets there (secretlint's presets, detect-secrets ports)
 * are code bound to their own engines, not tables a sandboxed plugin can bundle, and gitleaks' own table is Go/TOML.
 * Every pattern is compiled once, here; a rule runs only over text that holds one of its keywords (lower case).
 */

export const SECRET_TYPES = [
  'private_key', 'aws_access_key', 'aws_secret_key', 'aws_session_token', 'google_api_key', 'gcp_service_account',
  'azure_storage_key', 'azure_client_secret', 'github_token', 'gitlab_token', 'slack_token', 'slack_webhook',
  'stripe_key', 'openai_key', 'anthropic_key', 'huggingface_token', 'npm_token', 'pypi_token', 'twilio_key',
  'sendgrid_key', 'mailgun_key', 'shopify_token', 'datadog_key', 'discord_token', 'telegram_bot_token', 'jwt',
  'url_credentials', 'authorization_header', 'password', 'generic_api_key',
] as const;
export type SecretType = (typeof SECRET_TYPES)[number];

export interface SecretRule {
  type: SecretType;
  keywords: readonly string[];
  /** flags g and d; the secret is the named group `v` (or `v2`, `v3`: one per quoting style) when there is one */
  pattern: RegExp;
  /**
   * The provider's checksum where it has one. A value that fails it (or any value, for formats without one that
   * words can also take) is reported only when it looks random: entropy as the tie-breaker, not the detector.
   */
  confirm?: (value: string) => boolean;
  /** found by its label (`password = ...`), so the value itself must not be benign (a UUID, a word, a path ...) */
  labelled?: 'password' | 'key';
  /** a password given beside its user (`user:password@`, `-u user:password`): any value but a benign one counts */
  userinfo?: true;
}

const B = String.raw`(?<![A-Za-z0-9_-])`; // not inside a longer token
const E = String.raw`(?![A-Za-z0-9_-])`;
const ASSIGN = String.raw`["']?[ \t]{0,5}(?::=|=>|[:=])[ \t]{0,5}`;
/** a value after a label: double-quoted, single-quoted or bare */
const VALUE = (bare = String.raw`[^\s"'\`,;&)\]}<>]`) => String.raw`(?:"(?<v>[^"\r\n]{1,400})"|'(?<v2>[^'\r\n]{1,400})'|(?<v3>${bare}{1,400}))`;

/** GitHub's and npm's checksum covers the 36 characters after the four-character prefix (`ghp_`, `npm_`). */
const afterPrefix = (token: string) => crc32Suffix(token.slice(4));

const rule = (type: SecretType, keywords: string[], source: string, flags = '', extra: Partial<SecretRule> = {}): SecretRule =>
  ({ type, keywords, pattern: new RegExp(source, `gd${flags}`), ...extra });

/** The key names whose values are credentials (matched case-insensitively, anywhere in a longer key). */
export const CREDENTIAL_KEY = String.raw`(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|(?:access|auth|private|signing|encryption|storage|account|master|client|app)[_-]?key|credentials?)`;

export function secretRules(): SecretRule[] {
  return [
    // A PEM or OpenSSH private key block (JSON-escaped newlines included); a block cut short runs to the text's end.
    rule('private_key', ['private key'], String.raw`-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[\s\S]*$)`),
    rule('aws_access_key', ['akia', 'asia', 'abia', 'acca', 'a3t'], String.raw`(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}(?![A-Za-z0-9])`),
    rule('aws_secret_key', ['aws', 'secretaccesskey', 'secret_access_key', 'secret-access-key'], String.raw`(?:aws[_-]?secret[_-]?(?:access[_-]?)?key|secret[_-]?access[_-]?key)${ASSIGN}["']?(?<v>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])`, 'i'),
    rule('aws_session_token', ['iqojb3jpz2lux2vj', 'fwogzxivyxdze', 'session', 'security-token'], String.raw`(?:(?:aws_?session_?token|sessiontoken|x-amz-security-token)${ASSIGN}["']?(?<v>[A-Za-z0-9/+=]{100,2000})|(?<![A-Za-z0-9/+])(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE)[A-Za-z0-9/+=]{100,2000})`, 'i'),
    rule('google_api_key', ['aiza'], String.raw`${B}AIza[0-9A-Za-z_-]{35}${E}`),
    rule('gcp_service_account', ['private_key_id'], String.raw`private_key_id\\?["']?[ \t]*[:=][ \t]*\\?["']?(?<v>[0-9a-f]{40})(?![0-9a-f])`),
    rule('azure_storage_key', ['accountkey', 'sharedaccesskey'], String.raw`(?:AccountKey|SharedAccessKey)=(?<v>[A-Za-z0-9+/]{40,100}={0,2})`, 'i'),
    rule('azure_client_secret', ['q~'], String.raw`(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])`),
    rule('github_token', ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], String.raw`${B}gh[pousr]_[A-Za-z0-9]{36}${E}`, '', { confirm: afterPrefix }),
    rule('github_token', ['github_pat_'], String.raw`${B}github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}${E}`),
    rule('gitlab_token', ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glcbt-', 'glsoat-', 'glffct-', 'gloas-', 'glimt-', 'glagent-'], String.raw`${B}(?:glpat|gldt|glrt|glptt|glcbt|glsoat|glffct|gloas|glimt|glagent)-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{2}[0-9a-z]{7})?${E}`),
    rule('slack_token', ['xox', 'xapp-'], String.raw`${B}(?:xox[abposre]-(?:\d+-)?[A-Za-z0-9-]{10,250}|xoxe\.xox[bp]-\d-[A-Za-z0-9]{100,200}|xapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{32,80})${E}`),
    rule('slack_webhook', ['hooks.slack.com'], String.raw`https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,12}/[A-Z0-9]{6,12}/[A-Za-z0-9]{16,40}`),
    rule('stripe_key', ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'whsec_'], String.raw`${B}(?:[sr]k_(?:live|test)_[0-9A-Za-z]{24,247}|whsec_[A-Za-z0-9]{32,64})${E}`),
    rule('anthropic_key', ['sk-ant-'], String.raw`${B}sk-ant-(?:api|admin|oat)\d{2}-[A-Za-z0-9_-]{80,120}AA${E}`),
    rule('openai_key', ['t3blbkfj'], String.raw`${B}sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,160}T3BlbkFJ[A-Za-z0-9_-]{20,160}${E}`),
    rule('huggingface_token', ['hf_', 'api_org_'], String.raw`${B}(?:hf|api_org)_[A-Za-z]{34}${E}`, '', { confirm: () => false }),
    rule('npm_token', ['npm_'], String.raw`${B}npm_[A-Za-z0-9]{36}${E}`, '', { confirm: afterPrefix }),
    rule('npm_token', ['_authtoken'], String.raw`_authToken[ \t]*=[ \t]*["']?(?<v>[A-Za-z0-9._~+/=-]{20,200})`),
    rule('pypi_token', ['pypi-ag'], String.raw`${B}pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,400}${E}`),
    rule('twilio_key', ['sk'], String.raw`(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])`),
    rule('twilio_key', ['twilio'], String.raw`twilio[A-Za-z0-9_.-]{0,20}(?:auth|token|secret)[A-Za-z0-9_.-]{0,20}${ASSIGN}["']?(?<v>[0-9a-f]{32})(?![0-9a-f])`, 'i'),
    rule('sendgrid_key', ['sg.'], String.raw`${B}SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}${E}`),
    rule('mailgun_key', ['key-', 'mailgun'], String.raw`(?:${B}key-[0-9a-f]{32}${E}|mailgun[A-Za-z0-9_.-]{0,30}${ASSIGN}["']?(?<v>[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}|key-[0-9a-f]{32}))`, 'i'),
    rule('shopify_token', ['shpat_', 'shpca_', 'shppa_', 'shpss_'], String.raw`${B}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${E}`),
    rule('datadog_key', ['datadog', 'dd'], String.raw`(?:datadog|dd)[_-]?(?:api|app(?:lication)?)[_-]?key${ASSIGN}["']?(?<v>[0-9a-f]{40}|[0-9a-f]{32})(?![0-9a-f])`, 'i'),
    rule('discord_token', ['.'], String.raw`(?<![A-Za-z0-9_.-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![A-Za-z0-9_.-])`, '', { confirm: () => false }),
    rule('discord_token', ['discord'], String.raw`https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{15,20}/(?<v>[A-Za-z0-9_-]{60,80})`),
    rule('telegram_bot_token', [':aa'], String.raw`(?<![A-Za-z0-9:])\d{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])`),
    rule('jwt', ['eyj'], String.raw`${B}eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*${E}`),
    // user:password@ in a URL of any scheme (postgres://, mongodb+srv://, redis://:pass@, https://user:pass@)
    rule('url_credentials', ['://'], String.raw`(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@"'<>]{0,100}:(?<v>[^\s/@"'<>]{1,200})@(?=[A-Za-z0-9[])`, '', { userinfo: true }),
    rule('authorization_header', ['authorization', 'bearer', 'basic', 'token'],
      String.raw`(?:(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?(?:basic|bearer|token|digest|apikey|sso-key)[ \t]+|${B}bearer[ \t]+)(?<v>[A-Za-z0-9._~+/:-]{8,1000}={0,2})`, 'i'),
    rule('authorization_header', ['-u', '--user'], String.raw`(?<!\S)(?:-u|--user)[ =]["']?[^\s:"']{1,100}:(?<v>[^\s"']{1,200})`, '', { userinfo: true }),
    rule('generic_api_key', ['pass', 'pwd', 'secret', 'token', 'key', 'credential'], String.raw`${CREDENTIAL_KEY}[A-Za-z0-9_.-]{0,30}${ASSIGN}${VALUE()}`, 'i', { labelled: 'key' }),
  ];
}
