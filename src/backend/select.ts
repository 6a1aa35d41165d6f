/**
 * Picks the backend once per isolate.
 *
 * Main isolate: NATIVE_THREADS_BACKEND=native|js forces one; otherwise native when
 * the addon loads, else js with a one-line notice on stderr. A worker isolate
 * started by this package attaches to whatever its creator chose (the choice and
 * the backend's shared state arrive in `workerData[kBackendKey]`), so every thread
 * of a process uses the same backend.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import type { Backend } from './types.js';
import { loadNativeBackend } from './native.js';
import { createJsBackend } from './js.js';

/** Key of the backend's part of a pool worker's `workerData`. */
export const kBackendKey = '__nativeThreadsBackend';

export interface BackendWorkerData {
  name: 'native' | 'js';
  data: unknown;
}

function inheritedChoice(): BackendWorkerData | undefined {
  if (isMainThread || workerData === null || typeof workerData !== 'object') return undefined;
  const entry = (workerData as Record<string, unknown>)[kBackendKey];
  if (entry === undefined) return undefined;
  return entry as BackendWorkerData;
}

function choose(): Backend {
  const inherited = inheritedChoice();
  if (inherited !== undefined) {
    return inherited.name === 'native' ? loadNativeBackend() : createJsBackend(inherited.data);
  }
  const forced = process.env.NATIVE_THREADS_BACKEND;
  if (forced !== undefined && forced !== '' && forced !== 'native' && forced !== 'js') {
    throw new TypeError(
      `NATIVE_THREADS_BACKEND must be 'native' or 'js', got '${forced}'`,
    );
  }
  if (forced === 'js') return createJsBackend(undefined);
  try {
    return loadNativeBackend();
  } catch (error) {
    if (forced === 'native') {
      throw new Error(
        'native-threads: NATIVE_THREADS_BACKEND=native, but the native addon cannot load here. ' +
          'Install the package for this platform (npm install reinstalls optional dependencies), ' +
          'build it from source with `npm run build` (needs Rust), or unset NATIVE_THREADS_BACKEND ' +
          'to run on the js backend.',
        { cause: error },
      );
    }
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(
      `native-threads: native addon unavailable (${reason}); using the js backend\n`,
    );
    return createJsBackend(undefined);
  }
}

export const backend: Backend = choose();

/** What a pool worker needs in its `workerData` to attach to `backend`. */
export function backendWorkerData(): BackendWorkerData {
  return { name: backend.name, data: backend.workerData() };
}
