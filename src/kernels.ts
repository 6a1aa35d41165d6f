/**
 * `native`: the seed's workloads run by the Rust crate on its own OS threads,
 * with no JavaScript in the loop: the floor the benchmarks compare against.
 * They need the addon, whichever backend the package runs on.
 */
import { loadNativeBackend, nativeKernels, type NativeKernels } from './backend/native.js';
import { checkBoolean, checkDuration, checkInteger } from './validate.js';

let kernels: NativeKernels | undefined;

function load(): NativeKernels {
  if (kernels === undefined) {
    loadNativeBackend(); // throws, with the reason, where the addon cannot load
    kernels = nativeKernels();
  }
  return kernels;
}

export const native = {
  /** The seed's race (two threads read, sleep `sleepMs`, write back): 1 unlocked, 2 locked. */
  seedRace(locked: boolean, sleepMs = 100): number {
    return load().seedRace(checkBoolean(locked, 'locked'), checkDuration(sleepMs, 'sleepMs'));
  },
  /** The seed's queue: `workers` threads take `items` ints, taskDone each; returns their sum. */
  seedQueue(workers = 10, items = 20): number {
    return load().seedQueue(checkInteger(workers, 'workers', 1, 1024), checkInteger(items, 'items', 0, 2 ** 31 - 1));
  },
};
