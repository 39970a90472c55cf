import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo, Server } from 'node:net';
import { authConfigFromEnv } from '@ledger/auth';
import { ledgerConfigFromEnv } from '@ledger/ledger';
import { createApi } from '@ledger/http';

/**
 * Writes the OpenAPI document the app serves at /docs-json to a file (default openapi.json), for
 * `redocly lint` in CI: the app boots on a throwaway embedded store and is asked over HTTP.
 */
async function main(out: string): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-openapi-'));
  try {
    const config = { ...ledgerConfigFromEnv({}), database: { dataDir } };
    const app = await createApi(config, authConfigFromEnv({}));
    await app.listen(0, '127.0.0.1');
    try {
      const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/docs-json`);
      if (!res.ok) throw new Error(`/docs-json answered ${res.status}`);
      fs.writeFileSync(out, `${JSON.stringify(await res.json(), null, 2)}\n`);
    } finally {
      await app.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  process.stderr.write(`OpenAPI document written to ${out}\n`);
}

main(process.argv[2] ?? 'openapi.json').catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exitCode = 1;
});
