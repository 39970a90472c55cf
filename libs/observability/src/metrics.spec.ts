import { ingestionMetrics, MetricsRegistry } from './metrics';

describe('MetricsRegistry', () => {
  it('renders counters and gauges in the Prometheus text format, labels escaped', () => {
    const registry = new MetricsRegistry();
    const consumed = registry.counter('ledger_messages_consumed_total', 'Messages taken.', ['topic']);
    const lag = registry.gauge('ledger_kafka_consumer_lag', 'Behind.', ['topic', 'partition']);
    consumed.inc({ topic: 'treasury.payments' }, 3);
    consumed.inc({ topic: 'treasury.payments' });
    consumed.inc({ topic: 'a"b\\c\nd' });
    lag.set({ topic: 't', partition: '0' }, 12);
    lag.set({ topic: 't', partition: '0' }, 7);
    expect(registry.render()).toBe(
      [
        '# HELP ledger_messages_consumed_total Messages taken.',
        '# TYPE ledger_messages_consumed_total counter',
        'ledger_messages_consumed_total{topic="treasury.payments"} 4',
        'ledger_messages_consumed_total{topic="a\\"b\\\\c\\nd"} 1',
        '# HELP ledger_kafka_consumer_lag Behind.',
        '# TYPE ledger_kafka_consumer_lag gauge',
        'ledger_kafka_consumer_lag{topic="t",partition="0"} 7',
        '',
      ].join('\n'),
    );
  });

  it('returns the registered metric for the same name, and refuses a clash of kinds, bad labels and decrements', () => {
    const registry = new MetricsRegistry();
    expect(ingestionMetrics(registry).stored).toBe(ingestionMetrics(registry).stored);
    expect(() => registry.gauge('ledger_events_stored_total', 'x')).toThrow('already registered as a counter');
    const counter = registry.counter('c_total', 'c', ['code']);
    expect(() => counter.inc({})).toThrow('labels must be exactly');
    expect(() => counter.inc({ code: 'X', other: 'Y' })).toThrow('labels must be exactly');
    expect(() => counter.inc({ code: 'X' }, -1)).toThrow('cannot increase by -1');
    expect(() => registry.counter('bad name', 'x')).toThrow('not valid');
    expect(counter.get({ code: 'X' })).toBe(0);
  });
});
