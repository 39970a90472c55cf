import type { TraceEntry, TraceResult } from '../trace';
import { csvLines } from './csv';
import { withNextPages } from './pages';
import { exportTables } from './tables';

const entry = (position: number, metadata: TraceEntry['metadata'] = null): TraceEntry => ({
  position: String(position),
  eventId: `e${position}`,
  type: 'PaymentRecorded',
  effectiveDate: '2021-03-01',
  recordedAt: '2021-03-02T00:00:00.000Z',
  recordedBy: null,
  correction: false,
  metadata,
  commitmentEventId: null,
  delta: {
    initial: '0.00',
    adjustments: '0.00',
    transfersIn: '0.00',
    transfersOut: '0.00',
    executed: `${position}.00`,
    committed: '0.00',
    broughtForward: '0.00',
    carriedForward: '0.00',
  },
  running: { initial: '0.00', adjusted: '0.00', executed: `${position}.00`, committed: '0.00', available: `-${position}.00` },
});

/** A trace of three pages of two entries; only the last entry carries a documentNo. */
function pagedTrace(): { first: TraceResult; asked: { after: string; asOf: string; knownAt: string }[] } {
  const page = (n: number): TraceResult => ({
    lineId: 'L1',
    asOf: '2021-12-31',
    knownAt: '2022-01-01T00:00:00.000Z',
    entries: [entry(2 * n + 1), entry(2 * n + 2, n === 2 ? { documentNo: '财预〔2021〕9号' } : null)],
    totals: {
      initial: '0.00',
      adjusted: '0.00',
      executed: '21.00',
      committed: '0.00',
      broughtForward: '0.00',
      carriedForward: '0.00',
      available: '-21.00',
    },
    commitments: [],
    plans: [],
    limit: 2,
    nextAfter: n < 2 ? String(2 * n + 2) : null,
  });
  const asked: { after: string; asOf: string; knownAt: string }[] = [];
  const first = withNextPages(page(0), async (p) => {
    asked.push(p);
    return page(Number(p.after) / 2);
  });
  return { first, asked };
}

describe('a paged trace export', () => {
  it('holds every entry of every page, with the columns of all of them, and JSON still sees the first page alone', async () => {
    const { first, asked } = pagedTrace();
    expect(Object.keys(JSON.parse(JSON.stringify(first)) as object)).not.toContain('nextPage');
    const lines: string[] = [];
    for await (const line of csvLines(await exportTables('trace', first))) lines.push(line);
    expect(lines).toHaveLength(1 + 6);
    expect(lines[0]).toContain(',metadata.documentNo');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(lines[6]).toContain('财预〔2021〕9号');
    // Every later page at the first page's asOf and knownAt, whatever "now" is by then.
    expect(new Set(asked.map((a) => `${a.asOf} ${a.knownAt}`))).toEqual(new Set(['2021-12-31 2022-01-01T00:00:00.000Z']));
  });

  it('reads a page only when the rows before it are written (one pass for the columns, then one as it writes)', async () => {
    const { first, asked } = pagedTrace();
    const tables = await exportTables('trace', first);
    // The pass for the columns has read pages 2 and 3 once.
    expect(asked.map((a) => a.after)).toEqual(['2', '4']);
    const lines = csvLines(tables);
    for (let i = 0; i < 3; i++) await lines.next(); // the header and page 1, from memory
    expect(asked).toHaveLength(2);
    await lines.next(); // the first row of page 2
    expect(asked.map((a) => a.after)).toEqual(['2', '4', '2']);
  });
});
