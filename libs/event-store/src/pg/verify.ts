import { ChainWalk, describeChainFault, type ChainEnd } from '../chain-walk';
import type { Database, Sql } from '../db/database';
import type { VerifyBreak, VerifyReport } from '../event-store';
import { CHAINED_EVENT_COLUMNS, type ChainedEventRow } from './event-rows';
import { RecordedAtFormat } from './recorded-at';

const VERIFY_PAGE_SIZE = 5_000;
/** Breaks verify lists at most; a log broken in more places than that needs no longer list to be distrusted. */
export const MAX_VERIFY_BREAKS = 100;

/**
 * Recomputes every stream's chain in position order inside one REPEATABLE READ snapshot, so that
 * appends running meanwhile neither break the walk nor disagree with the stream heads. Each
 * event's content hash is recomputed from its content, and its link from that.
 */
export function verifyLog(db: Database): Promise<VerifyReport> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    // The walk goes on from each event as stored, so that each break is reported once rather than
    // making every later link of its stream look broken too.
    const chain = new ChainWalk({ follow: 'stored', positionInLink: true });
    const recordedAt = new RecordedAtFormat();
    const breaks = new VerifyBreaks();
    let events = 0;
    let after = 0n;
    walk: for (;;) {
      const rows = await tx.query<ChainedEventRow>(
        `SELECT ${CHAINED_EVENT_COLUMNS} FROM ledger_events
          WHERE position > $1::bigint ORDER BY position LIMIT $2::int`,
        [after.toString(), String(VERIFY_PAGE_SIZE)],
      );
      for (const row of rows) {
        events += 1;
        row.recordedAt = recordedAt.iso(row.recordedAt);
        const [fault] = chain.step(row).faults;
        // One break an event: the first thing found wrong with it.
        if (fault !== undefined && breaks.add(row.position, describeChainFault(row, fault))) break walk;
      }
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < VERIFY_PAGE_SIZE) break;
      after = last.position;
    }
    if (!breaks.full()) compareHeads(await readHeads(tx), chain.streamEnds(), breaks);
    return breaks.report(events);
  });
}

interface HeadRow {
  readonly stream_id: string;
  readonly version: bigint;
  readonly last_hash: string;
}

function readHeads(tx: Sql): Promise<HeadRow[]> {
  return tx.query<HeadRow>('SELECT stream_id, version, last_hash FROM ledger_streams ORDER BY stream_id');
}

/** Each stream's head against the end of its events, as walked. */
function compareHeads(heads: readonly HeadRow[], ends: ReadonlyMap<string, ChainEnd>, breaks: VerifyBreaks): void {
  const headIds = new Set<string>();
  for (const head of heads) {
    headIds.add(head.stream_id);
    const end = ends.get(head.stream_id);
    if (end === undefined) {
      breaks.add(undefined, `stream ${head.stream_id}: its head says version ${head.version}, but it has no events`);
    } else if (end.version !== head.version || end.hash !== head.last_hash) {
      breaks.add(
        end.position,
        `stream ${head.stream_id}: its head says version ${head.version}, but its events end at version ${end.version} with another hash`,
      );
    }
  }
  for (const [streamId, end] of ends) {
    if (!headIds.has(streamId)) breaks.add(end.position, `stream ${streamId}: it has events but no head`);
  }
}

/** The breaks verify found, at most MAX_VERIFY_BREAKS of them: past that the walk stops. */
class VerifyBreaks {
  private readonly found: { position: bigint | undefined; reason: string }[] = [];

  /** Records a break; true once the list is full. */
  add(position: bigint | undefined, reason: string): boolean {
    if (!this.full()) this.found.push({ position, reason });
    return this.full();
  }

  full(): boolean {
    return this.found.length >= MAX_VERIFY_BREAKS;
  }

  /** In position order, a stream with no events at all last; the first one also as firstBrokenPosition and reason. */
  report(events: number): VerifyReport {
    if (this.found.length === 0) return { ok: true, events };
    const sorted = [...this.found].sort((a, b) =>
      a.position === b.position ? 0 : a.position === undefined ? 1 : b.position === undefined ? -1 : a.position < b.position ? -1 : 1,
    );
    const breaks = sorted.map((b) =>
      b.position === undefined ? { reason: b.reason } : { position: b.position.toString(), reason: b.reason },
    );
    const first = breaks[0] as VerifyBreak;
    return {
      ok: false,
      events,
      ...(first.position === undefined ? {} : { firstBrokenPosition: first.position }),
      reason: first.reason,
      breaks,
      truncated: this.full(),
    };
  }
}
