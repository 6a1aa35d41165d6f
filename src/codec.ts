/**
 * Turns values into bytes that any thread can turn back into values: queue items
 * and thread results.
 *
 * Layout (the header is part of the backend contract, see backend/types.ts):
 *   u32 LE  n, the number of handles
 *   n × u32 LE  handle ids (each owns one reference once the bytes are stored)
 *   u8      tag (below)
 *   ...     body
 * Numbers, strings, booleans, null, undefined and bigints have tags of their own
 * and skip the general serializer (v8.serialize costs microseconds per object).
 * Everything else goes through v8.serialize; handle wrappers inside it are first
 * replaced by placeholders that carry their index in the header.
 */
import { deserialize, serialize } from 'node:v8';
import { checkNotForged, kHandle, kTransit, isHandleObject, wrapperFor, type HandleObject } from './handles.js';
import type { Handle } from './backend/types.js';
import { backend } from './backend/select.js';

const enum Tag {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  Number = 4,
  String = 5,
  BigInt = 6,
  Serialized = 7,
  SerializedWithHandles = 8,
}

/** Key of the object that stands for a handle inside serialized data. */
const kPlaceholder = '\u0000native-threads-handle';

/** What stands for a wrapper in transit: its handle's index in the header, and its Transit. */
interface Placeholder {
  [kPlaceholder]: number;
  tag?: string;
  parts?: Placeholder[];
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

function isWalkable(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) &&
    !(value instanceof ArrayBuffer) && !(value instanceof SharedArrayBuffer) &&
    !(value instanceof Date) && !(value instanceof RegExp);
}

/** Replaces handle wrappers with placeholders, collecting their ids; copies only when one is found. */
export function withPlaceholders(value: unknown, ids: Handle[]): unknown {
  return replace(value, ids, new Map());
}

function replace(value: unknown, ids: Handle[], memo: Map<object, unknown>): unknown {
  if (!isWalkable(value)) return value;
  checkNotForged(value, 'the value');
  if (isHandleObject(value)) {
    ids.push(value[kHandle]);
    const placeholder: Placeholder = { [kPlaceholder]: ids.length - 1 };
    const transit = value[kTransit];
    if (transit?.tag !== undefined) placeholder.tag = transit.tag;
    if (transit?.parts !== undefined) placeholder.parts = transit.parts.map((part) => replace(part, ids, memo) as Placeholder);
    return placeholder;
  }
  if (memo.has(value)) return memo.get(value);
  memo.set(value, value); // cycles resolve to the original until a copy exists
  const before = ids.length;
  let copy: unknown;
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [replace(k, ids, memo), replace(v, ids, memo)] as const);
    copy = ids.length === before ? value : new Map(entries);
  } else if (value instanceof Set) {
    const items = [...value].map((v) => replace(v, ids, memo));
    copy = ids.length === before ? value : new Set(items);
  } else if (Array.isArray(value)) {
    const items = value.map((v) => replace(v, ids, memo));
    copy = ids.length === before ? value : items;
  } else {
    const entries = Object.entries(value).map(([k, v]) => [k, replace(v, ids, memo)] as const);
    copy = ids.length === before ? value : Object.fromEntries(entries);
  }
  memo.set(value, copy);
  return copy;
}

/** Turns placeholders back into wrappers, in place (the value is a fresh copy). */
export function revivePlaceholders(value: unknown, ids: readonly Handle[], owned: boolean): unknown {
  const seen = new Set<object>();
  const revivePlaceholder = (p: Placeholder): unknown => {
    const index = p[kPlaceholder];
    if (typeof index !== 'number' || index < 0 || index >= ids.length) return p;
    const parts = (p.parts ?? []).map((part) => revivePlaceholder(part) as HandleObject);
    return wrapperFor(ids[index], owned, p.tag, parts);
  };
  const visit = (v: unknown): unknown => {
    if (!isWalkable(v)) return v;
    if (Object.hasOwn(v, kPlaceholder)) return revivePlaceholder(v as Placeholder);
    if (seen.has(v)) return v;
    seen.add(v);
    if (v instanceof Map) {
      const entries = [...v].map(([k, x]) => [visit(k), visit(x)] as const);
      v.clear();
      for (const [k, x] of entries) v.set(k, x);
    } else if (v instanceof Set) {
      const items = [...v].map(visit);
      v.clear();
      for (const x of items) v.add(x);
    } else {
      for (const key of Object.keys(v)) (v as Record<string, unknown>)[key] = visit((v as Record<string, unknown>)[key]);
    }
    return v;
  };
  return visit(value);
}

function cloneError(param: string, error: unknown): TypeError {
  const why = error instanceof Error ? error.message : String(error);
  return new TypeError(`${param} cannot cross threads: ${why}`, { cause: error });
}

function frame(ids: readonly Handle[], tag: Tag, body: Uint8Array | undefined): Uint8Array {
  const head = 4 + 4 * ids.length;
  const out = new Uint8Array(head + 1 + (body?.length ?? 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, ids.length, true);
  ids.forEach((id, i) => view.setUint32(4 + 4 * i, id, true));
  out[head] = tag;
  if (body !== undefined) out.set(body, head + 1);
  return out;
}

/**
 * Encodes `value`. The handles it lists are not retained here: the caller retains
 * them (`retainHandles`) once the bytes are stored, so a failed store needs no undo.
 * @param param the parameter name used in the TypeError for values that cannot be cloned.
 */
export function encode(value: unknown, param: string): Uint8Array {
  switch (typeof value) {
    case 'undefined':
      return frame([], Tag.Undefined, undefined);
    case 'boolean':
      return frame([], value ? Tag.True : Tag.False, undefined);
    case 'number': {
      const out = frame([], Tag.Number, new Uint8Array(8));
      new DataView(out.buffer).setFloat64(5, value, true);
      return out;
    }
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
  const ids: Handle[] = [];
  let body: Uint8Array;
  try {
    body = serialize(withPlaceholders(value, ids));
  } catch (error) {
    throw cloneError(param, error);
  }
  return frame(ids, ids.length === 0 ? Tag.Serialized : Tag.SerializedWithHandles, body);
}

/** The handle ids listed in an encoded value's header. */
export function handlesOf(bytes: Uint8Array): Handle[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true);
  const ids: Handle[] = [];
  for (let i = 0; i < n; i++) ids.push(view.getUint32(4 + 4 * i, true));
  return ids;
}

/** Gives each handle in an encoded value the reference it owns while stored. */
export function retainHandles(bytes: Uint8Array): void {
  for (const h of handlesOf(bytes)) backend.retain(h);
}

/**
 * Decodes bytes made by `encode`. `owned`: the bytes' handle references pass to
 * this isolate (an item taken from a queue); otherwise they stay with the bytes'
 * owner (a thread's result, read by every joiner).
 */
export function decode(bytes: Uint8Array, owned: boolean): unknown {
  const ids = handlesOf(bytes);
  const head = 4 + 4 * ids.length;
  const body = bytes.subarray(head + 1);
  switch (bytes[head] as Tag) {
    case Tag.Undefined:
      return undefined;
    case Tag.Null:
      return null;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.Number:
      return new DataView(bytes.buffer, bytes.byteOffset + head + 1, 8).getFloat64(0, true);
    case Tag.String:
      return utf8Decoder.decode(body);
    case Tag.BigInt:
      return BigInt(utf8Decoder.decode(body));
    case Tag.Serialized:
      return deserialize(body);
    case Tag.SerializedWithHandles:
      return revivePlaceholders(deserialize(body), ids, owned);
    default:
      throw new TypeError(`corrupt item: unknown tag ${bytes[head]}`);
  }
}
