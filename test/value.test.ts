import { describe, expect, test } from 'vitest';
import { Value, spawn } from 'native-threads';

describe('Value', () => {
  test('defaults to an f64 holding 0', () => {
    const v = new Value();
    expect(v.type).toBe('f64');
    expect(v.value).toBe(0);
    v.value = 1.5;
    expect(v.value).toBe(1.5);
  });

  test.each(['i32', 'u32', 'f64'] as const)('%s cells store, add and compareExchange numbers', (type) => {
    const v = new Value(type, 7);
    expect(v.value).toBe(7);
    expect(v.add(3)).toBe(7);
    expect(v.value).toBe(10);
    expect(v.compareExchange(10, 20)).toBe(10);
    expect(v.value).toBe(20);
    expect(v.compareExchange(10, 30)).toBe(20);
    expect(v.value).toBe(20);
  });

  test('i64 cells hold bigints', () => {
    const v = new Value('i64', 2n ** 40n);
    expect(v.value).toBe(2n ** 40n);
    expect(v.add(1n)).toBe(2n ** 40n);
    expect(v.value).toBe(2n ** 40n + 1n);
    expect(new Value('i64').value).toBe(0n);
  });

  test('a value set in one thread is seen in another', () => {
    const v = new Value('i32', 0);
    spawn((x: Value) => {
      x.value = 41;
    }, v).join();
    expect(spawn((x: Value) => x.value + 1, v).join()).toBe(42);
  });

  test('add is atomic: two threads × 20000 adds lose none', () => {
    const v = new Value('i32', 0);
    const work = (x: Value) => {
      for (let i = 0; i < 20000; i++) x.add(1);
    };
    const threads = [spawn(work, v), spawn(work, v)];
    threads.forEach((t) => t.join());
    expect(v.value).toBe(40000);
  });

  test('f64 add is atomic too', () => {
    const v = new Value('f64', 0);
    const work = (x: Value) => {
      for (let i = 0; i < 5000; i++) x.add(0.5);
    };
    const threads = [spawn(work, v), spawn(work, v)];
    threads.forEach((t) => t.join());
    expect(v.value).toBe(5000);
  });

  describe('bad input', () => {
    test('an unknown type is a TypeError naming type', () => {
      expect(() => new Value('f32' as never)).toThrow(/type/);
      expect(() => new Value('f32' as never)).toThrow(TypeError);
    });

    test('a value of the wrong kind is a TypeError naming it', () => {
      expect(() => new Value('i32', '1' as never)).toThrow(/initial/);
      expect(() => new Value('i64', 1 as never)).toThrow(TypeError);
      const v = new Value('i32', 1);
      expect(() => {
        v.value = '2' as never;
      }).toThrow(/value/);
      expect(v.value).toBe(1);
      const big = new Value('i64');
      expect(() => {
        big.value = 5 as never;
      }).toThrow(TypeError);
      expect(() => v.add(1n as never)).toThrow(/n/);
    });

    test('integers out of range or fractional for integer cells are RangeErrors', () => {
      expect(() => new Value('i32', 2 ** 31)).toThrow(RangeError);
      expect(() => new Value('u32', -1)).toThrow(RangeError);
      expect(() => new Value('i32', 1.5)).toThrow(RangeError);
    });
  });
});
