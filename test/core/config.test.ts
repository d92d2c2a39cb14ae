import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, PluginManager } from '../../src/index.js';
import { configPath, ctx, fixture, tempDir, toolPayload, withManager } from '../helpers.js';

/** initialize() must reject with a ConfigError; returns it for closer checks. */
async function configErrorOf(source: string): Promise<ConfigError> {
  const manager = new PluginManager(source);
  try {
    await manager.initialize();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${(err as Error)?.name}: ${(err as Error)?.message}`);
    assert.equal(manager.initialized, false);
    return err;
  } finally {
    await manager.shutdown();
  }
  assert.fail(`initialize() accepted ${source}`);
}

const pathOf = (issue: { path: PropertyKey[] }) => issue.path.map(String).join('.');

function assertIssuesWellFormed(err: ConfigError): void {
  assert.ok(err.issues.length > 0, 'a ConfigError carries its issues');
  for (const issue of err.issues) {
    assert.ok(Array.isArray(issue.path), 'every issue has a path array');
    assert.equal(typeof issue.message, 'string');
    assert.ok(issue.message.length > 0);
  }
}

describe('config: YAML loading and ${VAR} interpolation', () => {
  test('loads a YAML file, finds ./kinds through plugin_dirs relative to the file, and interpolates ${VAR} and ${VAR:-default}', async () => {
    process.env.CORDON_TEST_TOKEN = 'tok-123';
    process.env.CORDON_TEST_NAME = 'ada';
    delete process.env.CORDON_TEST_UNSET_REGION;
    await withManager(configPath('config_env'), async (m) => {
      assert.equal(m.pluginCount, 1);
      const { result } = await m.invokeHook('tool_pre_invoke', toolPayload(), ctx());
      const config = result.metadata.config_env as Record<string, unknown>;
      assert.equal(config.token, 'tok-123', '${VAR} takes the environment value');
      assert.equal(config.region, 'eu-west', '${VAR:-default} falls back when the variable is unset');
      assert.equal(config.greeting, 'hello ada!', 'interpolation works inside a longer string');
      assert.equal(config.overridden, 'tok-123', 'a set variable wins over its default');
    });
  });

  test('an unset ${VAR} with no default is a config error naming the variable', async () => {
    delete process.env.CORDON_TEST_NEVER_SET;
    const err = await configErrorOf(configPath('config_unset_var'));
    assert.match(err.message, /CORDON_TEST_NEVER_SET/);
    assert.ok(err.issues.some((i) => i.message.includes('CORDON_TEST_NEVER_SET')));
    assertIssuesWellFormed(err);
  });

  test('loadConfig from the package entry rejects the same way, no later than initialize()', async () => {
    delete process.env.CORDON_TEST_NEVER_SET;
    await assert.rejects(loadConfig(configPath('config_unset_var')), (err: unknown) => err instanceof ConfigError && /CORDON_TEST_NEVER_SET/.test(err.message));
  });

  test('a missing config file is an error naming the path, not an empty config', async () => {
    const missing = fixture('configs/there_is_no_such_config.yaml');
    const manager = new PluginManager(missing);
    await assert.rejects(manager.initialize(), (err: Error) => err.message.includes(missing));
    assert.equal(manager.initialized, false);
    await manager.shutdown();
  });

  test('a ./kind is looked up beside the config file first, then in each plugin_dir in order', async () => {
    const dir = tempDir();
    const plugin = (where: string) => `export default { tool_pre_invoke() { return { metadata: { from: '${where}' } }; } };\n`;
    for (const sub of ['first', 'second']) mkdirSync(join(dir, sub));
    writeFileSync(join(dir, 'beside.js'), plugin('config dir'));
    writeFileSync(join(dir, 'first', 'beside.js'), plugin('first dir'));
    writeFileSync(join(dir, 'first', 'listed.js'), plugin('first dir'));
    writeFileSync(join(dir, 'second', 'listed.js'), plugin('second dir'));
    writeFileSync(join(dir, 'second', 'only_second.js'), plugin('second dir'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, [
      'plugin_dirs: [./first, ./second]',
      'plugin_settings: { threads: 1 }',
      'plugins:',
      '  - { name: a, kind: ./beside.js, hooks: [tool_pre_invoke], priority: 1 }',
      '  - { name: b, kind: ./listed.js, hooks: [tool_pre_invoke], priority: 2 }',
      '  - { name: c, kind: ./only_second.js, hooks: [tool_pre_invoke], priority: 3 }',
    ].join('\n'));
    await withManager(config, async (m) => {
      const from = async (name: string) => (await m.invokeHookForPlugin(name, 'tool_pre_invoke', toolPayload(), ctx())).metadata.from;
      assert.equal(await from('a'), 'config dir');
      assert.equal(await from('b'), 'first dir');
      assert.equal(await from('c'), 'second dir');
    });
  });

  test('a config object resolves relative kinds against the current directory', async () => {
    const kind = `./${relative(process.cwd(), fixture('plugins/scripted.js'))}`;
    await withManager({ plugins: [{ name: 'obj', kind, hooks: ['tool_pre_invoke'], config: { tag: 'obj' } }] }, async (m) => {
      const { result } = await m.invokeHook('tool_pre_invoke', toolPayload(), ctx());
      assert.equal(result.metadata.ran_obj, true);
    });
  });
});

describe('config: errors name what is wrong and where', () => {
  test('unknown keys at every level are errors naming each key', async () => {
    const err = await configErrorOf(configPath('config_unknown_keys'));
    assert.match(err.message, /plugin_setings/);
    assert.match(err.message, /prioirty/);
    assertIssuesWellFormed(err);
    const settings = await configErrorOf(configPath('config_bad_settings_key'));
    assert.match(settings.message, /plugin_timout/);
  });

  test('a bad mode is an error at plugins[0].mode', async () => {
    const err = await configErrorOf(configPath('config_bad_mode'));
    assert.ok(err.issues.some((i) => pathOf(i) === 'plugins.0.mode'), `issues: ${JSON.stringify(err.issues)}`);
    assertIssuesWellFormed(err);
  });

  test('duplicate plugin names are an error naming the name, with the path of the second one', async () => {
    const err = await configErrorOf(configPath('config_duplicate_names'));
    const issue = err.issues.find((i) => pathOf(i) === 'plugins.2.name');
    assert.ok(issue, `issues: ${JSON.stringify(err.issues)}`);
    assert.match(issue.message, /twin/);
  });

  test('a ./kind that does not resolve is an error at plugins[i].kind naming the kind', async () => {
    const err = await configErrorOf(configPath('config_missing_kind'));
    const issue = err.issues.find((i) => pathOf(i) === 'plugins.1.kind');
    assert.ok(issue, `issues: ${JSON.stringify(err.issues)}`);
    assert.match(issue.message, /no_such_plugin_file\.js/);
  });

  test('a bare kind that is not a bundled plugin is an error at plugins[i].kind naming it', async () => {
    const err = await configErrorOf(configPath('config_unknown_bundled'));
    const issue = err.issues.find((i) => pathOf(i) === 'plugins.0.kind');
    assert.ok(issue, `issues: ${JSON.stringify(err.issues)}`);
    assert.match(issue.message, /no_such_bundled_plugin/);
  });

  test('a configured hook the plugin does not implement is a ConfigError at plugins[i].hooks[j] naming the plugin', async () => {
    const err = await configErrorOf(configPath('config_unimplemented_hook'));
    const issue = err.issues.find((i) => pathOf(i) === 'plugins.1.hooks.1');
    assert.ok(issue, `issues: ${JSON.stringify(err.issues)}`);
    assert.match(err.message, /half/);
    assert.match(issue.message, /tool_post_invoke/);
    assertIssuesWellFormed(err);
  });
});
