import { chainHash, contentHash, GENESIS_HASH } from './canonical';
import { ChainWalk, describeChainFault, type ChainedEvent, type ChainFault } from './chain-walk';
import { newEvent } from './testing/events';

const RECORDED_AT = '2021-03-15T01:02:03.004Z';

/** A stream's events chained as a store writes them; `positionInLink: false` as on EventStoreDB. */
function chained(streamId: string, count: number, firstPosition: bigint, positionInLink = true): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < count; i += 1) {
    const event = newEvent(`${streamId}-e${i}`, { data: { lineId: 'L1', amount: `${i + 1}.00` } });
    const position = firstPosition + BigInt(i) * 10n;
    const streamVersion = BigInt(i);
    const content = contentHash(event);
    const hash = chainHash(prevHash, {
      position: positionInLink ? position : 0n,
      streamId,
      streamVersion,
      eventId: event.eventId,
      recordedAt: RECORDED_AT,
      contentHash: content,
    });
    events.push({
      ...event,
      metadata: event.metadata,
      position,
      streamId,
      streamVersion,
      recordedAt: RECORDED_AT,
      contentHash: content,
      prevHash,
      hash,
    });
    prevHash = hash;
  }
  return events;
}

function faultsOf(walk: ChainWalk, events: readonly ChainedEvent[]): ChainFault['kind'][][] {
  return events.map((event) => walk.step(event).faults.map((fault) => fault.kind));
}

describe('ChainWalk', () => {
  it('finds nothing wrong with chains as stored, interleaved in log order, and ends each stream at its last event', () => {
    const a = chained('a', 3, 1n);
    const b = chained('b', 2, 2n);
    const log = [a[0], b[0], a[1], b[1], a[2]] as ChainedEvent[];
    const walk = new ChainWalk({ follow: 'stored', positionInLink: true });
    const steps = log.map((event) => walk.step(event));
    expect(steps.map((step) => step.faults)).toEqual([[], [], [], [], []]);
    expect(steps.map((step) => step.hash)).toEqual(log.map((event) => event.hash));
    expect(walk.streamEnds().get('a')).toEqual({ version: 2n, hash: a[2]?.hash, position: 21n });
  });

  it('finds changed content by its content hash and its link', () => {
    const events = chained('a', 2, 1n);
    const changed = { ...events[0], data: { lineId: 'L1', amount: '9.00' } } as ChainedEvent;
    const walk = new ChainWalk({ follow: 'stored', positionInLink: true });
    expect(faultsOf(walk, [changed, events[1] as ChainedEvent])).toEqual([['content-hash', 'hash'], []]);
  });

  it('goes on from the stored link or from the recomputed one, as asked', () => {
    const events = chained('a', 2, 1n);
    const changed = {
      ...events[0],
      data: { lineId: 'L1', amount: '9.00' },
      contentHash: contentHash(newEvent('x', { data: { lineId: 'L1', amount: '9.00' } })),
    } as ChainedEvent;
    const log = [{ ...changed, eventId: 'a-e0' }, events[1] as ChainedEvent];
    expect(faultsOf(new ChainWalk({ follow: 'stored', positionInLink: true }), log)).toEqual([['hash'], []]);
    expect(faultsOf(new ChainWalk({ follow: 'recomputed', positionInLink: true }), log)).toEqual([['hash'], ['prev-hash', 'hash']]);
  });

  it('finds a missing event by the version of the next, and by the link that event follows', () => {
    const events = chained('a', 3, 1n);
    const walk = new ChainWalk({ follow: 'stored', positionInLink: true });
    const found = faultsOf(walk, [events[0], events[2]] as ChainedEvent[]);
    expect(found).toEqual([[], ['version', 'prev-hash', 'hash']]);
    expect(describeChainFault(events[2] as ChainedEvent, { kind: 'version', expected: 1n })).toBe(
      'stream a: version 2 where 1 was due (an event is missing or moved)',
    );
  });

  it('checks links made without the position, and positions that do not increase with the version', () => {
    const events = chained('a', 2, 1n, false);
    expect(faultsOf(new ChainWalk({ follow: 'stored', positionInLink: false }), events)).toEqual([[], []]);
    expect(faultsOf(new ChainWalk({ follow: 'stored', positionInLink: true }), events)).toEqual([['hash'], ['hash']]);
    const reordered = [events[0], { ...events[1], position: 0n }] as ChainedEvent[];
    expect(faultsOf(new ChainWalk({ follow: 'stored', positionInLink: false }), reordered)).toEqual([[], ['position']]);
  });
});
