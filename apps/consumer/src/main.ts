import 'reflect-metadata';
import { kafkaConfigFromEnv } from '@ledger/kafka';
import { ledgerConfigFromEnv, withOwner } from '@ledger/ledger';
import { metricsPortFromEnv, runUntilSignal, startConsumer } from '@ledger/consumer';

/**
 * The Kafka consumer app alone: treasury payments in, ledger events and alerts out, until SIGTERM
 * or SIGINT. The CLI's `ledger consume` does the same. Exit 2 when it cannot run (no KAFKA_BROKERS,
 * bad settings), 1 when the consumer failed while running.
 */
async function main(): Promise<number> {
  const kafka = kafkaConfigFromEnv();
  if (kafka === undefined) {
    process.stderr.write('consumer: KAFKA_BROKERS is not set (host:port[,host:port…]); nothing to consume from\n');
    return 2;
  }
  const running = await startConsumer({
    kafka,
    consume: true,
    publish: true,
    metricsPort: metricsPortFromEnv() ?? 9464,
    // It serves an embedded store to the CLI while it runs (DESIGN.md §10).
    ledger: withOwner(ledgerConfigFromEnv(), { command: 'ledger-consumer', share: true }),
  });
  try {
    await runUntilSignal(running);
    return 0;
  } catch (error) {
    process.stderr.write(`consumer failed: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`consumer could not start: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
