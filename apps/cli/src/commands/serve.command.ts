import { authConfigFromEnv } from '@ledger/auth';
import type { CliArgs } from '../args';
import { usage } from '../cli-failure';
import { cliLedgerConfig } from '../owner';

/** `ledger serve`: the HTTP API until SIGINT/SIGTERM; it serves an embedded store to the other commands meanwhile. */
export async function serveCommand(args: CliArgs): Promise<void> {
  const port = Number(args.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`--port must be a TCP port, not '${args.port}'`);
  // The HTTP stack (Express, Swagger) and the Kafka client load only for the commands that use them.
  const { startApi, startupMessage } = await import('@ledger/http');
  const auth = authConfigFromEnv();
  const started = await startApi(port, cliLedgerConfig('serve', true), auth);
  const app = started.app;
  process.stderr.write(startupMessage(started, auth));
  await new Promise<void>((resolve) => {
    const stop = () => void app.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
