import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/apps/cli/src/main.js');

/** A `ledger serve` process of the built CLI, on a free port. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** `http://host:port`. */
  readonly base: string;
  /** The admin key the first serve on a store without keys prints (undefined with LEDGER_AUTH=off). */
  readonly firstAdminKey: string | undefined;
  /** Settles when the process has exited. */
  readonly exited: Promise<void>;
}

/**
 * Starts the built CLI's `serve --port 0` with `env` on top of this process's environment, and
 * resolves once it says where it listens (and, when it makes one, its first admin key).
 */
export function startServeProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<ServeProcess>((resolve, reject) => {
    let text = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`serve did not start in ${timeoutMs} ms: ${text}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const base = /listening on (http:\/\/\S+?)[\s(]/.exec(text)?.[1];
      const keyMade = text.includes('an admin key was made');
      const key = /^\s+(ledger_\S+)\s*$/m.exec(text)?.[1];
      if (!started && base !== undefined && (!keyMade || key !== undefined)) {
        started = true;
        clearTimeout(timer);
        resolve({ child, base, firstAdminKey: key, exited });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      if (!started) reject(new Error(`serve exited before it listened: ${text}`));
    });
  });
}
