import type { CliArgs } from '../args';
import { CliFailure } from '../cli-failure';
import { cliLedgerConfig } from '../owner';

/** `ledger consume`: treasury payments from Kafka into the ledger, and the ledger's events and alerts out. */
export function consumeCommand(_args: CliArgs): Promise<void> {
  return runKafka({ consume: true, publish: true });
}

/** `ledger publish`: the ledger's events and alerts out to Kafka, nothing in. */
export function publishCommand(_args: CliArgs): Promise<void> {
  return runKafka({ consume: false, publish: true });
}

/** Both run until SIGTERM/SIGINT, finishing the batch in hand. */
async function runKafka(mode: { consume: boolean; publish: boolean }): Promise<void> {
  const { kafkaConfigFromEnv } = await import('@ledger/kafka');
  const { metricsPortFromEnv, runUntilSignal, startConsumer } = await import('@ledger/consumer');
  const kafka = kafkaConfigFromEnv();
  if (kafka === undefined) {
    throw new CliFailure({
      code: 'KAFKA_NOT_CONFIGURED',
      message: 'Kafka is not configured: set KAFKA_BROKERS (host:port[,host:port…]); see docs/kafka.md',
    });
  }
  const consumer = await startConsumer({
    kafka,
    ...mode,
    metricsPort: metricsPortFromEnv(),
    ledger: cliLedgerConfig(mode.consume ? 'consume' : 'publish', true),
  });
  process.stderr.write(
    `ledger ${mode.consume ? 'consuming' : 'publishing'} (brokers ${kafka.brokers.join(',')}); SIGTERM or Ctrl-C stops after the batch in hand\n`,
  );
  await runUntilSignal(consumer);
}
