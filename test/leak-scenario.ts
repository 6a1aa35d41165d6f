/**
 * The leak check, shared by test/leaks.test.ts and the soak (`--leaks`): create
 * and drop `n` shared objects (locks, values, queues and the rest), some passed
 * through queues and to threads; after a forced GC the backend's live-object
 * count must be back to its baseline, and RSS must have grown less than 20 MB in
 * at least one of two rounds after a warm-up. A leak grows RSS in every round;
 * the GC's and the allocator's one-off growth (heap and arena sizing, which moves
 * by 10-30 MB here from run to run) seldom hits two rounds in a row.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BoundedSemaphore, Condition, Event, Lock, Queue, RLock, Semaphore, SimpleQueue, Value, spawn } from 'native-threads';
import type { Backend } from '../src/backend/types.js';

// The backend of the package's own module instance (dist/, which 'native-threads' resolves to).
const selectModule: string = '../dist/internal.js';
const { backend } = (await import(selectModule)) as { backend: Backend };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export const RSS_LIMIT_MB = 20;

/** Collects until the finalizers have run and the count settles at or below `target`. */
export async function collectUntil(target: number): Promise<number> {
  let live = backend.liveObjects();
  for (let round = 0; round < 100 && live > target; round++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
    live = backend.liveObjects();
  }
  return live;
}

async function settle(): Promise<{ live: number; rss: number }> {
  let live = backend.liveObjects();
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
    live = backend.liveObjects();
  }
  return { live, rss: process.memoryUsage().rss };
}

const makers: (() => object)[] = [
  () => new Lock(),
  () => new Value('i32', 1),
  () => new Queue(),
  () => new RLock(),
  () => new Semaphore(2),
  () => new BoundedSemaphore(1),
  () => new Event(),
  () => new Condition(),
  () => new SimpleQueue(),
  () => new Value('i64', 5n),
];

/** Creates and drops `n` objects: a tenth of them go through a queue, a hundredth to a thread and back. */
async function churn(n: number): Promise<void> {
  const q = new Queue();
  const BATCH = 10_000;
  for (let done = 0; done < n; done += BATCH) {
    const toThread: object[] = [];
    for (let i = 0; i < BATCH && done + i < n; i++) {
      const o = makers[(done + i) % makers.length]!();
      if (i % 10 === 0) q.put({ o, i });
      if (i % 100 === 0) toThread.push(o);
    }
    while (!q.empty()) q.get();
    // The thread gets them as arguments, puts half of them in a queue it makes, drops it, returns the rest.
    const back = spawn(
      async (list: object[]) => {
        const { Queue } = await import('native-threads');
        const mine = new Queue();
        for (const o of list.slice(0, list.length / 2)) mine.put(o);
        return list.slice(list.length / 2);
      },
      toThread,
    );
    (await back.joinAsync()) as object[];
  }
}

/**
 * Forces a GC in the pool's worker isolates too (a few threads in a row, each
 * collecting in its isolate and letting its finalizers run): an idle isolate
 * otherwise keeps the wrappers of the handles it saw until it next collects.
 */
async function collectInThreads(): Promise<void> {
  const threads = [];
  for (let i = 0; i < 4; i++) {
    threads.push(
      spawn(async () => {
        const { setFlagsFromString } = await import('node:v8');
        const { runInNewContext } = await import('node:vm');
        setFlagsFromString('--expose-gc');
        const gc = runInNewContext('gc') as () => void;
        for (let i = 0; i < 3; i++) {
          gc();
          await new Promise((r) => setTimeout(r, 20));
        }
      }),
    );
  }
  for (const t of threads) await t.joinAsync();
}

export interface LeakResult {
  objects: number;
  liveBaseline: number;
  liveAfter: number;
  /** RSS growth (MB) over a round of churn and GC after the warm-up: the smaller of two rounds'. */
  rssGrowthMB: number;
  /** RSS growth (MB) over the warm-up (not checked: one-time growth). */
  warmupGrowthMB: number;
  problems: string[];
}

export async function leakRound(n: number): Promise<LeakResult> {
  // A warm-up of the same size, so one-time growth (thread pool, JIT, heap and
  // allocator sizing, the pool's worker isolates) is in the baseline.
  const start = await settle();
  await churn(n);
  await collectInThreads();
  const before = await settle();
  const liveBaseline = await collectUntil(0);
  await churn(n);
  await collectInThreads();
  await collectUntil(liveBaseline);
  const middle = await settle();
  await churn(n);
  await collectInThreads();
  const liveAfter = await collectUntil(liveBaseline);
  const after = await settle();
  const rssGrowthMB = Math.min(middle.rss - before.rss, after.rss - middle.rss) / 2 ** 20;
  const problems: string[] = [];
  if (liveAfter > liveBaseline) problems.push(`live objects: ${liveAfter} after, ${liveBaseline} before`);
  if (rssGrowthMB >= RSS_LIMIT_MB) problems.push(`RSS grew ${rssGrowthMB.toFixed(1)} MB`);
  const warmupGrowthMB = Math.round(((before.rss - start.rss) / 2 ** 20) * 10) / 10;
  return { objects: n, liveBaseline, liveAfter, rssGrowthMB: Math.round(rssGrowthMB * 10) / 10, warmupGrowthMB, problems };
}
