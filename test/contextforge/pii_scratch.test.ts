import { describe, it } from 'node:test';
import { ctx, useManagers } from './harness.js';
const managerFor = useManagers();
const y = (config: string) => `
plugins:
  - name: "P"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    config: ${config}
`;
describe('scratch', () => {
  it('probes', async () => {
    for (const c of ['{ whitelist_patterns: ["("] }', '{ default_mask_strategy: "partail" }', '{ max_text_bytes: 104857601 }', '{ max_nested_depth: 0 }',
      '{ custom_patterns: [{ pattern: "EMP\\\\d{6}", description: "x", mask_strategy: "partail" }] }',
      '{ custom_patterns: [{ pattern: "(foo|bar|baz|qux|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen)", description: "x" }] }',
      '{ custom_patterns: [{ pattern: "EMP\\\\d{6}" }] }']) {
      try { await managerFor('s' + Math.random(), y(c)); console.log('LOADED', c); } catch (e) { console.log('ERR', c, '=>', (e as Error).message); }
    }
    const m = await managerFor('t', y('{ max_nested_depth: 1 }'));
    try { await m.invokeHook('tool_pre_invoke', { name: 't', args: { l1: { l2: { e: 'a@b.example' } } } }, ctx); } catch (e) { console.log('ERR', (e as Error).message); }
  });
});
