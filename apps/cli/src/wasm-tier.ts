import * as v8 from 'node:v8';

/** Commands that run until stopped: for them the optimizing compiler's cost is paid once and repaid many times. */
const LONG_RUNNING = new Set(['serve', 'consume', 'publish']);

/**
 * One-shot commands on the embedded store compile PGlite's 9 MB of WebAssembly with V8's baseline
 * compiler (Liftoff) only. Left to tier up, a query spent about as much CPU optimizing PostgreSQL's
 * code in the background as running it, and some 100 MB more memory (measured on `view`: 3.4 →
 * 1.9 s of CPU, 250 → 155 MB peak RSS). V8 reads the flag when a module is compiled, so it must be
 * set before PGlite starts; with DATABASE_URL no WebAssembly is compiled and the flag changes nothing.
 */
export function chooseWasmTier(command: string): void {
  if (!LONG_RUNNING.has(command)) v8.setFlagsFromString('--liftoff-only');
}
