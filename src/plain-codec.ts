/**
 * A fast encoding for plain data: the JSON-like items most programs put in queues
 * (plain objects and arrays of numbers, strings, booleans, null, undefined and
 * bigints). `v8.serialize` and `deserialize` cost microseconds per small object,
 * most of it in setting up a (de)serializer; this writes and reads the bytes
 * directly and exactly (numbers as their f64 bits, so -0 and NaN survive).
 *
 * Anything else makes `encodePlain` return undefined, and the caller uses the
 * general serializer: Maps, Sets, Dates, typed arrays, class instances,
 * null-prototype objects, handles and SharedArrayBuffers; an object met twice
 * (structured clone keeps the sharing; this would not); arrays with holes, extra
 * properties or over MAX_ARRAY elements; nesting over MAX_DEPTH; a getter that
 * throws (the general path then reports it). Result: what structured clone would
 * give, for every value this accepts.
 *
 * Body grammar, after codec.ts's header and tag:
 *   value := 0 undefined | 1 null | 2 false | 3 true | 4 f64 LE
 *          | 5 latin1 string: u32 LE n, n bytes | 6 UTF-16 string: u32 LE n, 2n bytes LE
 *          | 7 bigint: a latin1 string of its decimal digits
 *          | 8 array: u32 LE n, n values | 9 object: u32 LE n, n × (string value)
 */

const enum P {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  Number = 4,
  Latin1 = 5,
  Utf16 = 6,
  BigInt = 7,
  Array = 8,
  Object = 9,
}

const MAX_DEPTH = 64;
/** Larger arrays go to v8.serialize, which is fast on them and needs no key check. */
const MAX_ARRAY = 1000;
/** Code units per String.fromCharCode.apply call (well under the engines' argument limits). */
const CHUNK = 4096;

// The encoder's buffer, grown as needed and reused; `busy` guards it against an
// encode started from a getter during another (that one takes the general path).
let buf = new Uint8Array(1024);
let view = new DataView(buf.buffer);
let pos = 0;
let busy = false;
const seen = new Set<object>();

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const bigger = new Uint8Array(size);
  bigger.set(buf.subarray(0, pos));
  buf = bigger;
  view = new DataView(buf.buffer);
}

function writeString(s: string, latin1Tag: P, utf16Tag: P): void {
  const n = s.length;
  ensure(5 + 2 * n);
  const start = pos;
  view.setUint32(start + 1, n, true);
  let p = start + 5;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) {
      // Not latin1 after all: two bytes per code unit, from the start.
      buf[start] = utf16Tag;
      p = start + 5;
      for (let j = 0; j < n; j++) {
        const d = s.charCodeAt(j);
        buf[p++] = d & 0xff;
        buf[p++] = d >>> 8;
      }
      pos = p;
      return;
    }
    buf[p++] = c;
  }
  buf[start] = latin1Tag;
  pos = p;
}

/** Appends `v`; false when it is not plain data (the buffer is then abandoned). */
function write(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'number':
      ensure(9);
      buf[pos] = P.Number;
      view.setFloat64(pos + 1, v, true);
      pos += 9;
      return true;
    case 'string':
      writeString(v, P.Latin1, P.Utf16);
      return true;
    case 'boolean':
      ensure(1);
      buf[pos++] = v ? P.True : P.False;
      return true;
    case 'undefined':
      ensure(1);
      buf[pos++] = P.Undefined;
      return true;
    case 'bigint':
      writeString(v.toString(), P.BigInt, P.BigInt); // digits and '-' are latin1
      return true;
    case 'object':
      break;
    default:
      return false; // functions and symbols: the general path throws the TypeError
  }
  if (v === null) {
    ensure(1);
    buf[pos++] = P.Null;
    return true;
  }
  if (depth >= MAX_DEPTH || seen.has(v)) return false;
  seen.add(v);
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Array.prototype && Array.isArray(v)) {
    const n = v.length;
    if (n > MAX_ARRAY || Object.keys(v).length !== n) return false; // holes or extra properties
    ensure(5);
    buf[pos] = P.Array;
    view.setUint32(pos + 1, n, true);
    pos += 5;
    for (let i = 0; i < n; i++) if (!write(v[i], depth + 1)) return false;
    return true;
  }
  if (proto !== Object.prototype) return false;
  const record = v as Record<string, unknown>;
  const keys = Object.keys(record);
  ensure(5);
  buf[pos] = P.Object;
  view.setUint32(pos + 1, keys.length, true);
  pos += 5;
  for (const key of keys) {
    writeString(key, P.Latin1, P.Utf16);
    if (!write(record[key], depth + 1)) return false;
  }
  return true;
}

/**
 * The frame codec.ts would make for `value` (a header with no handles, then
 * `tag`, then the body above), or undefined when `value` is not plain data.
 * `transient`: a view of the encoder's own buffer, valid until the next encode
 * (for a caller that copies it at once: codec.ts encodeTransient), sparing the copy.
 */
export function encodePlain(value: object, tag: number, transient = false): Uint8Array | undefined {
  if (busy) return undefined;
  busy = true;
  pos = 0;
  try {
    ensure(5);
    buf.fill(0, 0, 4);
    buf[4] = tag;
    pos = 5;
    if (!write(value, 0)) return undefined;
    return transient ? buf.subarray(0, pos) : buf.slice(0, pos);
  } catch {
    return undefined; // a getter threw: the general path calls it again and reports it
  } finally {
    busy = false;
    seen.clear();
  }
}

// --- decoding ------------------------------------------------------------------

let input: Uint8Array = new Uint8Array(0);
let inputView: DataView = new DataView(input.buffer);
let inputBuffer: ArrayBufferLike = input.buffer;
/** The array last decoded from, and where it starts in its buffer. */
let inputArray: Uint8Array | undefined;
let inputBase = 0;
let at = 0;

function readU32(): number {
  const n = inputView.getUint32(at, true);
  at += 4;
  return n;
}

function readLatin1(n: number): string {
  let s = '';
  if (n <= 32) {
    // Short strings (keys, names): a loop beats setting up an apply.
    for (let i = 0; i < n; i++) s += String.fromCharCode(input[at + i]);
  } else {
    for (let i = 0; i < n; i += CHUNK) {
      s += String.fromCharCode.apply(null, input.subarray(at + i, at + Math.min(n, i + CHUNK)) as unknown as number[]);
    }
  }
  at += n;
  return s;
}

function readUtf16(n: number): string {
  const units = new Uint16Array(n);
  for (let i = 0; i < n; i++) units[i] = input[at + 2 * i] | (input[at + 2 * i + 1] << 8);
  at += 2 * n;
  let s = '';
  for (let i = 0; i < n; i += CHUNK) {
    s += String.fromCharCode.apply(null, units.subarray(i, Math.min(n, i + CHUNK)) as unknown as number[]);
  }
  return s;
}

/**
 * Recently decoded short latin1 keys, by a hash of their bytes: an object's keys
 * repeat from item to item, and a string made afresh for each costs its building
 * and, as a property name, its internalization.
 */
const KEY_CACHE = 256;
const MAX_CACHED_KEY = 24;
const cachedKeys: string[] = new Array<string>(KEY_CACHE).fill('');

function readKey(n: number): string {
  if (n > MAX_CACHED_KEY) return readLatin1(n);
  let h = n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ input[at + i], 0x9e3779b1);
  const slot = (h >>> 24) % KEY_CACHE;
  const cached = cachedKeys[slot];
  if (cached.length === n) {
    let same = true;
    for (let i = 0; i < n && same; i++) same = cached.charCodeAt(i) === input[at + i];
    if (same) {
      at += n;
      return cached;
    }
  }
  const key = readLatin1(n);
  cachedKeys[slot] = key;
  return key;
}

function readString(): string {
  const tag = input[at++];
  const n = readU32();
  return tag === P.Utf16 ? readUtf16(n) : readKey(n);
}

function read(): unknown {
  const tag = input[at++] as P;
  switch (tag) {
    case P.Undefined:
      return undefined;
    case P.Null:
      return null;
    case P.False:
      return false;
    case P.True:
      return true;
    case P.Number: {
      const x = inputView.getFloat64(at, true);
      at += 8;
      return x;
    }
    case P.Latin1:
      return readLatin1(readU32());
    case P.Utf16:
      return readUtf16(readU32());
    case P.BigInt:
      return BigInt(readLatin1(readU32()));
    case P.Array: {
      const n = readU32();
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = read();
      return out;
    }
    case P.Object: {
      const n = readU32();
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const key = readString();
        const value = read();
        // An own property, as structured clone makes, even for "__proto__".
        if (key === '__proto__') Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
        else out[key] = value;
      }
      return out;
    }
    default:
      throw new TypeError(`corrupt item: unknown plain-data tag ${String(tag)}`);
  }
}

/**
 * Decodes a body made by `encodePlain`: the bytes of `bytes` from `from` on (the
 * bytes after the tag).
 */
export function decodePlain(bytes: Uint8Array, from: number): unknown {
  // No user code runs while reading, so one set of cursors serves every call. The
  // views cover the whole buffer, remade only when the bytes live in another
  // buffer; the array is compared first, because reading a typed array's
  // `.buffer` costs ~30 ns on Node 20 (gets mostly reuse one scratch array).
  if (bytes !== inputArray) {
    inputArray = bytes;
    inputBase = bytes.byteOffset;
    const buffer = bytes.buffer;
    if (buffer !== inputBuffer) {
      inputBuffer = buffer;
      input = new Uint8Array(buffer);
      inputView = new DataView(buffer);
    }
  }
  at = inputBase + from;
  return read();
}
