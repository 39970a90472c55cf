import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { highWaterOf, readHighWater } from './as-of-balances';
import type { MovementRow } from './movement-row';

function movement(department: string, fiscalYear: number, effectiveDate: string): MovementRow {
  return {
    lineId: `${department}-L`,
    position: 100n,
    department,
    fiscalYear,
    effectiveDate,
    recordedAt: '2021-09-01T00:00:00.000Z',
    initialFen: 0n,
    adjustmentsFen: 0n,
    transfersInFen: 0n,
    transfersOutFen: 0n,
    routineTransfersOutFen: 0n,
    executedFen: 100n,
    committedFen: 0n,
    broughtForwardFen: 0n,
    carriedForwardFen: 0n,
  };
}

// The writer reads the high-water dates of the streams it holds with its locks; ProjectionBatch
// reads, when it flushes, those of any other department-year its movements move (a year-end's
// lines of the next year). The rows are written directly: what is under test is what is read.
describeEachEngine('high-water dates', (get) => {
  beforeAll(async () => {
    await get().db.query(
      `INSERT INTO ledger_stream_days (department, fiscal_year, day, first_position, first_recorded_at)
       VALUES ('甲', 2021, '2021-03-01', 1, '2021-03-01T00:00:00Z'), ('甲', 2021, '2021-05-01', 2, '2021-05-01T00:00:00Z'),
              ('乙', 2021, '2021-04-01', 3, '2021-04-01T00:00:00Z')`,
    );
  });

  it('reads the last day of each department-year asked about, and knows which were asked about', async () => {
    const read = await readHighWater(get().db, [
      { department: '甲', fiscalYear: 2021 },
      { department: '丙', fiscalYear: 2021 },
    ]);
    expect([...read.days]).toEqual([['2021\u0000甲', '2021-05-01']]);
    expect([...read.asked].sort()).toEqual(['2021\u0000丙', '2021\u0000甲']);
    expect(await readHighWater(get().db, [])).toEqual({ asked: new Set(), days: new Map() });
  });

  it('takes the dates read with the locks and reads only the department-years they lack, into a copy', async () => {
    const known = await readHighWater(get().db, [{ department: '甲', fiscalYear: 2021 }]);
    const statements: string[] = [];
    const db = get().db;
    const watching = { query: ((text: string, ...rest: never[]) => (statements.push(text), db.query(text, ...rest))) as typeof db.query };
    const highWater = await highWaterOf(watching, [movement('甲', 2021, '2021-06-01'), movement('乙', 2021, '2021-06-01')], known);
    expect(Object.fromEntries(highWater)).toEqual({ '2021\u0000甲': '2021-05-01', '2021\u0000乙': '2021-04-01' });
    expect(statements).toHaveLength(1);
    highWater.set('2021\u0000甲', '2021-06-01');
    expect(known.days.get('2021\u0000甲')).toBe('2021-05-01');
    // Everything known: nothing is read.
    statements.length = 0;
    await highWaterOf(watching, [movement('甲', 2021, '2021-06-02')], known);
    expect(statements).toEqual([]);
  });
});
