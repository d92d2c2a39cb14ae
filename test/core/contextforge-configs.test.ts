import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/bundled.js';
import { pythonPattern, pythonReplacement } from '../../src/python-syntax.js';
import { ConfigError, formatIssue } from '../../src/core/errors.js';
import { cordon } from '../cli/helpers.js';
import { SHAPES, type Shape } from './contextforge-shapes.js';

/** The way forward a refusal line must give: a plugin server reached with kind: external and mcp:. */
const WAY_FORWARD = /kind: external .*mcp:|use mcp:/;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cordon-cf-shapes-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** The config's issues as `cordon validate` prints them (none when it loads), each with the entry it is about. */
async function issuesOf(yaml: string, file: string): Promise<Array<{ line: string; plugin: string | undefined }>> {
  const path = join(dir, file);
  await writeFile(path, yaml);
  const raw = parseYaml(yaml) as { plugins?: Array<{ name: string }> | null };
  try {
    await loadConfig(path);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((issue) => ({
      line: formatIssue(issue),
      plugin: issue.path[0] === 'plugins' && typeof issue.path[1] === 'number' ? raw.plugins?.[issue.path[1]]?.name : undefined,
    }));
  }
}

/** Whether this build runs `kind: external` entries (the fleet work); until it does, their lines are not ours to judge. */
async function externalSupported(): Promise<boolean> {
  return (await issuesOf(`plugins:\n  - name: probe\n    kind: external\n    mcp: { proto: STREAMABLEHTTP, url: "http://127.0.0.1:1/mcp" }\n`, 'probe.yaml')).length === 0;
}

describe("ContextForge v1.0.0's config shapes", () => {
  SHAPES.forEach((shape: Shape, n) => {
    it(`${shape.files.join(', ')}: accepted, or refused only plugin by plugin with the way forward`, async () => {
      const issues = await issuesOf(shape.yaml, `shape-${n}.yaml`);
      const externals = new Set((await externalSupported()) ? [] : (shape.external ?? []));
      const ours = issues.filter((i) => !(i.plugin !== undefined && externals.has(i.plugin)));
      for (const { line, plugin } of ours) {
        assert.ok(plugin !== undefined && shape.refused.includes(plugin), `unexpected issue: ${line}`);
        assert.match(line, new RegExp(`plugin "${plugin}": `), 'the line names its plugin');
        assert.match(line, WAY_FORWARD, 'the line says how to run it');
      }
      assert.deepEqual([...new Set(ours.map((i) => i.plugin))].sort(), [...shape.refused].sort(), 'every refused plugin has its line');
    });
  });

  it('reports every issue of a file at once: refusals, translations and schema errors together, in file order', async () => {
    const issues = await issuesOf(`
plugins:
  - { name: A, kind: pkg.mod.APlugin, hooks: [tool_pre_invoke] }
  - { name: B, kind: deny_filter, hooks: [tool_pre_invoke], mode: loud, config: { words: [x] } }
  - { name: C, kind: external, grpc: { target: "h:1" } }
  - { name: D, kind: plugins.pii_filter.pii_filter.PIIFilterPlugin, hooks: [tool_post_invoke], config: { detect_api_keys: true, detect_passports: true } }
plugin_settings: { plugin_timeout: 5 }
`, 'all-at-once.yaml');
    assert.deepEqual(issues.map((i) => i.plugin), ['A', 'B', 'C', 'D']);
    assert.match(issues[0]!.line, /^plugins\[0\]\.kind: plugin "A": pkg\.mod\.APlugin is a ContextForge Python plugin/);
    assert.match(issues[1]!.line, /^plugins\[1\]\.mode: /);
    assert.match(issues[2]!.line, /^plugins\[2\]\.grpc: plugin "C": the grpc transport is not supported; .*use mcp:/);
    assert.match(issues[3]!.line, /^plugins\[3\]\.config\.detect_passports: plugin "D": detect_passports has no equivalent/);
  });

  it("names a translated entry's error by the key its file wrote, not by the translation's", async () => {
    const issues = await issuesOf(`
plugins:
  - name: ReplaceWords
    kind: plugins.regex_filter.search_replace.SearchReplacePlugin
    hooks: [prompt_pre_fetch]
    config: { words: [{ search: darn, replace: drat }, { search: "(unclosed", replace: x }] }
  - name: Resources
    kind: plugins.resource_filter.resource_filter.ResourceFilterPlugin
    hooks: [resource_pre_fetch]
    config: { max_content_size: -1 }
`, 'written-keys.yaml');
    assert.match(issues[0]!.line, /^plugins\[0\]\.config\.words\[1\]\.search: invalid regular expression/);
    assert.match(issues[1]!.line, /^plugins\[1\]\.config\.max_content_size: /);
  });

  it('a bundled equivalent runs under its Cordon kind, with the translated config and the capabilities it needs', async () => {
    const path = join(dir, 'mapped.yaml');
    await writeFile(path, SHAPES.at(-1)!.yaml.replace(/  - name: (Normalizer|Telemetry|Html)\n(    .*\n)+/g, ''));
    const config = await loadConfig(path);
    const byName = Object.fromEntries(config.plugins.map((p) => [p.name, p]));
    assert.equal(byName.Pii!.kind, 'pii_filter');
    const pii = byName.Pii!.config;
    assert.deepEqual([pii.strategy, pii.redaction_text, pii.allow, pii.violations], ['partial', '[PII_GONE]', ['demo@example\\.org'], 'contextforge']);
    // ContextForge's detectors left unset are on there: the labelled ids, and bank accounts (IBANs and labelled numbers)
    assert.deepEqual((pii.detect as Record<string, boolean>), {
      email: true, phone: false, ssn: true, credit_card: true, ip_address: false, iban: true,
      bsn: true, date_of_birth: true, passport: true, driver_license: true, medical_record: true, bank_account: true,
    });
    assert.deepEqual(pii.type_names, { iban: 'bank_account' });
    assert.deepEqual(byName.Words!.config.rules, [{ search: '(?<w>heck)', replace: '<$<w>>', flags: '' }]);
    assert.equal(byName.Deny!.kind, 'deny_filter');
    assert.equal(byName.Deny!.mode, 'disabled');
    assert.equal(byName.Limits!.capabilities.store, true);
    assert.deepEqual(byName.Resources!.config.allowed_schemes, ['https']);
    assert.equal(byName.Resources!.config.max_content_bytes, 2048);
    // ContextForge's own pattern table: its default set, enabled's types switched on (github_token and
    // stripe_secret_key are on there unless switched off, its other broad patterns off)
    const secrets = byName.Secrets!.config.contextforge_patterns as Record<string, boolean>;
    assert.deepEqual(Object.keys(secrets).filter((type) => secrets[type]).sort(), [
      'aws_access_key_id', 'aws_secret_access_key', 'github_token', 'google_api_key', 'jwt_like', 'private_key_block', 'slack_token',
      'stripe_secret_key',
    ]);
    assert.deepEqual([byName.Secrets!.config.action, byName.Secrets!.config.redaction_text], ['block', '***GONE***']);
  });

  it('cordon validate --no-load prints the refusals one line each and accepts the translated configs', async () => {
    const refused = join(dir, 'refused.yaml');
    await writeFile(refused, SHAPES[1]!.yaml);
    const bad = await cordon(['validate', '--no-load', refused]);
    assert.equal(bad.code, 2);
    const lines = bad.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.match(line, /plugin "Ctx[12]": .*ContextForge Python plugin.*kind: external .*mcp:/);
    const good = join(dir, 'good.yaml');
    await writeFile(good, SHAPES.find((s) => s.files.includes('valid_multiple_plugins_filter.yaml'))!.yaml);
    const ok = await cordon(['validate', '--no-load', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /DenyWords +deny_filter/);
  });
});

describe('Python regular expressions and replacements, as the translators read them', () => {
  it('turns Python syntax into JavaScript syntax and keeps $ literal', () => {
    assert.deepEqual(pythonPattern('(?im)^(?P<k>\\w+)=(?P=k)$'), { source: '^(?<k>\\w+)=\\k<k>$', flags: 'im' });
    assert.deepEqual(pythonPattern('plain'), { source: 'plain', flags: '' });
    assert.equal(pythonReplacement('\\1-\\g<2>-\\g<name>'), '$1-$2-$<name>');
    assert.equal(pythonReplacement('cost: $5 \\\\ \\n'), 'cost: $$5 \\ \n');
    assert.equal('a1'.replace(/(\d)/, pythonReplacement('[$\\1]')), 'a[$1]');
  });
});
