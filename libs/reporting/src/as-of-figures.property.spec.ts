import fc from 'fast-check';
import type { Database } from '@ledger/event-store';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { rebuildProjections } from '@ledger/projections';
import { departmentAsOf, linesAsOf, NO_POSITION_CAP, queryTrace, type AsOfCut } from '@ledger/reporting';
import { testLedger, type TestLedger } from '@ledger/ledger/testing/test-ledger';

/**
 * Decision 0010's figures (running totals at a sealed prefix, plus the late movements) against
 * the plain definition they replace — a sum over every movement filtered by effective date,
 * recorded time and position — for random histories appended in random order and batches, at
 * random dates, instants and positions; then the same after rebuilding every projection.
 * Decision 0014's figures too: commitments, releases and payments against them (committed), and a
 * year close that carries a project line's available into the next year (carried and brought
 * forward, on a line of 2022 the ledger opens).
 */

const YEAR = 2021;
const LINES = 3;

type Op =
  | { kind: 'adjust'; line: number; amount: number; day: number }
  | { kind: 'transfer'; from: number; to: number; amount: number; routine: boolean; day: number }
  | { kind: 'pay'; line: number; amount: number; day: number }
  | { kind: 'reverse'; payment: number; amount: number; day: number }
  | { kind: 'close'; quarter: number }
  | { kind: 'commit'; line: number; amount: number; day: number }
  | { kind: 'release'; commitment: number; amount: number; day: number }
  | { kind: 'payAgainst'; line: number; commitment: number; amount: number; day: number }
  | { kind: 'cut' };

const day = fc.integer({ min: 0, max: 364 });
const amount = fc.integer({ min: 1, max: 500_000 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('adjust' as const),
      line: fc.nat(LINES - 1),
      amount: fc.integer({ min: -50_000, max: 200_000 }),
      day,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('transfer' as const),
      from: fc.nat(LINES - 1),
      to: fc.nat(LINES - 1),
      amount,
      routine: fc.boolean(),
      day,
    }),
  },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('pay' as const), line: fc.nat(LINES - 1), amount, day }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('reverse' as const), payment: fc.nat(40), amount: fc.integer({ min: 1, max: 20_000 }), day }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), quarter: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const), line: fc.nat(LINES - 1), amount, day }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('release' as const),
      commitment: fc.nat(40),
      amount: fc.integer({ min: 1, max: 200_000 }),
      day,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('payAgainst' as const), line: fc.nat(LINES - 1), commitment: fc.nat(40), amount, day }),
  },
  // The end of an append: what follows is recorded later.
  { weight: 3, arbitrary: fc.constant({ kind: 'cut' as const }) },
);

const dateOf = (n: number, year = YEAR): string => new Date(Date.UTC(year, 0, 1 + n)).toISOString().slice(0, 10);
const yuan = (fen: number): string =>
  `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
const QUARTER_END = ['', '2021-03-31', '2021-06-30', '2021-09-30', '2021-12-31'];

/** The raw events of a history, split into appends at its cuts; `closeYear`: then the four quarters and the year closed. */
function appendsOf(department: string, ops: readonly Op[], closeYear: boolean): unknown[][] {
  const line = (n: number) => `${department}-L${n}`;
  const appends: unknown[][] = [[]];
  const current = () => appends[appends.length - 1] as unknown[];
  // The commitments made so far (refused ones too): releases and payments name one of them.
  const commitments: { id: string; line: number }[] = [];
  const commitment = (k: number) => commitments[k % Math.max(1, commitments.length)] ?? { id: `${department}-none`, line: 0 };
  for (let n = 0; n < LINES; n += 1) {
    current().push({
      eventId: `${line(n)}-open`,
      type: 'BudgetLineOpened',
      effectiveDate: dateOf(0),
      // The last line is a project's: its available is carried forward when the year closes.
      data: {
        lineId: line(n),
        department,
        fiscalYear: YEAR,
        kind: n === LINES - 1 ? 'project' : 'basic',
        tags: n === 0 ? ['procurement'] : [],
      },
    });
    current().push({
      eventId: `${line(n)}-init`,
      type: 'InitialBudgetApproved',
      effectiveDate: dateOf(0),
      data: { lineId: line(n), amount: '10000000.00' },
    });
  }
  ops.forEach((o, i) => {
    const id = `${department}-e${i}`;
    switch (o.kind) {
      case 'adjust':
        if (o.amount !== 0) {
          current().push({
            eventId: id,
            type: 'BudgetAdjusted',
            effectiveDate: dateOf(o.day),
            correction: true,
            data: { lineId: line(o.line), amount: yuan(o.amount) },
          });
        }
        break;
      case 'transfer':
        if (o.from !== o.to) {
          current().push({
            eventId: id,
            type: 'BudgetTransferred',
            effectiveDate: dateOf(o.day),
            correction: true,
            data: { fromLineId: line(o.from), toLineId: line(o.to), amount: yuan(o.amount), routine: o.routine },
          });
        }
        break;
      case 'pay':
        current().push({
          eventId: id,
          type: 'PaymentRecorded',
          effectiveDate: dateOf(o.day),
          correction: true,
          data: { lineId: line(o.line), amount: yuan(o.amount) },
        });
        break;
      case 'reverse':
        current().push({
          eventId: id,
          type: 'PaymentReversed',
          effectiveDate: dateOf(o.day),
          correction: true,
          data: { paymentEventId: `${department}-e${o.payment}`, amount: yuan(o.amount) },
        });
        break;
      case 'close':
        current().push({
          eventId: id,
          type: 'PeriodClosed',
          effectiveDate: QUARTER_END[o.quarter],
          data: { department, fiscalYear: YEAR, period: `Q${o.quarter}` },
        });
        break;
      case 'commit':
        commitments.push({ id, line: o.line });
        current().push({
          eventId: id,
          type: 'CommitmentMade',
          effectiveDate: dateOf(o.day),
          correction: true,
          data: { lineId: line(o.line), amount: yuan(o.amount) },
        });
        break;
      case 'release':
        current().push({
          eventId: id,
          type: 'CommitmentReleased',
          effectiveDate: dateOf(o.day),
          correction: true,
          data: { commitmentEventId: commitment(o.commitment).id, amount: yuan(o.amount) },
        });
        break;
      case 'payAgainst':
        current().push({
          eventId: id,
          type: 'PaymentRecorded',
          effectiveDate: dateOf(o.day),
          correction: true,
          // Mostly on the commitment's line; o.line 0: on line 0, which may be another.
          data: {
            lineId: line(o.line === 0 ? 0 : commitment(o.commitment).line),
            amount: yuan(o.amount),
            commitmentEventId: commitment(o.commitment).id,
          },
        });
        break;
      case 'cut':
        appends.push([]);
        break;
    }
  });
  if (closeYear) appends.push(yearEnd(department));
  return appends.filter((a) => a.length > 0);
}

/** The quarters not closed yet closed, then the year: the ledger carries the project line's available into 2022. */
function yearEnd(department: string): unknown[] {
  const closes = [1, 2, 3, 4].map((q) => ({
    eventId: `${department}-q${q}`,
    type: 'PeriodClosed',
    effectiveDate: QUARTER_END[q],
    data: { department, fiscalYear: YEAR, period: `Q${q}` },
  }));
  return [
    ...closes,
    { eventId: `${department}-year`, type: 'YearClosed', effectiveDate: QUARTER_END[4], data: { department, fiscalYear: YEAR } },
  ];
}

interface Sums {
  initialFen: bigint;
  adjustmentsFen: bigint;
  transfersInFen: bigint;
  transfersOutFen: bigint;
  executedFen: bigint;
  committedFen: bigint;
  broughtForwardFen: bigint;
  carriedForwardFen: bigint;
}

/** The reference: every movement of the line filtered by date, instant and position. */
async function plainLineSums(db: Database, cut: AsOfCut): Promise<Map<string, Sums>> {
  const rows = await db.query<Sums & { line_id: string }>(
    `SELECT l.line_id, COALESCE(sum(m.initial_fen), 0)::bigint AS "initialFen", COALESCE(sum(m.adjustments_fen), 0)::bigint AS "adjustmentsFen",
            COALESCE(sum(m.transfers_in_fen), 0)::bigint AS "transfersInFen", COALESCE(sum(m.transfers_out_fen), 0)::bigint AS "transfersOutFen",
            COALESCE(sum(m.executed_fen), 0)::bigint AS "executedFen", COALESCE(sum(m.committed_fen), 0)::bigint AS "committedFen",
            COALESCE(sum(m.brought_forward_fen), 0)::bigint AS "broughtForwardFen",
            COALESCE(sum(m.carried_forward_fen), 0)::bigint AS "carriedForwardFen"
     FROM ledger_lines l
     LEFT JOIN ledger_movements m ON m.line_id = l.line_id AND m.effective_date <= $3::date AND m.recorded_at <= $4::timestamptz
                                  AND m.position <= $5::bigint
     WHERE l.department = $1 AND l.fiscal_year = $2::integer GROUP BY l.line_id`,
    [cut.department, String(cut.fiscalYear), cut.asOf, cut.knownAtSql, String(cut.positionCap ?? NO_POSITION_CAP)],
  );
  return new Map(rows.map(({ line_id, ...sums }) => [line_id, sums]));
}

/** The department's figures at a cut as plain sums: its lines' (`lines`, from plainLineSums) and its routine transfers. */
async function plainDepartment(db: Database, cut: AsOfCut, lines: Map<string, Sums>) {
  const all = [...lines.values()];
  const total = (f: (s: Sums) => bigint) => all.reduce((a, s) => a + f(s), 0n);
  return {
    initialFen: total((s) => s.initialFen),
    adjustmentsFen: total((s) => s.adjustmentsFen),
    transfersOutFen: total((s) => s.transfersOutFen),
    routineTransfersFen: await plainRoutine(db, cut),
    adjustedFen: total((s) => s.initialFen + s.adjustmentsFen + s.transfersInFen - s.transfersOutFen + s.broughtForwardFen),
    executedFen: total((s) => s.executedFen),
    committedFen: total((s) => s.committedFen),
    broughtForwardFen: total((s) => s.broughtForwardFen),
    carriedForwardFen: total((s) => s.carriedForwardFen),
  };
}

async function plainRoutine(db: Database, cut: AsOfCut): Promise<bigint> {
  const [row] = await db.query<{ routine: bigint }>(
    `SELECT COALESCE(sum(m.routine_transfers_out_fen), 0)::bigint AS routine FROM ledger_movements m
     WHERE m.department = $1 AND m.fiscal_year = $2::integer AND m.effective_date <= $3::date AND m.recorded_at <= $4::timestamptz`,
    [cut.department, String(cut.fiscalYear), cut.asOf, cut.knownAtSql],
  );
  return row?.routine ?? 0n;
}

describeEachEngine('figures as of a date, known at an instant (decision 0010)', (get) => {
  let ledger: TestLedger;
  let runs = 0;
  beforeAll(() => {
    ledger = testLedger(get().db, { paymentPolicy: 'flag' });
  });

  const checkCuts = async (department: string, asOfDays: number[], instantPicks: number[], capPicks: number[], fiscalYear = YEAR) => {
    const { db } = get();
    const instants = (
      await db.query<{ t: Date }>(`SELECT DISTINCT recorded_at AS t FROM ledger_events WHERE stream_id = $1 ORDER BY 1`, [
        `budget-${department}-${YEAR}`,
      ])
    ).map((r) => r.t.getTime());
    const positions = (
      await db.query<{ p: bigint }>('SELECT position AS p FROM ledger_movements WHERE department = $1 ORDER BY 1', [department])
    ).map((r) => r.p);
    for (const [i, asOfDay] of asOfDays.entries()) {
      // Instants: before, at and just after each append, and "now".
      const pick = instantPicks[i] ?? 0;
      const base = instants[pick % Math.max(1, instants.length)];
      const knownAtSql = base === undefined || pick % 5 === 4 ? 'infinity' : new Date(base + ((pick % 3) - 1)).toISOString();
      const capPick = capPicks[i] ?? 0;
      const positionCap = capPick % 2 === 0 || positions.length === 0 ? undefined : positions[capPick % positions.length];
      const cut: AsOfCut = { department, fiscalYear, asOf: dateOf(asOfDay, fiscalYear), knownAtSql, positionCap };
      const expected = await plainLineSums(db, cut);
      const actual = await linesAsOf(db, cut);
      expect(
        new Map(
          actual.map((l) => [
            l.line_id,
            {
              initialFen: l.initialFen,
              adjustmentsFen: l.adjustmentsFen,
              transfersInFen: l.transfersInFen,
              transfersOutFen: l.transfersOutFen,
              executedFen: l.executedFen,
              committedFen: l.committedFen,
              broughtForwardFen: l.broughtForwardFen,
              carriedForwardFen: l.carriedForwardFen,
            },
          ]),
        ),
      ).toEqual(expected);
      if (positionCap === undefined) expect(await departmentAsOf(db, cut)).toEqual(await plainDepartment(db, cut, expected));
    }
    // Known now, the department's figures come from its sums by day (migration 0018): checked
    // at every query day and at every day the department-year has a movement on, where "on or
    // before the date" and "before it" part.
    const movementDays = (
      await db.query<{ d: string }>(
        'SELECT DISTINCT effective_date::text AS d FROM ledger_movements WHERE department = $1 AND fiscal_year = $2::integer',
        [department, String(fiscalYear)],
      )
    ).map((r) => r.d);
    for (const asOf of new Set([...asOfDays.map((d) => dateOf(d, fiscalYear)), ...movementDays])) {
      const cut: AsOfCut = { department, fiscalYear, asOf, knownAtSql: 'infinity' };
      expect(await departmentAsOf(db, cut)).toEqual(await plainDepartment(db, cut, await plainLineSums(db, cut)));
    }
  };

  it('equal the plain sums over the movements for random histories and query points', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 45 }),
        fc.array(fc.integer({ min: -1, max: 366 }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.nat(60), { minLength: 6, maxLength: 6 }),
        fc.array(fc.nat(200), { minLength: 6, maxLength: 6 }),
        fc.constantFrom(false, false, true),
        async (ops, asOfDays, instantPicks, capPicks, closeYear) => {
          runs += 1;
          const department = `P${runs}`;
          for (const batch of appendsOf(department, ops, closeYear)) await ledger.append(batch, 1 + (batch.length % 7));
          await checkCuts(department, asOfDays, instantPicks, capPicks);
          // The next year: the line the close opened, with what it brought forward (dated on 2021's last day).
          if (closeYear) await checkCuts(department, asOfDays, instantPicks, capPicks, YEAR + 1);
        },
      ),
      { numRuns: 30, seed: Number(process.env.FC_SEED ?? 1018), endOnFailure: true },
    );
  });

  it('rebuilds the running totals, the days and the movements kept apart to the same tables, and the figures still agree', async () => {
    const { db } = get();
    const snapshot = async () => ({
      movements: await db.query('SELECT * FROM ledger_movements ORDER BY line_id, position'),
      days: await db.query('SELECT * FROM ledger_stream_days ORDER BY department, fiscal_year, day'),
      apart: await db.query('SELECT * FROM ledger_apart_movements ORDER BY department, fiscal_year, position, line_id'),
    });
    const before = await snapshot();
    // The random histories do make late movements and routine transfers.
    expect(before.apart.some((a) => (a as { late: boolean }).late)).toBe(true);
    expect(before.apart.some((a) => !(a as { late: boolean }).late)).toBe(true);
    await rebuildProjections(db);
    expect(await snapshot()).toEqual(before);
    for (let run = 1; run <= Math.min(runs, 8); run += 1) {
      await checkCuts(`P${run}`, [40, 120, 364], [0, 2, 4], [0, 1, 3]);
      await checkCuts(`P${run}`, [-1, 0, 200], [0, 2, 4], [0, 1, 3], YEAR + 1);
    }
    // The random histories do make commitments, consumption and carries.
    const [made] = await db.query<{ committed: boolean; consumed: boolean; carried: boolean }>(
      `SELECT bool_or(committed_fen > 0) AS committed, bool_or(committed_fen < 0 AND executed_fen > 0) AS consumed,
              bool_or(carried_forward_fen > 0) AS carried FROM ledger_movements`,
    );
    expect(made).toEqual({ committed: true, consumed: true, carried: true });
  });

  it('pages a trace with running totals that continue across pages and exact totals on every page', async () => {
    const lineId = 'P1-L0';
    const whole = await queryTrace(get().db, { lineId, asOf: '2021-09-30', limit: 10_000 });
    expect(whole.nextAfter).toBeNull();
    const paged = [];
    let after: string | undefined;
    for (;;) {
      const page = await queryTrace(get().db, { lineId, asOf: '2021-09-30', limit: 2, after });
      expect(page.totals).toEqual(whole.totals);
      paged.push(...page.entries);
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    expect(paged).toEqual(whole.entries);
    expect(whole.entries.at(-1)?.running.executed ?? '0.00').toBe(whole.totals.executed);
  });
});
