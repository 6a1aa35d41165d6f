/**
 * What the tests and the packaging proof reach inside the package's own module
 * instance: dist/internal.js shares the bundle's chunk with dist/index.js, so it
 * is the same backend and vault that 'native-threads' uses. Not in package.json's
 * `exports`: not an API.
 */
// Reaching the whole package keeps the bundle to one shared chunk (scripts/prepare.mjs).
import './index.js';
export { backend, backendWorkerData, kBackendKey, prebuiltPlatforms } from './backend/select.js';
export { vaultHeld } from './buffers.js';
