/**
 * A minimal Prometheus registry (text exposition format 0.0.4): counters and gauges with labels.
 * It is all the ledger needs, without a client library's default collectors and dependencies.
 * Values are plain numbers: they count messages and events, never money.
 */

export type Labels = Readonly<Record<string, string>>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Label combinations per metric; beyond it a programmer error (an unbounded label value) fails loudly. */
export const MAX_SERIES_PER_METRIC = 10_000;

type MetricType = 'counter' | 'gauge';

abstract class Metric {
  private readonly series = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`metric name '${name}' is not valid`);
    for (const label of labelNames) if (!LABEL_NAME.test(label)) throw new Error(`metric ${name}: label name '${label}' is not valid`);
  }

  abstract readonly type: MetricType;

  /** The value of one series (0 when it was never touched). */
  get(labels: Labels = {}): number {
    return this.series.get(this.keyOf(labels))?.value ?? 0;
  }

  protected update(labels: Labels, fn: (value: number) => number): void {
    const key = this.keyOf(labels);
    const current = this.series.get(key);
    if (current !== undefined) {
      current.value = fn(current.value);
      return;
    }
    if (this.series.size >= MAX_SERIES_PER_METRIC) {
      throw new Error(`metric ${this.name}: more than ${MAX_SERIES_PER_METRIC} label combinations`);
    }
    this.series.set(key, { labels: { ...labels }, value: fn(0) });
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.series.values()) {
      lines.push(`${this.name}${renderLabels(this.labelNames, labels)} ${formatValue(value)}`);
    }
    return lines.join('\n');
  }

  private keyOf(labels: Labels): string {
    const given = Object.keys(labels);
    if (given.length !== this.labelNames.length || !this.labelNames.every((name) => typeof labels[name] === 'string')) {
      throw new Error(`metric ${this.name}: labels must be exactly ${JSON.stringify(this.labelNames)}, got ${JSON.stringify(given)}`);
    }
    return JSON.stringify(this.labelNames.map((name) => labels[name]));
  }
}

export class Counter extends Metric {
  readonly type = 'counter';

  inc(labels: Labels = {}, by = 1): void {
    if (!Number.isFinite(by) || by < 0) throw new Error(`counter ${this.name}: cannot increase by ${by}`);
    this.update(labels, (value) => value + by);
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge';

  set(labels: Labels, value: number): void {
    this.update(labels, () => value);
  }

  inc(labels: Labels = {}, by = 1): void {
    this.update(labels, (value) => value + by);
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  /** Registers a counter, or returns the one already registered under that name. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.register(name, () => new Counter(name, help, labelNames), Counter);
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.register(name, () => new Gauge(name, help, labelNames), Gauge);
  }

  /** The exposition text, metrics in registration order. */
  render(): string {
    const blocks = [...this.metrics.values()].map((metric) => metric.render());
    return blocks.length === 0 ? '' : `${blocks.join('\n')}\n`;
  }

  private register<M extends Metric>(name: string, make: () => M, kind: abstract new (...args: never[]) => M): M {
    const existing = this.metrics.get(name);
    if (existing !== undefined) {
      if (!(existing instanceof kind)) throw new Error(`metric ${name} is already registered as a ${existing.type}`);
      return existing;
    }
    const metric = make();
    this.metrics.set(name, metric);
    return metric;
  }
}

/** The registry of this process, rendered by `GET /metrics`. */
export const defaultRegistry = new MetricsRegistry();

/** The counters of the Kafka paths (ISSUE 5 §5), registered once per registry. */
export interface IngestionMetrics {
  readonly consumed: Counter;
  readonly stored: Counter;
  readonly duplicates: Counter;
  readonly deadLettered: Counter;
  readonly published: Counter;
  readonly publishFailures: Counter;
  readonly consumerLag: Gauge;
}

export function ingestionMetrics(registry: MetricsRegistry = defaultRegistry): IngestionMetrics {
  return {
    consumed: registry.counter('ledger_messages_consumed_total', 'Messages taken from the payments topic.', ['topic']),
    stored: registry.counter('ledger_events_stored_total', 'Events stored by the consumer pipeline.', ['source']),
    duplicates: registry.counter(
      'ledger_events_duplicate_total',
      'Events acknowledged as duplicates (eventId already stored with the same content).',
      ['source'],
    ),
    deadLettered: registry.counter('ledger_messages_dead_lettered_total', 'Messages sent to the dead-letter topic, by reason code.', [
      'source',
      'code',
    ]),
    published: registry.counter('ledger_events_published_total', 'Stored events published to Kafka, by topic.', ['topic']),
    publishFailures: registry.counter(
      'ledger_publish_failures_total',
      'Publisher attempts that failed (sink or database), retried from the checkpoint.',
      [],
    ),
    consumerLag: registry.gauge('ledger_kafka_consumer_lag', 'Messages behind the high watermark: high watermark minus committed offset.', [
      'topic',
      'partition',
    ]),
  };
}

function renderLabels(names: readonly string[], labels: Labels): string {
  if (names.length === 0) return '';
  return `{${names.map((name) => `${name}="${escapeLabel(labels[name] ?? '')}"`).join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
