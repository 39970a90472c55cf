import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KafkaPaymentConsumer, LedgerPublisher, type KafkaMessageSink, type LedgerKafkaConfig } from '@ledger/kafka';
import { createLogger, defaultRegistry } from '@ledger/observability';
import { CheckpointSchedule, type LedgerConfig } from '@ledger/ledger';
import { ConsumerModule, DEAD_LETTER_SINK, PUBLISHER_SINK } from './consumer.module';

export interface ConsumerOptions {
  readonly kafka: LedgerKafkaConfig;
  readonly ledger?: LedgerConfig;
  /** Treasury payments in. */
  readonly consume: boolean;
  /** Ledger events and alerts out. */
  readonly publish: boolean;
  /** `METRICS_PORT`: serve GET /metrics on this port (the consumer has no HTTP API of its own). */
  readonly metricsPort?: number;
}

export interface RunningConsumer {
  /** Rejects when the consumer fails for good; the process should exit non-zero so that it is restarted. */
  readonly failed: Promise<never>;
  readonly metricsPort: number | undefined;
  /** Finishes the batch in hand (stored and committed), stops publishing, closes the database. */
  stop(): Promise<void>;
}

/** Starts the consumer and/or the publisher. Shared by `apps/consumer` and the CLI's `consume` and `publish`. */
export async function startConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
  const logger = createLogger('consumer-app');
  const app: INestApplicationContext = await NestFactory.createApplicationContext(ConsumerModule.forRoot(options.kafka, options.ledger), {
    logger: ['error', 'warn'],
  });
  const consumer = app.get(KafkaPaymentConsumer);
  const publisher = app.get(LedgerPublisher);
  const sinks = [app.get<KafkaMessageSink>(DEAD_LETTER_SINK), app.get<KafkaMessageSink>(PUBLISHER_SINK)];
  let metrics: http.Server | undefined;
  try {
    if (options.metricsPort !== undefined) metrics = await serveMetrics(options.metricsPort);
    if (options.publish) publisher.start();
    if (options.consume) {
      app.get(CheckpointSchedule).start();
      await consumer.start();
    }
  } catch (error) {
    await publisher.stop();
    metrics?.close();
    await app.close();
    throw error;
  }
  logger.info({ consume: options.consume, publish: options.publish, metricsPort: options.metricsPort }, 'started');
  let stopped: Promise<void> | undefined;
  return {
    failed: options.consume ? consumer.failed : new Promise<never>(() => undefined),
    metricsPort: metrics === undefined ? undefined : (metrics.address() as AddressInfo).port,
    stop() {
      stopped ??= (async () => {
        // Order matters: the consumer's batch in hand needs the database; the publisher needs the sink.
        if (options.consume) await consumer.stop();
        await publisher.stop();
        for (const sink of sinks) await sink.disconnect().catch(() => undefined);
        await new Promise<void>((resolve) => (metrics === undefined ? resolve() : metrics.close(() => resolve())));
        await app.close();
        logger.info('stopped');
      })();
      return stopped;
    },
  };
}

/** Runs until SIGTERM or SIGINT (then stops gracefully), or until the consumer fails (then throws). */
export async function runUntilSignal(running: RunningConsumer): Promise<void> {
  let onSignal: (() => void) | undefined;
  const signalled = new Promise<void>((resolve) => {
    onSignal = resolve;
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  try {
    await Promise.race([signalled, running.failed]);
  } finally {
    if (onSignal !== undefined) {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
    }
    await running.stop();
  }
}

function serveMetrics(port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?') === true)) {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(defaultRegistry.render());
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve(server));
  });
}

/** `METRICS_PORT` (unset: no metrics server). */
export function metricsPortFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.METRICS_PORT?.trim();
  if (text === undefined || text === '') return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`METRICS_PORT must be a TCP port, not '${text}'`);
  return port;
}
