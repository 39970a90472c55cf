import type { LineState } from '@ledger/domain';
import { LineCache } from './line-cache';

const line = (lineId: string, department: string, executedFen = 0n): LineState => ({
  lineId,
  department,
  fiscalYear: 2021,
  kind: 'basic',
  tags: [],
  initialFen: 100n,
  adjustmentsFen: 0n,
  transfersInFen: 0n,
  transfersOutFen: 0n,
  executedFen,
});
const A = 'budget-A-2021';
const B = 'budget-B-2021';

describe('LineCache', () => {
  it('gives a copy of a line while its stream is at the version it was kept at, and drops the stream once it moved', () => {
    const cache = new LineCache();
    cache.remember(new Map([[A, [-1n, 3n] as const]]), [line('a1', 'A'), line('a2', 'A')]);
    const taken = cache.take(A, 'a1', 3n);
    expect(taken).toEqual(line('a1', 'A'));
    (taken as LineState).executedFen = 99n; // a batch evolving its copy leaves the cache as it was
    expect(cache.take(A, 'a1', 3n)?.executedFen).toBe(0n);
    expect(cache.take(A, 'a1', 4n)).toBeUndefined();
    expect(cache.has(A, 'a2')).toBe(false); // the whole stream is gone, not just the line asked for
  });

  it('keeps the other lines of a stream that was exact when locked, and replaces a stream that was not', () => {
    const cache = new LineCache();
    cache.remember(
      new Map([
        [A, [-1n, 3n] as const],
        [B, [-1n, 7n] as const],
      ]),
      [line('a1', 'A'), line('a2', 'A'), line('b1', 'B')],
    );
    // A batch locked A at 3 (as kept) and B at 8 (someone else wrote B meanwhile), and committed at 5 and 9.
    cache.remember(
      new Map([
        [A, [3n, 5n] as const],
        [B, [8n, 9n] as const],
      ]),
      [line('a1', 'A', 10n), line('b2', 'B', 20n)],
    );
    expect([cache.take(A, 'a1', 5n)?.executedFen, cache.take(A, 'a2', 5n)?.executedFen]).toEqual([10n, 0n]);
    expect([cache.has(B, 'b1'), cache.take(B, 'b2', 9n)?.executedFen]).toEqual([false, 20n]);
  });

  it('keeps nothing of a line whose stream the transaction did not lock', () => {
    const cache = new LineCache();
    cache.remember(new Map([[A, [-1n, 0n] as const]]), [line('b1', 'B')]);
    expect(cache.has(B, 'b1')).toBe(false);
  });
});
