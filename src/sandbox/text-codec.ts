/**
 * The `TextEncoder` and `TextDecoder` a compartment gets, in place of Node's: UTF-8 only, written in JavaScript, with
 * no state a plugin can reach. Node's own (which SES leaves in every compartment) keep a native converter handle in
 * a writable symbol-keyed slot that a plugin can overwrite to crash the process, and throw errors whose `NodeError`
 * prototypes lockdown does not freeze (a channel between plugins). Here an instance's state lives in a WeakMap of
 * this module, inputs are read through the intrinsic getters (a plugin's own `byteLength` or `buffer` property
 * cannot lie), and every error is a fresh `TypeError`/`RangeError` of the hardened intrinsics.
 */

/** WHATWG labels of UTF-8; any other encoding is refused rather than handed to a native converter. */
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8']);

const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
const getter = (proto: object, key: PropertyKey) => Object.getOwnPropertyDescriptor(proto, key)!.get!;
const taTag = getter(typedArrayProto, Symbol.toStringTag);
const taBuffer = getter(typedArrayProto, 'buffer');
const taOffset = getter(typedArrayProto, 'byteOffset');
const taLength = getter(typedArrayProto, 'byteLength');
const dvBuffer = getter(DataView.prototype, 'buffer');
const dvOffset = getter(DataView.prototype, 'byteOffset');
const dvLength = getter(DataView.prototype, 'byteLength');
const abLength = getter(ArrayBuffer.prototype, 'byteLength');

export interface TextCodecs {
  TextEncoder: Function;
  TextDecoder: Function;
}

let codecs: TextCodecs | undefined;

/**
 * Puts these codecs in place of Node's on the worker's global object, before lockdown: SES takes the realm's
 * `TextEncoder`/`TextDecoder` as universal globals, so every compartment then has ours, a compartment a plugin
 * makes with `new Compartment()` included, and lockdown hardens them with the other intrinsics. The worker's own
 * code (fetch-capability's decoding) uses them too: UTF-8 is all it needs.
 */
export function installTextCodecs(): TextCodecs {
  codecs ??= { TextEncoder: makeEncoder(), TextDecoder: makeDecoder() };
  for (const [name, value] of Object.entries(codecs)) {
    Object.defineProperty(globalThis, name, { value, writable: true, enumerable: false, configurable: true });
  }
  return codecs;
}

function makeEncoder(): Function {
  class TextEncoder {
    get encoding(): string {
      return 'utf-8';
    }

    encode(input: unknown = ''): Uint8Array {
      const text = String(input);
      const out = new Uint8Array(utf8Length(text));
      writeUtf8(text, out, out.length);
      return out;
    }

    encodeInto(input: unknown, destination: unknown): { read: number; written: number } {
      const text = String(input);
      if (tagOf(destination) !== 'Uint8Array') throw new TypeError('TextEncoder.encodeInto: the destination must be a Uint8Array');
      const view = new Uint8Array(taBuffer.call(destination), taOffset.call(destination), taLength.call(destination));
      return writeUtf8(text, view, view.length);
    }
  }
  Object.defineProperty(TextEncoder.prototype, Symbol.toStringTag, { value: 'TextEncoder' });
  return TextEncoder;
}

interface DecoderState {
  fatal: boolean;
  ignoreBOM: boolean;
}

function makeDecoder(): Function {
  const states = new WeakMap<object, DecoderState>();
  const state = (self: unknown): DecoderState => {
    const found = typeof self === 'object' && self !== null ? states.get(self) : undefined;
    if (!found) throw new TypeError('Illegal invocation: not a TextDecoder');
    return found;
  };
  class TextDecoder {
    constructor(label: unknown = 'utf-8', options: unknown = {}) {
      const name = String(label).trim().toLowerCase();
      if (!UTF8_LABELS.has(name)) throw new RangeError(`TextDecoder: only UTF-8 is available in the sandbox, not "${name.slice(0, 40)}"`);
      const opts = (typeof options === 'object' && options !== null ? options : {}) as { fatal?: unknown; ignoreBOM?: unknown };
      states.set(this, { fatal: Boolean(opts.fatal), ignoreBOM: Boolean(opts.ignoreBOM) });
    }

    get encoding(): string {
      state(this);
      return 'utf-8';
    }

    get fatal(): boolean {
      return state(this).fatal;
    }

    get ignoreBOM(): boolean {
      return state(this).ignoreBOM;
    }

    decode(input: unknown = undefined, options: unknown = undefined): string {
      const { fatal, ignoreBOM } = state(this);
      if (typeof options === 'object' && options !== null && (options as { stream?: unknown }).stream) {
        throw new TypeError('TextDecoder.decode: streaming is not available in the sandbox');
      }
      return decodeUtf8(input === undefined ? new Uint8Array(0) : bytesOf(input), fatal, ignoreBOM);
    }
  }
  Object.defineProperty(TextDecoder.prototype, Symbol.toStringTag, { value: 'TextDecoder' });
  return TextDecoder;
}

function tagOf(value: unknown): string | undefined {
  return ArrayBuffer.isView(value) ? (taTag.call(value) as string | undefined) : undefined;
}

/** The bytes of an ArrayBuffer, a typed array or a DataView, found through the intrinsic getters only. */
function bytesOf(input: unknown): Uint8Array {
  if (ArrayBuffer.isView(input)) {
    if (tagOf(input) === undefined) return new Uint8Array(dvBuffer.call(input), dvOffset.call(input), dvLength.call(input));
    return new Uint8Array(taBuffer.call(input), taOffset.call(input), taLength.call(input));
  }
  try {
    abLength.call(input);
  } catch {
    throw new TypeError('TextDecoder.decode: the input must be an ArrayBuffer, a typed array or a DataView');
  }
  return new Uint8Array(input as ArrayBuffer);
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Writes whole characters only, as many as fit; a lone surrogate becomes U+FFFD. */
function writeUtf8(text: string, out: Uint8Array, room: number): { read: number; written: number } {
  let w = 0;
  let i = 0;
  for (; i < text.length; i++) {
    let c = text.charCodeAt(i);
    let units = 1;
    if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00);
      units = 2;
    } else if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (w + size > room) break;
    if (size === 1) out[w++] = c;
    else {
      const lead = size === 2 ? 0xc0 : size === 3 ? 0xe0 : 0xf0;
      out[w++] = lead | (c >> (6 * (size - 1)));
      for (let k = size - 2; k >= 0; k--) out[w++] = 0x80 | ((c >> (6 * k)) & 0x3f);
    }
    i += units - 1;
  }
  return { read: i, written: w };
}

/** The WHATWG UTF-8 decoder: maximal subparts of ill-formed sequences become U+FFFD, or throw when fatal. */
function decodeUtf8(bytes: Uint8Array, fatal: boolean, ignoreBOM: boolean): string {
  const parts: string[] = [];
  let units: number[] = [];
  const push = (cp: number) => {
    if (cp > 0xffff) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else units.push(cp);
    if (units.length >= 8192) {
      parts.push(String.fromCharCode(...units));
      units = [];
    }
  };
  const bad = () => {
    if (fatal) throw new TypeError('TextDecoder.decode: the data is not valid UTF-8');
    push(0xfffd);
  };
  let i = !ignoreBOM && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let needed = 0;
  let seen = 0;
  let cp = 0;
  let lower = 0x80;
  let upper = 0xbf;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (needed === 0) {
      i++;
      if (b < 0x80) push(b);
      else if (b >= 0xc2 && b <= 0xdf) (needed = 1), (cp = b & 0x1f);
      else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        needed = 2;
        cp = b & 0xf;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        needed = 3;
        cp = b & 0x7;
      } else bad();
      continue;
    }
    if (b < lower || b > upper) {
      // the byte is not consumed: it starts the next sequence
      needed = seen = cp = 0;
      lower = 0x80;
      upper = 0xbf;
      bad();
      continue;
    }
    i++;
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    if (++seen === needed) {
      push(cp);
      needed = seen = cp = 0;
    }
  }
  if (needed !== 0) bad();
  parts.push(String.fromCharCode(...units));
  return parts.join('');
}
