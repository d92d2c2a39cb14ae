/**
 * The shapes of ContextForge v1.0.0's plugin-test fixture configs (tests/unit/mcpgateway/plugins/fixtures/configs/)
 * and of its shipped plugins/config.yaml, written anew with our own names and values: each keeps what its file
 * asks of a loader (class-path kinds, transports, null lists, settings keys, external entries with and without
 * hooks). `refused` names the plugins Cordon must refuse, each with the way forward; `external` the entries that
 * need `kind: external` with `mcp:`.
 */
export interface Shape {
  /** the ContextForge files this shape stands for */
  files: string[];
  yaml: string;
  refused: string[];
  external?: string[];
}

const CF_SETTINGS = `
plugin_dirs: [plugins/native, plugins/custom, /etc/gateway/plugins]
plugin_settings:
  parallel_execution_within_band: true
  plugin_timeout: 30
  fail_on_plugin_error: true
  enable_plugin_api: true
  plugin_health_check_interval: 60
`;

const pythonPlugin = (name: string, kind: string, extra = '') => `
plugins:
  - name: ${name}
    kind: ${kind}
    description: a test plugin
    version: "1.0.0"
    author: someone
    hooks: [agent_pre_invoke, agent_post_invoke]
    tags: [test]
    mode: enforce
    priority: 50
${extra}${CF_SETTINGS}`;

const external = (name: string, transport: string, hooks = '') => `
plugins:
  - name: ${name}
    kind: external
${hooks}${transport}${CF_SETTINGS}`;

const STDIO = '    mcp:\n      proto: STDIO\n      script: servers/runtime.py\n';
const HTTP = '    mcp:\n      proto: STREAMABLEHTTP\n      url: http://127.0.0.1:3999/mcp\n';
const HOOKS = '    hooks: [prompt_pre_fetch, prompt_post_fetch]\n';

const searchReplace = (name: string, conditions: string, hooks = '[prompt_pre_fetch, prompt_post_fetch]') => `
  - name: ${name}
    kind: plugins.regex_filter.search_replace.SearchReplacePlugin
    hooks: ${hooks}
    mode: enforce
    priority: 150
    conditions:
${conditions}
    config:
      words:
        - { search: darn, replace: drat }
        - { search: drat, replace: phooey }
`;
const PROMPT_CONDITION = '      - prompts: [greet_prompt]\n        server_ids: []\n        tenant_ids: []';
const denyList = `
  - name: DenyWords
    kind: plugins.deny_filter.deny.DenyListPlugin
    hooks: [prompt_pre_fetch]
    mode: enforce
    priority: 100
    conditions:
${PROMPT_CONDITION}
    config:
      words: [synergy, disruptive]
`;
const resourceFilter = `
  - name: ResourceRules
    kind: plugins.resource_filter.resource_filter.ResourceFilterPlugin
    hooks: [resource_pre_fetch, resource_post_fetch]
    mode: enforce
    priority: 75
    conditions: []
    config:
      max_content_size: 4096
      allowed_protocols: [test, http, https]
      blocked_domains: [bad.example.org]
      content_filters:
        - { pattern: "token\\\\s*[:=]\\\\s*\\\\S+", replacement: "token: [HIDDEN]" }
`;

export const SHAPES: Shape[] = [
  {
    files: ['agent_context.yaml', 'agent_filter.yaml', 'agent_passthrough.yaml'],
    yaml: pythonPlugin('AgentTracker', 'tests.fixtures.agent_plugins.TrackingAgentPlugin', '    config:\n      blocked_words: [foo, bar]\n'),
    refused: ['AgentTracker'],
  },
  {
    files: ['context_plugin.yaml', 'context_multiplugins.yaml', 'error_plugin.yaml', 'error_plugin_raise_error_false.yaml'],
    yaml: `
plugins:
  - name: Ctx1
    kind: "tests.fixtures.context.CtxPlugin"
    hooks: ["prompt_pre_fetch", "prompt_post_fetch", "tool_post_invoke", "tool_pre_invoke"]
    mode: "enforce"
    priority: 150
    conditions:
${PROMPT_CONDITION}
  - name: Ctx2
    kind: "tests.fixtures.context.CtxPlugin2"
    hooks: ["prompt_pre_fetch"]
    conditions:
${PROMPT_CONDITION}
${CF_SETTINGS}`,
    refused: ['Ctx1', 'Ctx2'],
  },
  {
    files: ['context_stdio_external_plugins.yaml', 'error_stdio_external_plugin.yaml', 'valid_stdio_external_plugin.yaml',
      'valid_stdio_external_plugin_passthrough.yaml', 'valid_stdio_external_plugin_regex.yaml'],
    yaml: external('RemoteNoHooks', STDIO),
    refused: [],
    external: ['RemoteNoHooks'],
  },
  { files: ['valid_stdio_external_plugin_overrides.yaml'], yaml: external('RemoteHooks', STDIO, HOOKS), refused: [], external: ['RemoteHooks'] },
  {
    files: ['valid_strhttp_external_plugin_overrides.yaml', 'valid_strhttp_external_plugin_regex.yaml'],
    yaml: external('RemoteHttp', HTTP, HOOKS),
    refused: [],
    external: ['RemoteHttp'],
  },
  {
    files: ['cross_hook_context.yaml'],
    yaml: `
plugins:
  - name: CrossHook
    kind: tests.fixtures.cross_hook.CrossHookPlugin
    hooks: [http_pre_request, http_auth_check_permission, tool_pre_invoke, resource_pre_fetch, prompt_pre_fetch]
    config: {}
plugin_settings:
  parallel_execution_within_band: false
  plugin_timeout: 30
  fail_on_plugin_error: true
  plugin_health_check_interval: 60
`,
    refused: ['CrossHook'],
  },
  {
    files: ['invalid_single_plugin.yaml'],
    yaml: `plugins:\n  - name: Fake\n    kind: "made.up.NoSuchPlugin"\n    hooks: [prompt_pre_fetch]\n    config:\n      words: [{ search: a, replace: b }]\n${CF_SETTINGS}`,
    refused: ['Fake'],
  },
  {
    files: ['test_hook_patterns_config.yaml'],
    yaml: `plugins:\n  - name: Demo\n    kind: hook_demo.DemoPlugin\n    hooks: [tool_pre_invoke, tool_post_invoke, email_pre_send, demo]\n${CF_SETTINGS}`,
    refused: ['Demo'],
  },
  {
    files: ['tool_headers_plugin.yaml', 'tool_headers_metadata_plugin.yaml', 'valid_single_plugin_passthrough.yaml'],
    yaml: pythonPlugin('Headers', 'tests.fixtures.headers.HeadersPlugin', '    conditions:\n      - prompts: []\n'),
    refused: ['Headers'],
  },
  {
    files: ['valid_grpc_external_plugin.yaml', 'valid_grpc_external_plugin_manager.yaml'],
    yaml: external('OverGrpc', '    grpc:\n      target: "127.0.0.1:50999"\n') .replace('plugins:\n', `plugins:\n  - name: OverGrpcHooks\n    kind: external\n${HOOKS}    grpc:\n      target: "127.0.0.1:50998"\n`),
    refused: ['OverGrpcHooks', 'OverGrpc'],
  },
  {
    files: ['valid_unix_external_plugin.yaml', 'valid_unix_external_plugin_manager.yaml'],
    yaml: external('OverUnix', '    unix_socket:\n      path: /tmp/cf-shape.sock\n      timeout: 10.0\n      reconnect_attempts: 2\n      reconnect_delay: 0.2\n', HOOKS),
    refused: ['OverUnix'],
  },
  {
    files: ['valid_single_plugin.yaml', 'valid_multiple_plugins.yaml', 'valid_tool_hooks.yaml'],
    yaml: `plugins:${searchReplace('Synonyms', PROMPT_CONDITION)}${searchReplace('ToolWords', '      - tools: [lookup]', '[tool_pre_invoke, tool_post_invoke]')}${CF_SETTINGS}`,
    refused: [],
  },
  {
    files: ['valid_single_filter_plugin.yaml', 'valid_multiple_plugins_filter.yaml'],
    yaml: `plugins:${denyList}${searchReplace('Swears', PROMPT_CONDITION)}${resourceFilter}${CF_SETTINGS}`,
    refused: [],
  },
  { files: ['valid_no_plugin.yaml'], yaml: `plugins:\n${CF_SETTINGS}`, refused: [] },
];

/** init_hooks_plugins_test.yaml and the shipped plugins/config.yaml: every bundled equivalent as ContextForge writes it, among Python-only plugins. */
SHAPES.push({
  files: ['init_hooks_plugins_test.yaml', 'plugins/config.yaml'],
  yaml: `
plugin_dirs: [plugins/native, plugins/custom]
plugin_settings:
  parallel_execution_within_band: true
  plugin_timeout: 120
  fail_on_plugin_error: false
  enable_plugin_api: true
  plugin_health_check_interval: 120
plugins:
  - name: Normalizer
    kind: "plugins.argument_normalizer.argument_normalizer.ArgumentNormalizerPlugin"
    hooks: ["prompt_pre_fetch", "tool_pre_invoke"]
    mode: "permissive"
    priority: 40
    conditions: []
    config: { enable_unicode: true, unicode_form: NFC }
  - name: Telemetry
    kind: "plugins.tools_telemetry_exporter.telemetry_exporter.ToolsTelemetryExporterPlugin"
    hooks: ["tool_post_invoke"]
    mode: "disabled" # enforce | enforce_ignore_error | permissive | disabled
    config: { export_full_payload: false }
  - name: Pii
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["prompt_pre_fetch", "tool_post_invoke"]
    mode: "permissive"
    priority: 50
    conditions:
      - prompts: []
        server_ids: []
        tenant_ids: []
    config:
      detect_ssn: true
      detect_credit_card: true
      detect_email: true
      detect_phone: false
      detect_ip_address: false
      default_mask_strategy: "partial"
      redaction_text: "[PII_GONE]"
      block_on_detection: false
      log_detections: true
      include_detection_details: true
      whitelist_patterns: ["demo@example\\\\.org"]
  - name: Words
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    hooks: ["prompt_pre_fetch", "tool_post_invoke"]
    mode: "enforce"
    priority: 150
    config:
      words:
        - { search: "(?P<w>heck)", replace: "<\\\\g<w>>" }
  - name: Deny
    kind: "plugins.deny_filter.deny.DenyListPlugin"
    hooks: ["prompt_pre_fetch"]
    mode: "disabled"
    config: { words: [paradigm] }
  - name: Resources
    kind: "plugins.resource_filter.resource_filter.ResourceFilterPlugin"
    hooks: ["resource_pre_fetch", "resource_post_fetch"]
    mode: "enforce"
    config: { max_content_size: 2048, allowed_protocols: [https], blocked_domains: [evil.example.net] }
  - name: Limits
    kind: "cpex_rate_limiter.RateLimiterPlugin"
    hooks: ["prompt_pre_fetch", "tool_pre_invoke"]
    mode: "enforce"
    priority: 20
    config: { by_user: "30/m", by_tenant: "300/m", by_tool: { lookup: "5/m" }, algorithm: fixed_window, backend: memory }
  - name: Schemas
    kind: "plugins.schema_guard.schema_guard.SchemaGuardPlugin"
    hooks: ["tool_pre_invoke", "tool_post_invoke"]
    mode: "enforce"
    config: { arg_schemas: { lookup: { type: object, required: [q], properties: { q: { type: string } } } }, result_schemas: {}, block_on_violation: true }
  - name: Urls
    kind: "cpex_url_reputation.URLReputationPlugin"
    hooks: ["resource_pre_fetch"]
    mode: "enforce"
    config: { blocked_domains: [evil.example.net], blocked_patterns: [] }
  - name: Length
    kind: "plugins.output_length_guard.output_length_guard.OutputLengthGuardPlugin"
    hooks: ["tool_post_invoke"]
    mode: "permissive"
    config: { min_chars: 0, max_chars: 5000, strategy: "truncate", ellipsis: "…" }
  - name: Secrets
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["prompt_pre_fetch", "tool_post_invoke"]
    mode: "enforce"
    config:
      enabled: { aws_access_key_id: true, aws_secret_access_key: true, google_api_key: true, slack_token: true, private_key_block: true, jwt_like: true }
      redact: false
      redaction_text: "***GONE***"
      block_on_detection: true
      min_findings_to_block: 1
  - name: Headers
    kind: "plugins.header_injector.header_injector.HeaderInjectorPlugin"
    hooks: ["tool_pre_invoke"]
    mode: "enforce"
    config: { headers: { X-Origin: gateway }, uri_prefixes: [] }
  - name: Html
    kind: "plugins.safe_html_sanitizer.safe_html_sanitizer.SafeHTMLSanitizerPlugin"
    hooks: ["resource_post_fetch"]
    mode: "permissive"
    config: { allowed_tags: [p, a], remove_comments: true, strip_event_handlers: true }
`,
  refused: ['Normalizer', 'Telemetry'],
});
