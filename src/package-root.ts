/**
 * The package's root directory, for the files it loads at run time (the addon's
 * loader crate/binding.cjs, a checkout's dev build). This module sits one level
 * below the root both as source (src/) and built (dist/ is one flat bundle), so
 * one relative URL serves both.
 */
export const packageRoot = new URL('../', import.meta.url);
