/**
 * Class 1 of issue 11: nothing host-made and mutable reachable from a compartment. Node's TextDecoder kept a native
 * handle in a writable symbol-keyed slot (forging it segfaulted the host) and threw errors whose NodeError
 * prototypes were shared and writable; a capability's own error classes would be the same kind of channel.
 */
import assert from 'node:assert/strict';
import type { Attempt } from './escape-modules.js';

const hook = (body: string, async = '') => `export default (config) => ({ ${async} tool_pre_invoke(payload, context) {\n${body}\n} });\n`;

/** Forges every symbol-keyed slot of a decoder, then decodes: Node's latin1 decoder crashed the process on it. */
const FORGE = `const forge = () => attempt(() => {
  const d = new TextDecoder('latin1');
  for (const s of Object.getOwnPropertySymbols(d)) d[s] = { forged: true };
  return 'ESCAPED decoded ' + d.decode(new Uint8Array([0xe9]));
});
`;

export const REACH_ATTEMPTS: Attempt[] = [
  {
    id: 'reach-decoder-handle', title: "forge the native handle of a non-UTF-8 TextDecoder, and a UTF-8 one's slots",
    module: () => FORGE + hook(`const d = new TextDecoder();
      const slots = Object.getOwnPropertySymbols(d).length + Object.getOwnPropertyNames(d).length;
      const utf8 = attempt(() => d.decode(new Uint8Array([0x68, 0xc3, 0xa9])));
      return report(forge() + ' | own slots ' + slots + ' | ' + utf8 + ' | ' + attempt(() => d.decode(new Uint8Array([0xff]), { stream: true })));`),
    verify: (seen) => assert.match(String(seen.reports['reach-decoder-handle']),
      /^blocked: TextDecoder: only UTF-8 is available in the sandbox, not "latin1" \| own slots 0 \| hé \| blocked: TextDecoder.decode: streaming/),
  },
  {
    id: 'reach-decoder-at-load', title: 'the same forgery in the module body and in the factory (inside initialize())',
    module: () => `${FORGE}const atLoad = forge();
export default (config) => { const inFactory = forge(); return { tool_pre_invoke() { return report(atLoad + ' / ' + inFactory); } }; };\n`,
    verify: (seen) => assert.match(String(seen.reports['reach-decoder-at-load']), /^blocked: .* \/ blocked: /),
  },
  {
    id: 'reach-nested-compartment', title: "the codecs of a Compartment the plugin makes itself (SES's universal globals)",
    module: () => FORGE + hook(`const inner = new Compartment();
      const viaGlobal = attempt(() => { const d = new inner.globalThis.TextDecoder('latin1'); return 'ESCAPED got a latin1 decoder ' + Object.getOwnPropertySymbols(d).length; });
      const viaEval = attempt(() => inner.evaluate("new TextDecoder('latin1')") && 'ESCAPED evaluated a latin1 decoder');
      return report(viaGlobal + ' | ' + viaEval + ' | same codecs ' + (inner.globalThis.TextDecoder === TextDecoder));`),
    verify: (seen) => assert.match(String(seen.reports['reach-nested-compartment']), /^blocked: TextDecoder: only UTF-8 .* \| blocked: TextDecoder: only UTF-8 .* \| same codecs true$/),
  },
  {
    id: 'reach-error-protos', title: "write to the prototypes of the errors the codecs throw (NodeError's were shared and writable)",
    module: () => hook(`const tries = [() => new TextDecoder('latin1'), () => new TextDecoder().decode('x'), () => new TextEncoder().encodeInto('x', {}),
        () => new TextDecoder().decode(new Uint8Array([0xff]), {}), () => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff]))];
      const out = [];
      for (const make of tries) {
        try { out.push('no error: ' + make()); } catch (e) {
          out.push(attempt(() => { Object.getPrototypeOf(e).channel = TOKEN; return 'ESCAPED wrote ' + Object.getPrototypeOf(e).constructor.name; }));
        }
      }
      return report(out.join(' | '));`),
    followers: [{ name: 'reach-error-protos-follower', body: () => `try { new TextDecoder('latin1'); } catch (e) { return 'follower sees ' + String(Object.getPrototypeOf(e).channel); }` }],
    verify: (seen) => {
      assert.doesNotMatch(String(seen.reports['reach-error-protos']), /ESCAPED/);
      assert.equal(seen.reports['reach-error-protos-follower'], 'follower sees undefined');
    },
  },
  {
    id: 'reach-store-error-proto', title: "write to the prototype of the error the store throws for a value it refuses (the worker's own error class)",
    capabilities: () => ({ store: true }),
    module: () => hook(`const out = [];
      for (const value of [new Map([[1, 2]]), [1, , 3], 'x'.repeat(100000)]) {
        try { await store.set('k', value); out.push('stored'); } catch (e) {
          out.push(attempt(() => { Object.getPrototypeOf(e).channel = TOKEN; return 'ESCAPED wrote a store error prototype'; })
            + (Object.getPrototypeOf(e) === Error.prototype ? ' (an Error)' : ' (another prototype)'));
        }
      }
      return report(out.join(' | '));`, 'async'),
    verify: (seen) => {
      const text = String(seen.reports['reach-store-error-proto']);
      assert.doesNotMatch(text, /ESCAPED|stored|another/);
      assert.equal(text.split(' | ').length, 3);
    },
  },
  {
    id: 'reach-forged-views', title: 'decode and encodeInto given typed arrays with forged byteLength, length and buffer',
    module: () => hook(`const u = new Uint8Array([0x41, 0x42]);
      for (const [k, v] of [['byteLength', 1e9], ['length', 1e9], ['byteOffset', 5], ['buffer', new ArrayBuffer(1 << 20)]]) Object.defineProperty(u, k, { value: v });
      const dest = new Uint8Array(2);
      Object.defineProperty(dest, 'length', { value: 1e9 }); Object.defineProperty(dest, 'byteLength', { value: 1e9 });
      const into = new TextEncoder().encodeInto('abcdef', dest);
      return report(new TextDecoder().decode(u) + ' / ' + JSON.stringify(into) + ' / ' + Array.from(dest).join());`),
    verify: (seen) => assert.equal(seen.reports['reach-forged-views'], 'AB / {"read":2,"written":2} / 97,98'),
  },
];
