import { PLAIN_LIMITS, Walk } from './plain-data.js';

/*
 * The JSON size of plain data, counted without writing any JSON: what `max_payload_bytes`, `max_result_bytes` and
 * the store's value limit are measured with. It walks as plain-data.ts's checks do (the same Walk, so the same
 * refusals and budget) and adds up bytes on the way.
 */

const isArray = Array.isArray;
const keysOf = Object.keys;

/**
 * UTF-8 bytes of the value's JSON, exactly as `Buffer.byteLength(JSON.stringify(value))` would count them, without
 * writing any JSON: the value is checked as plain data on the way (NotPlainDataError otherwise), and the walk stops
 * as soon as the count passes `limit`, returning a number over it. So measuring costs no more than the limit (and
 * the value's real size), whatever references and shapes the value holds.
 */
export function jsonBytes(value: unknown, limit = Infinity, path = '$'): number {
  const walk = new Meter(limit, path);
  try {
    measure(value, walk);
  } catch (err) {
    if (err !== OVER) throw err;
  }
  return walk.size;
}

const OVER = Symbol('over the limit');

class Meter extends Walk {
  size = 0;
  constructor(readonly limit: number, path: string) {
    super(path, PLAIN_LIMITS);
  }

  add(bytes: number): void {
    this.size += bytes;
    if (this.size > this.limit) throw OVER;
  }
}

function measure(value: unknown, walk: Meter): void {
  if (walk.scalar(value)) {
    if (typeof value === 'string') {
      // a string longer than what is left is over whatever its escapes: no need to scan it
      if (value.length + 2 > walk.limit - walk.size) walk.add(value.length + 2);
      walk.add(stringBytes(value));
    } else if (typeof value === 'number') walk.add(String(value).length);
    else if (value !== undefined) walk.add(value === null || value === true ? 4 : 5);
    return;
  }
  const { path } = walk;
  if (isArray(value)) {
    const length = walk.arrayLength(value);
    walk.add(length > 0 ? length + 1 : 2);
    for (let i = 0; i < length; i++) {
      const item = walk.element(value, i);
      path.push(i);
      if (item === undefined) walk.add(4);
      else measure(item, walk);
      path.pop();
    }
    if (keysOf(value).length !== length) walk.fail('is an array with properties beside its elements');
    return;
  }
  const obj = value as Record<string, unknown>;
  walk.add(2);
  let members = 0;
  for (const key of walk.objectKeys(obj)) {
    walk.text(key.length);
    const item = obj[key];
    path.push(key);
    if (item === undefined) walk.scalar(item);
    else {
      // `"key":`, and the comma before every member but the first (JSON leaves out undefined members)
      walk.add(stringBytes(key) + 1 + (members++ ? 1 : 0));
      measure(item, walk);
    }
    path.pop();
  }
}

/** Printable ASCII other than `"` and `\`: one byte each in JSON. */
const PLAIN_ASCII = /^[\u0020\u0021\u0023-\u005b\u005d-\u007e]*$/;

/** The UTF-8 length of a string's JSON, quotes included (JSON.stringify's escapes; lone surrogates as \\uXXXX). */
function stringBytes(text: string): number {
  if (PLAIN_ASCII.test(text)) return text.length + 2;
  let n = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) n += 2;
    else if (c < 0x20) n += 6;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else if (c >= 0xd800 && c < 0xe000) n += 6;
    else n += 3;
  }
  return n;
}
