import { lagVerdict, type PartitionLag } from './kafka-health';

const lag = (partition: number, n: bigint): PartitionLag => ({ topic: 'treasury.payments', partition, lag: n });

describe('lagVerdict (readiness against KAFKA_READY_MAX_LAG)', () => {
  it('is ready up to the threshold, summed over partitions, and not one message beyond', () => {
    expect(lagVerdict([lag(0, 60n), lag(1, 40n)], 100)).toMatchObject({ ready: true, totalLag: 100n });
    expect(lagVerdict([lag(0, 60n), lag(1, 41n)], 100)).toMatchObject({ ready: false, totalLag: 101n });
  });

  it('lists the partitions behind, most behind first, and leaves out those caught up', () => {
    const verdict = lagVerdict([lag(0, 0n), lag(1, 5n), lag(2, 90n), lag(3, 5n)], 10);
    expect(verdict.behind.map((p) => [p.partition, p.lag])).toEqual([
      [2, 90n],
      [1, 5n],
      [3, 5n],
    ]);
  });

  it('0 turns the check off, and no partitions means nothing behind', () => {
    expect(lagVerdict([lag(0, 10n ** 12n)], 0)).toMatchObject({ ready: true, maxLag: 0 });
    expect(lagVerdict([], 1)).toEqual({ ready: true, totalLag: 0n, maxLag: 1, behind: [] });
  });
});
