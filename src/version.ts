// Replaced at build time by esbuild's `define`; the fallbacks serve tests and `node src/…` runs.
declare const __HCP_VERSION__: string | undefined;
declare const __HCP_COMMIT__: string | undefined;

export const VERSION: string = typeof __HCP_VERSION__ === 'string' ? __HCP_VERSION__ : '0.0.0-dev';
export const COMMIT: string = typeof __HCP_COMMIT__ === 'string' ? __HCP_COMMIT__ : 'unknown';
export const BINARY_LABEL = 'kubectl hcp';
