/**
 * The backend's registry under a random sequence of creates, retains and
 * releases over several kinds (crate/tests/random_ops.rs does the same for the
 * crate alone): an object lives exactly while its count is above zero, keeps its
 * kind, and a freed handle cannot be retained again. Runs on the backend under
 * test, so the js backend's registry is covered too. Seeded.
 */
import { expect, test } from 'vitest';
import { backend } from '../src/backend/select.js';
import type { Handle, ObjectKind } from '../src/backend/types.js';

test('random retains and releases free each object exactly when its count reaches zero', () => {
  let s = 0x2545f491;
  const r = (n: number): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
  const makers: [ObjectKind, () => Handle][] = [
    ['lock', () => backend.lockNew()],
    ['value', () => backend.valueNew('i32', 0)],
    ['queue', () => backend.queueNew(0, 'fifo')],
    ['event', () => backend.eventNew()],
  ];
  const base = backend.liveObjects();
  const live = new Map<Handle, { kind: ObjectKind; refs: number }>();
  const freed: Handle[] = [];
  for (let step = 0; step < 5000; step++) {
    const handles = [...live.keys()];
    const op = r(4);
    if (op === 0 || handles.length === 0) {
      const [kind, make] = makers[r(makers.length)];
      const h = make();
      expect(live.has(h), `step ${step}: handle ${h} given twice`).toBe(false);
      live.set(h, { kind, refs: 1 });
    } else if (op === 1) {
      const h = handles[r(handles.length)];
      backend.retain(h);
      (live.get(h) as { refs: number }).refs++;
    } else {
      const h = handles[r(handles.length)];
      backend.release(h);
      const entry = live.get(h) as { refs: number };
      if (--entry.refs === 0) {
        live.delete(h);
        freed.push(h);
      }
    }
    if (step % 250 === 0) {
      expect(backend.liveObjects(), `step ${step}`).toBe(base + live.size);
      for (const [h, { kind }] of live) expect(backend.kindOf(h), `step ${step}: handle ${h}`).toBe(kind);
      // Handles may be reused once freed: only those not live again must be gone.
      for (const h of freed.slice(-50)) {
        if (live.has(h)) continue;
        expect(backend.kindOf(h), `step ${step}: freed handle ${h}`).toBeUndefined();
        expect(() => backend.retain(h), `step ${step}: freed handle ${h}`).toThrow(/invalid handle/);
      }
    }
  }
  for (const [h, { refs }] of live) for (let i = 0; i < refs; i++) backend.release(h);
  expect(backend.liveObjects()).toBe(base);
});
