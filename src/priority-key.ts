/**
 * Priority keys: PriorityQueue items turned into byte strings that both backends
 * order with one comparator (`comparePriorityKeys` in backend/types.ts), so that
 * items are ordered as Python orders them: numbers (and bigints) by value,
 * strings by code point, arrays element by element like tuples (a prefix first).
 *
 * Element: tag u8, payload length u32 LE, payload.
 *   0x01 number  8 bytes: the f64, bits flipped so that bytes order as values
 *                (sign bit set for positives; all bits inverted for negatives),
 *                then one byte 0x80, or for a bigint that no f64 holds exactly:
 *                0x7f + inverted magnitude below the nearest f64 / 0x81 + magnitude above it
 *   0x02 string  UTF-8 (its byte order is code point order)
 *   0x03 / 0x04  an array opens / closes
 * A number and a string (or an array) cannot be compared: the comparator says so
 * when such elements meet at the same place, as Python raises TypeError.
 */
import { typeError } from './validate.js';

const utf8 = new TextEncoder();

class KeyWriter {
  bytes: number[] = [];

  element(tag: number, payload: ArrayLike<number>): void {
    const n = payload.length;
    this.bytes.push(tag, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
    for (let i = 0; i < n; i++) this.bytes.push(payload[i]);
  }
}

function f64Bytes(x: number): number[] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x === 0 ? 0 : x); // -0 sorts as 0, as in Python
  const out = [...new Uint8Array(view.buffer)];
  if ((out[0] & 0x80) !== 0) return out.map((b) => ~b & 0xff);
  out[0] |= 0x80;
  return out;
}

/** Big-endian magnitude with a length prefix, so that longer means larger. */
function magnitude(n: bigint): number[] {
  const hex = n.toString(16);
  const digits = hex.length % 2 === 0 ? hex : `0${hex}`;
  const bytes = digits.match(/../g)?.map((h) => parseInt(h, 16)) ?? [];
  return [bytes.length, ...bytes];
}

function numberElement(w: KeyWriter, value: number | bigint): void {
  if (typeof value === 'number') {
    w.element(0x01, [...f64Bytes(value), 0x80]);
    return;
  }
  const nearest = Number(value);
  const exact = BigInt(nearest);
  if (exact === value) w.element(0x01, [...f64Bytes(nearest), 0x80]);
  else if (value < exact) w.element(0x01, [...f64Bytes(nearest), 0x7f, ...magnitude(exact - value).map((b) => ~b & 0xff)]);
  else w.element(0x01, [...f64Bytes(nearest), 0x81, ...magnitude(value - exact)]);
}

function write(w: KeyWriter, item: unknown, depth: number): void {
  switch (typeof item) {
    case 'number':
      if (Number.isNaN(item)) throw new TypeError('item cannot be ordered: NaN is neither less nor greater than anything');
      numberElement(w, item);
      return;
    case 'bigint':
      numberElement(w, item);
      return;
    case 'string':
      w.element(0x02, utf8.encode(item));
      return;
    default:
      break;
  }
  if (Array.isArray(item) && depth < 64) {
    w.element(0x03, []);
    for (const element of item) write(w, element, depth + 1);
    w.element(0x04, []);
    return;
  }
  throw typeError('item', 'a number, string, bigint or array of these (a PriorityQueue orders its items)', item);
}

/** The key of a PriorityQueue item. @throws TypeError for an item that has no order. */
export function priorityKey(item: unknown): Uint8Array {
  const w = new KeyWriter();
  write(w, item, 0);
  return Uint8Array.from(w.bytes);
}
