import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { LedgerKafkaConfig } from '../kafka-config';
import { waitFor } from './fixtures';

/** Helpers of the suites that run against a real broker (`npm run test:kafka`). */

export const REPO_ROOT = path.resolve(__dirname, '../../../..');
const LOCAL_BROKER = path.join(REPO_ROOT, 'infra/kafka/local-broker.sh');

/** A suite's teardown: deletes the ledger's four topics of `config` (its own, uniquely named), whatever is left of them. */
export async function deleteLedgerTopics(admin: Admin | undefined, config: LedgerKafkaConfig): Promise<void> {
  await admin
    ?.deleteTopics({ topics: [config.paymentsTopic, config.deadLetterTopic, config.ledgerTopic, config.alertsTopic] })
    .catch(() => undefined);
}

export interface FollowedMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** Collects every message of a topic from the beginning, through a group of its own. */
export async function follow(kafka: Kafka, topic: string): Promise<{ consumer: Consumer; messages: FollowedMessage[] }> {
  const messages: FollowedMessage[] = [];
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${randomBytes(3).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
      messages.push({
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        value: message.value?.toString('utf8') ?? '',
        headers,
      });
    },
  });
  return { consumer, messages };
}

/** True when the group committed every partition of the topic up to its high watermark. */
export async function committedAll(admin: Admin, groupId: string, topic: string): Promise<boolean> {
  const [watermarks, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
  return watermarks.every((w) => w.high === '0' || done.get(w.partition) === w.high);
}

/** The group's committed offsets per partition ('-1' where it never committed). */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, string>> {
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `ledger consume` as a child process, as an operator runs it: its JSON log lines (stderr) are
 * kept and can be waited for; it can be stopped (SIGTERM) or killed (SIGKILL) like a real process.
 */
export class ConsumeProcess {
  readonly logs: Record<string, unknown>[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private stderrTail = '';

  constructor(
    readonly name: string,
    env: Record<string, string>,
    readonly metricsPort: number,
  ) {
    this.child = spawn(process.execPath, ['-r', './tools/register.js', 'apps/cli/src/main.ts', 'consume'], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', METRICS_PORT: String(metricsPort), ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let partial = '';
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // A line cut by a kill; the ones before it are whole.
        }
      }
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines of its stderr, for a failure message. */
  tail(): string {
    return this.stderrTail;
  }

  async waitForLog(
    what: string,
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs = 60_000,
  ): Promise<Record<string, unknown>> {
    let found: Record<string, unknown> | undefined;
    await waitFor(
      `${this.name}: ${what}`,
      () => {
        found = this.logs.find(predicate);
        if (found === undefined && this.child.exitCode !== null) {
          throw new Error(`${this.name} exited (${this.child.exitCode}): ${this.tail()}`);
        }
        return found !== undefined;
      },
      timeoutMs,
    );
    return found as Record<string, unknown>;
  }

  /** Its Prometheus text, from METRICS_PORT. */
  async metrics(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    return response.text();
  }

  kill(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM: the batch in hand is stored and committed, then it exits. */
  stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** The value of one series of a Prometheus text (0 when absent). */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/**
 * The cluster of infra/kafka/local-broker.sh that KAFKA_BROKERS points at, when the suite was
 * started with LEDGER_KAFKA_DIR (as .ci/run does): its nodes can be stopped and started again.
 */
export const localBroker = {
  dir: process.env.LEDGER_KAFKA_DIR?.trim() || undefined,
  /** Runs local-broker.sh without blocking the event loop (the test's own consumers keep heartbeating). */
  run(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(LOCAL_BROKER, args, { env: process.env, encoding: 'utf8', timeout: 180_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`local-broker.sh ${args.join(' ')}: ${error.message}: ${stderr}`));
        else resolve(stdout);
      });
    });
  },
  /** How many nodes the cluster has running (0 when it is not a local-broker.sh cluster). */
  nodes(): number {
    if (this.dir === undefined) return 0;
    const result = spawnSync(LOCAL_BROKER, ['status'], { env: process.env, encoding: 'utf8' });
    return result.status === 0 ? (result.stderr.match(/node \d+: running/g) ?? []).length : 0;
  },
};
