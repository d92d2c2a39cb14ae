import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { useManagers } from './harness.js';
import { guardsYaml, passed } from './output_length_guard-guards.js';

/** ContextForge's tests/unit/plugins/test_output_length_guard.py, its config expectations: what loads, what is refused. */

const managerFor = useManagers();

describe('OutputLengthGuardPlugin: its config (test_output_length_guard.py expectations)', () => {
  let manager: PluginManager;
  // in character mode 30 characters are cut to 10; in token mode they are 7 tokens, well within 100
  const modes: Record<string, 'character' | 'token'> = {
    '"character"': 'character', '"token"': 'token', '"CHARACTER"': 'character', '"Token"': 'token', '"TOKEN"': 'token',
    '"  character  "': 'character', '"\\ttoken\\n"': 'token', '" CHARACTER "': 'character', '"\\n\\tTOKEN  "': 'token',
  };
  before(async () => {
    const configs: Record<string, string> = { Default: '{ max_chars: 10, max_tokens: 100, ellipsis: "..." }' };
    Object.keys(modes).forEach((mode, i) => {
      configs[`Mode${i}`] = `{ limit_mode: ${mode}, max_chars: 10, max_tokens: 100, ellipsis: "..." }`;
    });
    configs.Everything = '{ limit_mode: "token", min_chars: 10, max_chars: 200, min_tokens: 5, max_tokens: 100, chars_per_token: 4, strategy: "truncate", ellipsis: "...", word_boundary: true }';
    configs.Both = '{ min_chars: 10, max_chars: 100, min_tokens: 5, max_tokens: 50, chars_per_token: 4 }';
    manager = await managerFor('len-config', guardsYaml(configs));
  });
  const thirty = 'a'.repeat(30);

  it('reads limit_mode whatever its case and the whitespace around it; without one, character mode', async () => {
    const cut = { character: 'aaaaaaa...', token: thirty };
    const entries = Object.entries(modes);
    for (let i = 0; i < entries.length; i++) {
      const [written, mode] = entries[i]!;
      assert.equal(await passed(manager, `Mode${i}`, thirty), cut[mode], written);
    }
    assert.equal(await passed(manager, 'Default', thirty), cut.character);
  });

  it('loads every key at once, each limit applying in its own mode', async () => {
    assert.equal(await passed(manager, 'Everything', 'b'.repeat(500)), `${'b'.repeat(400)}...`);
    assert.equal(await passed(manager, 'Both', 'b'.repeat(150)), `${'b'.repeat(99)}…`);
  });

  const refused = (name: string, config: string) => managerFor(name, guardsYaml({ Bad: config }));

  it('refuses a limit_mode other than character or token at load, naming the field and both modes', async () => {
    for (const mode of ['"hybrid"', '""', '123', '"invalid"']) {
      await assert.rejects(refused('len-bad-mode', `{ limit_mode: ${mode} }`),
        /plugins\[0\]\.config\.limit_mode: Invalid option: expected one of "character"\|"token"$/, mode);
    }
  });

  it('refuses chars_per_token outside 1 to 10, a negative limit, and a minimum over its maximum, naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{ min_chars: 10, max_chars: 100, chars_per_token: 0 }', /config\.chars_per_token: Too small: expected number to be >=1$/],
      ['{ min_chars: 10, max_chars: 100, chars_per_token: -1 }', /config\.chars_per_token: Too small/],
      ['{ min_chars: 10, max_chars: 100, chars_per_token: 11 }', /config\.chars_per_token: Too big: expected number to be <=10$/],
      ['{ min_chars: 10, max_chars: 100, chars_per_token: 100 }', /config\.chars_per_token: Too big/],
      ['{ min_chars: 10, max_chars: 100, min_tokens: -1 }', /config\.min_tokens: Too small: expected number to be >=0$/],
      ['{ min_chars: 10, max_chars: 100, max_tokens: -1 }', /config\.max_tokens: Too small: expected number to be >0$/],
      ['{ max_chars: -1 }', /config\.max_chars: Too small: expected number to be >0$/],
      ['{ min_chars: 10, max_chars: 100, min_tokens: 100, max_tokens: 50 }', /config\.min_tokens: must not exceed max_tokens$/],
      ['{ min_chars: 20, max_chars: 10 }', /config\.min_chars: must not exceed max_chars$/],
    ];
    for (const [config, error] of cases) await assert.rejects(refused('len-bad', config), error, config);
  });
});
