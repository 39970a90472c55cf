import type { INestApplication } from '@nestjs/common';
import { authConfigFromEnv } from '@ledger/auth';
import { seed002Phases, seed004Phases } from '@ledger/ledger';
import { createApi } from '@ledger/http';
import { e2eStorage, type E2eStorage } from './engine-config';
import type { TestEngine } from '@ledger/event-store/testing/test-databases';

/** The API serving seed 002 from a throwaway store, without keys (access is another suite's subject). */
export interface Seed002Api {
  readonly storage: E2eStorage;
  readonly app: INestApplication;
  /** http://127.0.0.1:port */
  readonly base: string;
  /** Stops serving (the store's one owner lets go, so that the CLI may open it); again does nothing. */
  stop(): Promise<void>;
  /** Stops serving and drops the store. */
  cleanup(): Promise<void>;
}

/** Seed 002 in a fresh store of the engine, posted phase by phase over HTTP; fails if any event is rejected. */
export function seed002Api(engine: TestEngine): Promise<Seed002Api> {
  return seededApi(engine, 'seed 002', seed002Phases());
}

/** The year-end demo (seed 004: plans, commitments, a closed year and its 结转), the same way. */
export function seed004Api(engine: TestEngine): Promise<Seed002Api> {
  return seededApi(engine, 'seed 004', seed004Phases());
}

async function seededApi(engine: TestEngine, name: string, phases: Record<string, unknown>[][]): Promise<Seed002Api> {
  const storage = await e2eStorage(engine);
  const app = await createApi(storage.config, { ...authConfigFromEnv({}), enabled: false });
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= app.close());
  try {
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    for (const phase of phases) {
      const res = await fetch(`${base}/v1/events`, {
        method: 'POST',
        body: JSON.stringify(phase),
        headers: { 'content-type': 'application/json' },
      });
      const summary = (await res.json()) as { rejected?: unknown[] };
      if (!res.ok || (summary.rejected ?? []).length > 0) {
        throw new Error(`${name} was not taken in whole: HTTP ${res.status} ${JSON.stringify(summary).slice(0, 500)}`);
      }
    }
    const cleanup = async () => {
      await stop();
      await storage.cleanup();
    };
    return { storage, app, base, stop, cleanup };
  } catch (error) {
    await stop();
    await storage.cleanup();
    throw error;
  }
}
