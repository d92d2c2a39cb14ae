/**
 * What the secrets_detection parity files share: the plugin entry as cpex secrets-detection's own tests write it
 * (the class path they name, its three hooks, enforce mode) and fictitious credentials in each pattern's format.
 */

/** Its tests' usual config: redact, do not block, `[REDACTED]`; `config` is YAML flow-mapping text that adds to it. */
export function secretsYaml(name: string, config = '', base = 'block_on_detection: false, redact: true, redaction_text: "[REDACTED]"'): string {
  return `
plugins:
  - name: "${name}"
    kind: "cpex_secrets_detection.secrets_detection.SecretsDetectionPlugin"
    hooks: ["prompt_pre_fetch", "tool_post_invoke", "resource_post_fetch"]
    mode: "enforce"
    priority: 100
    config: { ${[base, config].filter(Boolean).join(', ')} }
`;
}

// 0, 1 and 8 are outside AWS's own alphabet: Cordon's detectors would pass this id, ContextForge's pattern finds it.
export const AWS_ID = 'AKIAT3ST0NLY8KEY0001';
export const AWS_SECRET = 'wK7pQ2mZ9xR4tL8vN3bH6cJ1dF5gS0aE2uY7iO4q';
export const SLACK = 'xoxb-1200-3400-NotARealSlackTokenAtAll';
