/**
 * Turns values into bytes that any thread can turn back into values: queue items
 * and thread results.
 *
 * Layout (the header is part of the backend contract, see backend/types.ts):
 *   u32 LE  n, the number of handles
 *   n × u32 LE  handle ids (each owns one reference once the bytes are stored)
 *   u8      tag (frame.ts)
 *   ...     body
 * Numbers, strings, booleans, null, undefined and bigints have tags of their own
 * and skip the general serializer (v8.serialize costs microseconds per object).
 * Everything else goes through v8.serialize; handle wrappers inside it are first
 * replaced by placeholders that carry their index in the header, and
 * SharedArrayBuffers (and views on them), which v8.serialize cannot carry, by
 * placeholders naming the buffer, which travels through the vault (buffers.ts).
 */
import { deserialize, serialize } from 'node:v8';
import { decodePlain, encodePlain } from './plain-codec.js';
import { checkNotForged, kHandle, kTransit, isHandleObject, wrapperFor, type HandleObject } from './handles.js';
import type { Handle } from './backend/types.js';
import { backend } from './backend/select.js';
import { NUMBER_FRAME_BYTES, Tag, writeNumberFrame } from './frame.js';
import { buffersFor, deposit, idOf, uniqueNumber } from './buffers.js';

/** Key of the object that stands for a handle inside serialized data. */
const kPlaceholder = '\u0000native-threads-handle';
/** Key of the object that stands for a SharedArrayBuffer (or a view on one) inside serialized data. */
const kBufferPlaceholder = '\u0000native-threads-buffer';

/** What stands for a wrapper in transit: its handle's index in the header, and its Transit. */
interface Placeholder {
  [kPlaceholder]: number;
  tag?: string;
  parts?: Placeholder[];
}

/** What stands for a buffer in transit: its index in the item's buffer ids; for a view, its type and extent. */
interface BufferPlaceholder {
  [kBufferPlaceholder]: number;
  /** A view's type, byte offset and length (in elements; in bytes for a DataView). */
  view?: [ViewType, number, number];
}

type TypedArrayName =
  | 'Int8Array' | 'Uint8Array' | 'Uint8ClampedArray' | 'Int16Array' | 'Uint16Array' | 'Int32Array'
  | 'Uint32Array' | 'Float32Array' | 'Float64Array' | 'BigInt64Array' | 'BigUint64Array';
type ViewType = TypedArrayName | 'DataView' | 'Buffer';
const viewTypes: Record<TypedArrayName, new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => ArrayBufferView> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

function isWalkable(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) &&
    !(value instanceof ArrayBuffer) && !(value instanceof SharedArrayBuffer) &&
    !(value instanceof Date) && !(value instanceof RegExp);
}

/** What a walk collects: handles (header order) and, when it replaces them too, buffers (with their ids). */
interface Found {
  ids: Handle[];
  buffers?: Map<SharedArrayBuffer, number>;
  /** Counts replacements, so that a subtree without any is not copied. */
  replaced: number;
}

/**
 * Replaces handle wrappers with placeholders, collecting their ids; copies only
 * when one is found. SharedArrayBuffers stay (thread args go by postMessage,
 * which shares them).
 */
export function withPlaceholders(value: unknown, ids: Handle[]): unknown {
  return replace(value, { ids, replaced: 0 }, new Map());
}

function replaceBuffer(value: unknown, found: Found, memo: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null || found.buffers === undefined) return value;
  let buffer: SharedArrayBuffer;
  let view: ViewType | undefined;
  if (value instanceof SharedArrayBuffer) buffer = value;
  else if (ArrayBuffer.isView(value) && value.buffer instanceof SharedArrayBuffer) {
    buffer = value.buffer;
    view = value instanceof DataView ? 'DataView' : Buffer.isBuffer(value) ? 'Buffer' : (value as Uint8Array)[Symbol.toStringTag] as ViewType;
  } else {
    return value;
  }
  if (memo.has(value)) {
    found.replaced++;
    return memo.get(value);
  }
  let index = found.buffers.get(buffer);
  if (index === undefined) {
    index = found.buffers.size;
    found.buffers.set(buffer, index);
  }
  const placeholder: BufferPlaceholder = { [kBufferPlaceholder]: index };
  if (view !== undefined) {
    const v = value as ArrayBufferView;
    placeholder.view = [view, v.byteOffset, view === 'DataView' ? v.byteLength : (v as Uint8Array).length];
  }
  found.replaced++;
  memo.set(value, placeholder);
  return placeholder;
}

function replace(value: unknown, found: Found, memo: Map<object, unknown>): unknown {
  if (!isWalkable(value)) return replaceBuffer(value, found, memo);
  checkNotForged(value, 'the value');
  if (isHandleObject(value)) {
    found.ids.push(value[kHandle]);
    found.replaced++;
    const placeholder: Placeholder = { [kPlaceholder]: found.ids.length - 1 };
    const transit = value[kTransit];
    if (transit?.tag !== undefined) placeholder.tag = transit.tag;
    if (transit?.parts !== undefined) placeholder.parts = transit.parts.map((part) => replace(part, found, memo) as Placeholder);
    return placeholder;
  }
  if (memo.has(value)) {
    const copy = memo.get(value);
    // A container met again that was copied the first time: its new parent must be copied too.
    if (copy !== value) found.replaced++;
    return copy;
  }
  memo.set(value, value); // cycles resolve to the original until a copy exists
  const before = found.replaced;
  let copy: unknown;
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [replace(k, found, memo), replace(v, found, memo)] as const);
    copy = found.replaced === before ? value : new Map(entries);
  } else if (value instanceof Set) {
    const items = [...value].map((v) => replace(v, found, memo));
    copy = found.replaced === before ? value : new Set(items);
  } else if (Array.isArray(value)) {
    const items = value.map((v) => replace(v, found, memo));
    copy = found.replaced === before ? value : items;
  } else {
    const entries = Object.entries(value).map(([k, v]) => [k, replace(v, found, memo)] as const);
    copy = found.replaced === before ? value : Object.fromEntries(entries);
  }
  memo.set(value, copy);
  return copy;
}

function reviveBuffer(p: BufferPlaceholder, buffers: readonly SharedArrayBuffer[]): unknown {
  const buffer = buffers[p[kBufferPlaceholder]];
  if (buffer === undefined) return p;
  if (p.view === undefined) return buffer;
  const [view, offset, length] = p.view;
  if (view === 'DataView') return new DataView(buffer, offset, length);
  // Node's Buffer.from takes a SharedArrayBuffer (and shares it); its typings only say ArrayBuffer.
  if (view === 'Buffer') return Buffer.from(buffer as unknown as ArrayBuffer, offset, length);
  return new viewTypes[view](buffer, offset, length);
}

/** One revival's state (module-level functions, not closures: esbuild's keepNames names each closure as it is made). */
interface Revival {
  ids: readonly Handle[];
  owned: boolean;
  buffers: readonly SharedArrayBuffer[] | undefined;
  seen: Set<object>;
  /** One placeholder met twice (the same view twice in the item) is one object again. */
  revived: Map<object, unknown>;
}

/**
 * Turns placeholders back into wrappers (and, given `buffers`, into those
 * buffers or views on them), in place (the value is a fresh copy).
 */
export function revivePlaceholders(
  value: unknown,
  ids: readonly Handle[],
  owned: boolean,
  buffers?: readonly SharedArrayBuffer[],
): unknown {
  // Nothing a placeholder could name: the walk below would leave every value as it is.
  if (ids.length === 0 && buffers === undefined) return value;
  return reviveValue({ ids, owned, buffers, seen: new Set(), revived: new Map() }, value);
}

function revivePlaceholder(r: Revival, p: Placeholder): unknown {
  const index = p[kPlaceholder];
  if (typeof index !== 'number' || index < 0 || index >= r.ids.length) return p;
  const parts = (p.parts ?? []).map((part) => revivePlaceholder(r, part) as HandleObject);
  return wrapperFor(r.ids[index], r.owned, p.tag, parts);
}

function reviveValue(r: Revival, v: unknown): unknown {
  if (!isWalkable(v)) return v;
  if (r.buffers !== undefined && Object.hasOwn(v, kBufferPlaceholder)) {
    if (!r.revived.has(v)) r.revived.set(v, reviveBuffer(v as BufferPlaceholder, r.buffers));
    return r.revived.get(v);
  }
  if (Object.hasOwn(v, kPlaceholder)) return revivePlaceholder(r, v as Placeholder);
  if (r.seen.has(v)) return v;
  r.seen.add(v);
  if (v instanceof Map) {
    const entries = [...v].map(([k, x]) => [reviveValue(r, k), reviveValue(r, x)] as const);
    v.clear();
    for (const [k, x] of entries) v.set(k, x);
  } else if (v instanceof Set) {
    const items = [...v].map((x) => reviveValue(r, x));
    v.clear();
    for (const x of items) v.add(x);
  } else {
    for (const key of Object.keys(v)) (v as Record<string, unknown>)[key] = reviveValue(r, (v as Record<string, unknown>)[key]);
  }
  return v;
}

function cloneError(param: string, error: unknown): TypeError {
  const why = error instanceof Error ? error.message : String(error);
  return new TypeError(`${param} cannot cross threads: ${why}`, { cause: error });
}

function frame(ids: readonly Handle[], tag: Tag, body: Uint8Array | undefined): Uint8Array {
  const head = 4 + 4 * ids.length;
  const out = new Uint8Array(head + 1 + (body?.length ?? 0));
  if (ids.length > 0) {
    const view = new DataView(out.buffer);
    view.setUint32(0, ids.length, true);
    ids.forEach((id, i) => view.setUint32(4 + 4 * i, id, true));
  }
  out[head] = tag;
  if (body !== undefined) out.set(body, head + 1);
  return out;
}

/** Scratch for a number's bytes, little-endian as the layout says (one per isolate). */
const numberBytes = new Uint8Array(8);
const numberView = new DataView(numberBytes.buffer);

/** A number item, the commonest one, without a body array or a DataView per call; in `out` when given. */
function frameNumber(value: number, out = new Uint8Array(NUMBER_FRAME_BYTES)): Uint8Array {
  out[4] = Tag.Number;
  numberView.setFloat64(0, value, true);
  for (let i = 0; i < 8; i++) out[5 + i] = numberBytes[i];
  return out;
}

/**
 * The array numbers were last read from twice in a row, and a view of it: a
 * queue's gets read from the same scratch array each time, and a view read costs
 * ~2 ns where copying the 8 bytes out costs ~20. An array seen once is read by the
 * copy: making its view would cost more (a typed array's `.buffer` alone costs
 * ~30 ns on Node 20), which is also why arrays are compared, not buffers.
 */
let readArray: Uint8Array | undefined;
let readView: DataView<ArrayBufferLike> = numberView;
let lastArray: Uint8Array | undefined;

function readNumber(bytes: Uint8Array, at: number): number {
  if (bytes === readArray) return readView.getFloat64(at, true);
  if (bytes === lastArray) {
    readArray = bytes;
    readView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return readView.getFloat64(at, true);
  }
  lastArray = bytes;
  for (let i = 0; i < 8; i++) numberBytes[i] = bytes[at + i];
  return numberView.getFloat64(0, true);
}

/** No handles: shared, and never written to. */
const noHandles: Handle[] = [];

/** The frame `encodeTransient` writes a number to. */
const transientNumber = new Uint8Array(NUMBER_FRAME_BYTES);
const transientNumberView = new DataView(transientNumber.buffer);

/**
 * `encode` for a caller that copies the bytes before it encodes again (a
 * synchronous put): a number's frame, or plain data's, is then written into an
 * array kept for the purpose, sparing an allocation per item.
 */
export function encodeTransient(value: unknown, param: string): Uint8Array {
  if (typeof value === 'number') {
    writeNumberFrame(transientNumberView, 0, value);
    return transientNumber;
  }
  if (typeof value === 'object' && value !== null) return encodePlain(value, Tag.Plain, true) ?? encode(value, param);
  return encode(value, param);
}

/**
 * Encodes `value`. The handles it lists are not retained here: the caller retains
 * them (`retainHandles`) before the bytes are stored, and releases them all
 * (`handlesOf`) if the store fails. An item with buffers has deposited them by
 * the time this returns.
 * @param param the parameter name used in the TypeError for values that cannot be cloned.
 */
export function encode(value: unknown, param: string): Uint8Array {
  switch (typeof value) {
    case 'undefined':
      return frame([], Tag.Undefined, undefined);
    case 'boolean':
      return frame([], value ? Tag.True : Tag.False, undefined);
    case 'number':
      return frameNumber(value);
    case 'string':
      return frame([], Tag.String, utf8.encode(value));
    case 'bigint':
      return frame([], Tag.BigInt, utf8.encode(value.toString()));
    case 'function':
    case 'symbol':
      throw new TypeError(`${param} cannot cross threads: a ${typeof value} cannot be cloned`);
    default:
      break;
  }
  if (value === null) return frame([], Tag.Null, undefined);
  const plain = encodePlain(value as object, Tag.Plain);
  if (plain !== undefined) return plain;
  const found: Found = { ids: [], buffers: new Map(), replaced: 0 };
  let body: Uint8Array;
  const replaced = replace(value, found, new Map());
  const buffers = found.buffers as Map<SharedArrayBuffer, number>;
  if (buffers.size === 0) {
    try {
      body = serialize(replaced);
    } catch (error) {
      throw cloneError(param, error);
    }
    return frame(found.ids, found.ids.length === 0 ? Tag.Serialized : Tag.SerializedWithHandles, body);
  }
  for (const buffer of buffers.keys()) buffers.set(buffer, idOf(buffer));
  try {
    body = serialize([[...buffers.values()], replaced]);
  } catch (error) {
    throw cloneError(param, error);
  }
  // The token's reference, from its creation, is the one the stored item owns (see retainHandles).
  const check = uniqueNumber();
  const token = backend.valueNew('f64', check);
  try {
    deposit(token, check, buffers);
  } catch (error) {
    backend.release(token);
    throw error;
  }
  return frame([...found.ids, token], Tag.SerializedWithBuffers, body);
}

function decodeWithBuffers(body: Uint8Array, ids: Handle[], owned: boolean): unknown {
  const token = ids[ids.length - 1];
  const handles = ids.slice(0, -1);
  let buffers: SharedArrayBuffer[];
  let value: unknown;
  try {
    const [bufferIds, replaced] = deserialize(body) as [number[], unknown];
    buffers = buffersFor(bufferIds);
    value = replaced;
  } catch (error) {
    // Nothing will adopt the item's references: drop them all.
    if (owned) for (const h of ids) backend.release(h);
    throw error;
  }
  // The buffers are this isolate's objects now; the token has done its work.
  if (owned) backend.release(token);
  return revivePlaceholders(value, handles, owned, buffers);
}

/** The handle ids listed in an encoded value's header. */
export function handlesOf(bytes: Uint8Array): Handle[] {
  if ((bytes[0] | bytes[1] | bytes[2] | bytes[3]) === 0) return noHandles;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true);
  const ids: Handle[] = [];
  for (let i = 0; i < n; i++) ids.push(view.getUint32(4 + 4 * i, true));
  return ids;
}

/**
 * Gives each handle in an encoded value the reference it owns while stored; a
 * buffer token (the last handle of a SerializedWithBuffers item) has it already.
 */
export function retainHandles(bytes: Uint8Array): void {
  const ids = handlesOf(bytes);
  const n = bytes[4 + 4 * ids.length] === Tag.SerializedWithBuffers ? ids.length - 1 : ids.length;
  for (let i = 0; i < n; i++) backend.retain(ids[i]);
}

/**
 * Decodes bytes made by `encode`. `owned`: the bytes' handle references pass to
 * this isolate (an item taken from a queue); otherwise they stay with the bytes'
 * owner (a thread's result, read by every joiner). `length`: the item's, when
 * `bytes` is a longer scratch array it was copied to.
 */
export function decode(bytes: Uint8Array, owned: boolean, length = bytes.length): unknown {
  const ids = handlesOf(bytes);
  const head = 4 + 4 * ids.length;
  const tag = bytes[head] as Tag;
  // The commonest items first, with no view made.
  if (tag === Tag.Number) return readNumber(bytes, head + 1);
  if (tag <= Tag.True) return tag === Tag.Undefined ? undefined : tag === Tag.Null ? null : tag === Tag.True;
  if (tag === Tag.Plain) return decodePlain(bytes, head + 1);
  const body = bytes.subarray(head + 1, length);
  switch (tag) {
    case Tag.String:
      return utf8Decoder.decode(body);
    case Tag.BigInt:
      return BigInt(utf8Decoder.decode(body));
    case Tag.Serialized:
      return deserialize(body);
    case Tag.SerializedWithHandles:
      return revivePlaceholders(deserialize(body), ids, owned);
    case Tag.SerializedWithBuffers:
      return decodeWithBuffers(body, ids, owned);
    default:
      throw new TypeError(`corrupt item: unknown tag ${bytes[head]}`);
  }
}
