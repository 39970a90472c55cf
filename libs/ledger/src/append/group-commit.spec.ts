import { parseEvent, type LedgerEvent } from '@ledger/domain';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { rawInit, rawOpen, rawPay } from '../testing/raw-events';
import { testLedger } from '../testing/test-ledger';
import { GroupCommit } from './group-commit';
import type { AppendItemResult, AppendOptions } from './ledger-writer';

const parsed = (raw: unknown): LedgerEvent => {
  const result = parseEvent(raw);
  if (!result.ok) throw new Error(result.error.message);
  return result.event;
};
const pay = (eventId: string, amount = '1.00', lineId = 'L1') => parsed(rawPay(eventId, lineId, amount));

/** A writer that answers when told to, and remembers what it was asked: the grouping on its own. */
class ScriptedWriter {
  readonly calls: { eventIds: string[]; options: AppendOptions }[] = [];
  private readonly gates: (() => void)[] = [];
  failWhen: (eventIds: string[]) => boolean = () => false;

  async append(events: readonly LedgerEvent[], _prepared: unknown, options: AppendOptions = {}): Promise<AppendItemResult[]> {
    const eventIds = events.map((e) => e.eventId);
    this.calls.push({ eventIds, options });
    await new Promise<void>((resolve) => this.gates.push(resolve));
    if (this.failWhen(eventIds)) throw new Error(`failed: ${eventIds.join(',')}`);
    return events.map((e, i) => ({ status: 'appended', eventId: e.eventId, position: BigInt(i + 1), warnings: [] }));
  }

  /** Lets the oldest waiting append answer. */
  async release(): Promise<void> {
    for (let i = 0; i < 20 && this.gates.length === 0; i += 1) await new Promise((resolve) => setImmediate(resolve));
    this.gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('group commit (the grouping alone)', () => {
  it('sends a lone request at once, and those arriving meanwhile together next, each answered with its own results', async () => {
    const writer = new ScriptedWriter();
    const group = new GroupCommit(writer);
    const a = group.append([pay('a1')]);
    const b = group.append([pay('b1'), pay('b2')]);
    const c = group.append([pay('c1')]);
    await writer.release();
    await writer.release();
    expect(writer.calls.map((c) => c.eventIds)).toEqual([['a1'], ['b1', 'b2', 'c1']]);
    expect((await a).map((r) => r.eventId)).toEqual(['a1']);
    expect((await b).map((r) => r.eventId)).toEqual(['b1', 'b2']);
    expect((await c).map((r) => r.eventId)).toEqual(['c1']);
    expect(group.stats).toEqual({ requests: 3, commits: 2 });
  });

  it('groups only neighbours with the same recordedBy, never a dry run, and never past the batch limit', async () => {
    const writer = new ScriptedWriter();
    const group = new GroupCommit(writer, 3);
    const answers = [
      group.append([pay('x0')], { recordedBy: 'key:a' }),
      group.append([pay('a1')], { recordedBy: 'key:a' }),
      group.append([pay('a2')], { recordedBy: 'key:a' }),
      group.append([pay('b1')], { recordedBy: 'key:b' }),
      group.append([pay('b2'), pay('b3')], { recordedBy: 'key:b' }),
      group.append([pay('b4'), pay('b5')], { recordedBy: 'key:b' }),
      group.append([pay('d1')], { recordedBy: 'key:a', dryRun: true }),
    ];
    for (let i = 0; i < 6; i += 1) await writer.release();
    await Promise.all(answers);
    expect(writer.calls.map((c) => [c.eventIds.join(','), c.options.recordedBy, c.options.dryRun === true])).toEqual([
      ['x0', 'key:a', false],
      ['d1', 'key:a', true],
      ['a1,a2', 'key:a', false],
      ['b1,b2,b3', 'key:b', false],
      ['b4,b5', 'key:b', false],
    ]);
  });

  it('answers a failed group request by request, so the failure reaches only the one that caused it', async () => {
    const writer = new ScriptedWriter();
    writer.failWhen = (ids) => ids.includes('bad');
    const group = new GroupCommit(writer);
    const answers = Promise.allSettled([
      group.append([pay('first')]),
      group.append([pay('good')]),
      group.append([pay('bad')]),
      group.append([pay('late')]),
    ]);
    for (let i = 0; i < 5; i += 1) await writer.release();
    const [first, good, bad, late] = await answers;
    expect(first).toMatchObject({ status: 'fulfilled', value: [{ eventId: 'first', status: 'appended' }] });
    expect(good).toMatchObject({ status: 'fulfilled', value: [{ eventId: 'good', status: 'appended' }] });
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('failed: bad') });
    expect(late).toMatchObject({ status: 'fulfilled', value: [{ eventId: 'late', status: 'appended' }] });
    expect(writer.calls.map((c) => c.eventIds.join(','))).toEqual(['first', 'good,bad,late', 'good', 'bad', 'late']);
  });
});

describeEachEngine('group commit on the ledger', (get) => {
  it('stores concurrent one-event requests in fewer transactions, each judged on its own in arrival order', async () => {
    const ledger = testLedger(get().db);
    await ledger.append([rawOpen('G1', 'DG'), rawInit('G1', '100.00')]);
    const group = new GroupCommit(ledger.writer);
    const requests = [
      ...Array.from({ length: 40 }, (_, i) => [pay(`g-${i}`, '2.00', 'G1')]),
      // The same eventId in two requests: the earlier stores it, the later is its duplicate.
      [pay('g-5', '2.00', 'G1')],
      // Past the line's budget by now (40 × 2.00 = 80.00 of 100.00 spent): refused, alone.
      [pay('g-big', '30.00', 'G1')],
      [pay('g-last', '1.00', 'G1')],
      [],
    ];
    const answers = await Promise.all(requests.map((events) => group.append(events)));
    answers.forEach((results, i) => expect(results.map((r) => r.eventId)).toEqual(requests[i]!.map((e) => e.eventId)));
    expect(answers.slice(0, 40).every(([r]) => r?.status === 'appended')).toBe(true);
    expect(answers[40]).toEqual([expect.objectContaining({ status: 'duplicate', eventId: 'g-5' })]);
    expect(answers[41]).toEqual([
      expect.objectContaining({ status: 'rejected', error: expect.objectContaining({ code: 'LINE_OVERDRAWN' }) }),
    ]);
    expect(answers[42]).toEqual([expect.objectContaining({ status: 'appended' })]);
    // Stored in arrival order, by fewer transactions than requests.
    const stored = await get().db.query<{ event_id: string; tx: string }>(
      `SELECT event_id, (position >> 20)::text AS tx FROM ledger_events WHERE stream_id = 'budget-DG-2021' AND type = 'PaymentRecorded' ORDER BY position`,
    );
    expect(stored.map((r) => r.event_id)).toEqual([...Array.from({ length: 40 }, (_, i) => `g-${i}`), 'g-last']);
    expect(new Set(stored.map((r) => r.tx)).size).toBeLessThan(stored.length);
    expect(group.stats.commits).toBeLessThan(group.stats.requests);
    const [line] = await get().db.query<{ executed_fen: bigint }>(`SELECT executed_fen FROM ledger_lines WHERE line_id = 'G1'`);
    expect(line?.executed_fen).toBe(8100n);
  });
});
