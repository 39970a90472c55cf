import { kafkaConfigFromEnv } from './kafka-config';
import { loadTopicDefinitions } from './topics';

describe('kafkaConfigFromEnv', () => {
  it('is off without KAFKA_BROKERS', () => {
    expect(kafkaConfigFromEnv({})).toBeUndefined();
    expect(kafkaConfigFromEnv({ KAFKA_BROKERS: ' , ' })).toBeUndefined();
  });

  it('takes the defaults of the issue, and every override', () => {
    expect(kafkaConfigFromEnv({ KAFKA_BROKERS: 'kafka:9092, other:9093' })).toEqual({
      brokers: ['kafka:9092', 'other:9093'],
      clientId: 'budget-ledger',
      paymentsTopic: 'treasury.payments',
      deadLetterTopic: 'treasury.payments.dlq',
      ledgerTopic: 'ledger.events',
      alertsTopic: 'ledger.alerts',
      groupId: 'budget-ledger',
      ssl: false,
      sasl: undefined,
      maxBytesPerPartition: 1048576,
      maxBytes: 8388608,
      partitionsConsumedConcurrently: 2,
      sessionTimeoutMs: 30000,
      readyMaxLag: 10000,
    });
    const config = kafkaConfigFromEnv({
      KAFKA_BROKERS: 'b:9094',
      KAFKA_PAYMENTS_TOPIC: 'p',
      KAFKA_DEAD_LETTER_TOPIC: 'p.dlq',
      KAFKA_LEDGER_TOPIC: 'l',
      KAFKA_ALERTS_TOPIC: 'a',
      KAFKA_GROUP_ID: 'g',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'ledger',
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_PARTITIONS_CONCURRENTLY: '4',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_READY_MAX_LAG: '0',
    });
    expect(config).toMatchObject({
      paymentsTopic: 'p',
      deadLetterTopic: 'p.dlq',
      ledgerTopic: 'l',
      alertsTopic: 'a',
      groupId: 'g',
      ssl: true,
      partitionsConsumedConcurrently: 4,
      sessionTimeoutMs: 10000,
      readyMaxLag: 0,
    });
    expect(config?.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'ledger', password: 'secret' });
  });

  it('refuses values it cannot use, naming the setting', () => {
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'kafka' })).toThrow("KAFKA_BROKERS: 'kafka' is not host:port");
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'k:1', KAFKA_SSL: 'maybe' })).toThrow('KAFKA_SSL');
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'plain' })).toThrow('KAFKA_SASL_USERNAME');
    expect(() =>
      kafkaConfigFromEnv({ KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    ).toThrow('KAFKA_SASL_MECHANISM');
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'k:1', KAFKA_PAYMENTS_TOPIC: 'a topic' })).toThrow('KAFKA_PAYMENTS_TOPIC');
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'k:1', KAFKA_MAX_BYTES: '12' })).toThrow('KAFKA_MAX_BYTES');
    // Below the broker's group.min.session.timeout.ms: the group would refuse the consumer.
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'k:1', KAFKA_SESSION_TIMEOUT_MS: '1000' })).toThrow('KAFKA_SESSION_TIMEOUT_MS');
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'k:1', KAFKA_READY_MAX_LAG: '-1' })).toThrow('KAFKA_READY_MAX_LAG');
  });
});

describe('loadTopicDefinitions (infra/kafka/topics.json)', () => {
  it('defines the four topics under the configured names', () => {
    const config = kafkaConfigFromEnv({ KAFKA_BROKERS: 'k:1', KAFKA_LEDGER_TOPIC: 'custom.ledger' })!;
    const topics = loadTopicDefinitions(config);
    expect(topics.map((t) => [t.role, t.name])).toEqual([
      ['payments', 'treasury.payments'],
      ['deadLetters', 'treasury.payments.dlq'],
      ['ledgerEvents', 'custom.ledger'],
      ['alerts', 'ledger.alerts'],
    ]);
    for (const t of topics) {
      expect(t.partitions).toBeGreaterThanOrEqual(1);
      expect(t.config['cleanup.policy']).toBe('delete');
    }
    expect(loadTopicDefinitions(config, { replicationFactor: 3 }).every((t) => t.replicationFactor === 3)).toBe(true);
  });
});
