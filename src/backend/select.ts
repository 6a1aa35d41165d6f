/**
 * Picks the backend once per isolate.
 *
 * Main isolate: NATIVE_THREADS_BACKEND=native|js forces one; otherwise native when
 * the addon loads, else js with a one-line notice on stderr naming this platform
 * (platform-arch[-libc]), the prebuilt package that would fit, and why it did not
 * load. With NATIVE_THREADS_BACKEND=native that diagnosis and its fix are thrown
 * instead. A worker isolate started by this package attaches to whatever its
 * creator chose (the choice and the backend's shared state arrive in
 * `workerData[kBackendKey]`), so every thread of a process uses the same backend.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread, workerData } from 'node:worker_threads';
import type { Backend } from './types.js';
import { loadNativeBackend } from './native.js';
import { createJsBackend } from './js.js';
import { packageRoot } from '../package-root.js';

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

/**
 * The napi-rs platform name of this process ("linux-x64-gnu", "darwin-arm64",
 * "win32-x64-msvc", ...), as the generated loader crate/binding.cjs spells it.
 */
function platformName(): string {
  const { platform, arch } = process;
  if (platform === 'linux') return `${platform}-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `${platform}-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/** glibc reports its version in the process report; musl does not. */
function isMusl(): boolean {
  try {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    return report?.header?.glibcVersionRuntime === undefined;
  } catch {
    return false;
  }
}

/**
 * The platforms that have a prebuilt package `native-threads-<name>`: one per
 * `napi.targets` entry of package.json and per `npm/<name>/` directory
 * (scripts/pack-proof.mjs checks that the three lists agree).
 */
export const prebuiltPlatforms: readonly string[] = [
  'linux-x64-gnu',
  'linux-x64-musl',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64-msvc',
  'win32-arm64-msvc',
];

/**
 * Why no binary fits, in one sentence naming the platform and the package that
 * would fit, and what to do about it.
 */
function diagnose(): { reason: string; fix: string } {
  const name = platformName();
  const pkg = `native-threads-${name}`;
  if (!prebuiltPlatforms.includes(name)) {
    return {
      reason: `no prebuilt binary for ${name} (prebuilt: ${prebuiltPlatforms.join(', ')})`,
      fix: 'build the addon from source with `npm run build` in a clone (needs Rust)',
    };
  }
  const require = createRequire(import.meta.url);
  const firstLine = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0] : String(error));
  const override = process.env.NAPI_RS_NATIVE_LIBRARY_PATH;
  if (override) {
    let why = 'unknown error';
    try {
      require(override);
    } catch (error) {
      why = firstLine(error);
    }
    return {
      reason: `NAPI_RS_NATIVE_LIBRARY_PATH=${override} did not load: ${why}`,
      fix: 'point NAPI_RS_NATIVE_LIBRARY_PATH at a built .node, or unset it',
    };
  }
  // A source checkout loads crate/native-threads.<name>.node first (the dev build).
  const checkout = existsSync(new URL('crate/Cargo.toml', packageRoot));
  const local = new URL(`crate/native-threads.${name}.node`, packageRoot);
  if (checkout && existsSync(local)) {
    let why = 'unknown error';
    try {
      require(fileURLToPath(local));
    } catch (error) {
      why = firstLine(error);
    }
    return {
      reason: `crate/native-threads.${name}.node did not load: ${why}`,
      fix: 'rebuild it with `npm run build` (needs Rust)',
    };
  }
  try {
    require.resolve(`${pkg}/package.json`);
  } catch {
    return checkout
      ? {
          reason: `no addon built for ${name} in this checkout, and ${pkg} is not installed`,
          fix: 'build the addon with `npm run build` (needs Rust)',
        }
      : {
          reason: `the package for ${name}, ${pkg}, is not installed`,
          fix: `install it (\`npm install ${pkg}\`, or reinstall without --omit=optional)`,
        };
  }
  let why = 'unknown error';
  try {
    require(pkg);
  } catch (error) {
    why = firstLine(error);
  }
  return {
    reason: `${pkg} is installed but did not load: ${why}`,
    fix: `reinstall it at the version of native-threads (\`npm install ${pkg}@<that version>\`)`,
  };
}

function choose(): Backend {
  const inherited = inheritedChoice();
  if (inherited !== undefined) {
    return inherited.name === 'native' ? loadNativeBackend(inherited.data) : createJsBackend(inherited.data);
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
    const { reason, fix } = diagnose();
    if (forced === 'native') {
      throw new Error(
        `native-threads: NATIVE_THREADS_BACKEND=native, but the native addon cannot load: ${reason}. ` +
          `To fix: ${fix}; or unset NATIVE_THREADS_BACKEND to run on the js backend.`,
        { cause: error },
      );
    }
    process.stderr.write(
      `native-threads: native addon unavailable (${reason}); using the js backend (set NATIVE_THREADS_BACKEND=js to silence this)\n`,
    );
    return createJsBackend(undefined);
  }
}

export const backend: Backend = choose();

/** What a pool worker needs in its `workerData` to attach to `backend`. */
export function backendWorkerData(): BackendWorkerData {
  return { name: backend.name, data: backend.workerData() };
}
