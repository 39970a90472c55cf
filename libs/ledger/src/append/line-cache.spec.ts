import type { LineState } from '@ledger/domain';
import { streamIdOf } from '@ledger/domain';
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
  committedFen: 0n,
  broughtForwardFen: 0n,
  carriedForwardFen: 0n,
});
const A = 'budget-A-2021';
const B = 'budget-B-2021';
const streamOf = (l: LineState) => streamIdOf(l.department, l.fiscalYear);
/** The year before every stream is open. */
const open = () => false;

describe('LineCache', () => {
  it('hands out a stream’s lines while its head is at the version they were kept at, and drops them once it moved', () => {
    const cache = new LineCache();
    cache.remember(new Map([[A, [-1n, 3n] as const]]), [line('a1', 'A'), line('a2', 'A')], streamOf, open);
    expect([...(cache.kept(A)?.keys() ?? [])]).toEqual(['a1', 'a2']);
    expect(cache.current(A, 3n, false)?.get('a1')).toEqual(line('a1', 'A'));
    expect(cache.current(A, 4n, false)).toBeUndefined();
    expect(cache.kept(A)).toBeUndefined(); // the whole stream is gone, not just the line asked for
  });

  it('keeps the other lines of a stream that was exact when locked, and replaces a stream that was not', () => {
    const cache = new LineCache();
    cache.remember(
      new Map([
        [A, [-1n, 3n] as const],
        [B, [-1n, 7n] as const],
      ]),
      [line('a1', 'A'), line('a2', 'A'), line('b1', 'B')],
      streamOf,
      open,
    );
    // A batch locked A at 3 (as kept) and B at 8 (someone else wrote B meanwhile), and committed at 5 and 9.
    cache.remember(
      new Map([
        [A, [3n, 5n] as const],
        [B, [8n, 9n] as const],
      ]),
      [line('a1', 'A', 10n), line('b2', 'B', 20n)],
      streamOf,
      open,
    );
    const a = cache.current(A, 5n, false);
    expect([a?.get('a1')?.executedFen, a?.get('a2')?.executedFen]).toEqual([10n, 0n]);
    expect([...(cache.current(B, 9n, false)?.keys() ?? [])]).toEqual(['b2']);
  });

  it('keeps nothing of a line whose stream the transaction did not lock, and forgets the streams of a batch that failed', () => {
    const cache = new LineCache();
    cache.remember(new Map([[A, [-1n, 0n] as const]]), [line('a1', 'A'), line('b1', 'B')], streamOf, open);
    expect(cache.kept(B)).toBeUndefined();
    cache.forget([A, B]);
    expect(cache.kept(A)).toBeUndefined();
  });

  it('drops a stream’s lines once the year before it is closed (its YearClosed moved them without moving this stream’s head)', () => {
    const cache = new LineCache();
    cache.remember(new Map([[A, [-1n, 3n] as const]]), [line('a1', 'A')], streamOf, open);
    expect(cache.current(A, 3n, true)).toBeUndefined();
    expect(cache.kept(A)).toBeUndefined();
    // Kept while open; a batch that did not ask for them commits after the year before was closed.
    cache.remember(new Map([[A, [-1n, 3n] as const]]), [line('a1', 'A'), line('a2', 'A')], streamOf, open);
    cache.remember(new Map([[A, [3n, 4n] as const]]), [line('a1', 'A', 5n)], streamOf, () => true);
    expect([...(cache.current(A, 4n, true)?.keys() ?? [])]).toEqual(['a1']);
  });
});
