import postgres from 'postgres';
import { PgEventStore, type NewEvent, type StreamAppend } from '@ledger/event-store';
import { benchDatabase, cpuMs, cpuPerEventUs, peakRssMb, rate, report, seeded } from './support';

/**
 * Issue 2's benchmark: the store's append of 200,000 payment events in batches of 1,000 against a
 * plain COPY of the same rows into a bare table of the same shape, in the same run; then a
 * follower reading the whole log back.
 */
export async function runStoreBench(total = 200_000, batchSize = 1_000): Promise<Record<string, number>> {
  const bench = await benchDatabase('store');
  try {
    const store = new PgEventStore(bench.db);
    const random = seeded(2);
    const departments = 200;
    const batches: StreamAppend[][] = [];
    for (let b = 0; b < total / batchSize; b += 1) {
      const byStream = new Map<string, NewEvent[]>();
      for (let i = 0; i < batchSize; i += 1) {
        const n = b * batchSize + i;
        const department = Math.floor(random() * departments);
        const streamId = `budget-D${department}-2021`;
        const month = String(1 + Math.floor((n / total) * 12)).padStart(2, '0');
        const event: NewEvent = {
          eventId: `pay-${n}`,
          type: 'PaymentRecorded',
          effectiveDate: `2021-${month}-15`,
          correction: false,
          data: { lineId: `D${department}-L${n % 50}`, amount: `${1 + (n % 5000)}.${String(n % 100).padStart(2, '0')}` },
          metadata: { source: 'bench', documentNo: `国库支付〔2021〕${n}号` },
        };
        const list = byStream.get(streamId) ?? [];
        list.push(event);
        byStream.set(streamId, list);
      }
      batches.push([...byStream].map(([streamId, events]) => ({ streamId, expectedVersion: 'any' as const, events })));
    }

    const cpuBefore = cpuMs();
    const appendStart = performance.now();
    for (const batch of batches) await store.append(batch);
    const appendMs = performance.now() - appendStart;
    const cpu = cpuPerEventUs(cpuBefore, cpuMs(), total);

    // The same rows, already hashed and positioned, through COPY into a bare table of the same shape.
    const sql = postgres(bench.url, { max: 1, onnotice: () => undefined });
    await sql.unsafe('CREATE TABLE copy_target (LIKE ledger_events INCLUDING DEFAULTS)');
    const rows = await sql.unsafe<Record<string, string>[]>(
      `SELECT position::text, stream_id, stream_version::text, event_id, type, effective_date::text, correction::text, data::text,
              metadata::text, recorded_at::text, content_hash, prev_hash, hash FROM ledger_events ORDER BY position`,
    );
    const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
    const copyStart = performance.now();
    const writable = await sql
      .unsafe(
        'COPY copy_target (position, stream_id, stream_version, event_id, type, effective_date, correction, data, metadata, recorded_at, content_hash, prev_hash, hash) FROM STDIN',
      )
      .writable();
    await new Promise<void>((resolve, reject) => {
      writable.on('error', reject);
      writable.on('finish', resolve);
      let i = 0;
      const pump = () => {
        while (i < rows.length) {
          const r = rows[i] as Record<string, string>;
          i += 1;
          const line = `${[r.position, r.stream_id, r.stream_version, r.event_id, r.type, r.effective_date, r.correction, r.data, r.metadata, r.recorded_at, r.content_hash, r.prev_hash, r.hash].map((v) => esc(v ?? '')).join('\t')}\n`;
          if (!writable.write(line)) {
            writable.once('drain', pump);
            return;
          }
        }
        writable.end();
      };
      pump();
    });
    const copyMs = performance.now() - copyStart;
    await sql.end();

    // A follower reading everything back, page by page, as subscribers do.
    const readStart = performance.now();
    let after = 0n;
    let read = 0;
    for (;;) {
      const page = await store.readAll({ after, limit: 10_000 });
      if (page.length === 0) break;
      read += page.length;
      after = (page[page.length - 1] as (typeof page)[number]).position;
    }
    const readMs = performance.now() - readStart;

    const figures = {
      appendPerSecond: rate(total, appendMs),
      appendProcessCpuUs: cpu.process,
      appendServerCpuUs: cpu.server,
      copyPerSecond: rate(total, copyMs),
      appendToCopyRatio: Number((appendMs === 0 ? 0 : copyMs / appendMs).toFixed(3)),
      followerReadPerSecond: rate(read, readMs),
      peakRssMb: peakRssMb(),
    };
    report(`store: ${total} payment events in batches of ${batchSize} (PostgreSQL server)`, [
      ['append (events/s)', figures.appendPerSecond],
      ['  CPU per event: this process (µs)', figures.appendProcessCpuUs],
      ['  CPU per event: database server, when on this machine (µs)', figures.appendServerCpuUs],
      ['plain COPY, same rows (rows/s)', figures.copyPerSecond],
      ['append ÷ COPY (target ≥ 0.40)', figures.appendToCopyRatio],
      ['follower readAll (events/s, target ≥ 120,000)', figures.followerReadPerSecond],
      ['peak RSS (MB; this process also holds the rows it COPYs)', figures.peakRssMb],
    ]);
    return figures;
  } finally {
    await bench.drop();
  }
}

if (require.main === module) {
  void runStoreBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
