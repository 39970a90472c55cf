import fc from 'fast-check';
import { parseEvent, type LedgerEvent } from '@ledger/domain';
import { createThrowawayDatabase, testEngines, type ThrowawayDatabase } from '@ledger/event-store/testing/test-databases';
import { testLedger } from '@ledger/ledger/testing/test-ledger';
import { rebuildProjections } from '@ledger/projections';
import { DEFAULT_RULES, queryProgress, queryRatios, queryView } from '@ledger/reporting';
import { verifyProjections } from '@ledger/ledger';
import { historyArbitrary, repostOf, type History } from './histories';
import { expectLog, expectTraces, expectViewIdentities, expectWarnings, expectYearEnd } from './ledger-checks';
import { propertySettings } from './property-settings';
import { LedgerModel, type ModelOutcome, type RawEvent } from './reference-model';

/** Cases per engine: about a minute on this 2-core machine (LEDGER_PROPERTY_RUNS overrides). */
const DEFAULT_RUNS = 15;
const MAX_EVENTS = Number(process.env.LEDGER_PROPERTY_MAX_EVENTS ?? 40);
const SIZE = process.env.LEDGER_PROPERTY_SIZE as fc.SizeForArbitrary | undefined;

// The whole ledger (LedgerWriter on PGlite or the server, the projections, the queries) against
// the reference model: for random histories cut into random batches (and lanes), each event's
// outcome and the figures of view, progress and ratios at random business dates and points of
// knowledge equal the model's; so do they after a rebuild of the projections from the log.
for (const engine of testEngines()) {
  describe(`the ledger against the reference model [${engine}] (property)`, () => {
    let database: ThrowawayDatabase;
    beforeAll(async () => {
      database = await createThrowawayDatabase(engine);
    });
    afterAll(async () => {
      await database.drop();
    });

    it('answers every event and every figure as the model does, whatever the batches, and after a rebuild', async () => {
      const settings = propertySettings(`ledger model [${engine}]`, DEFAULT_RUNS);
      let caseNumber = 0;
      await fc.assert(
        // LEDGER_PROPERTY_SIZE=medium (or large, with LEDGER_PROPERTY_MAX_EVENTS): longer histories for a deeper search.
        fc.asyncProperty(historyArbitrary({ maxEvents: MAX_EVENTS, size: SIZE }), async (history) => {
          caseNumber += 1;
          // Every case in its own departments, lines and eventIds: one database serves them all.
          const started = Date.now();
          await checkCase(database, history, `c${caseNumber}`);
          if (process.env.LEDGER_PROPERTY_TIMES === '1') {
            process.stdout.write(`c${caseNumber}: ${history.events.length} events, ${Date.now() - started} ms\n`);
          }
        }),
        settings,
      );
      // A busy machine (CI's two cores) takes up to twice the quiet one's minute.
    }, 300_000);

    it('answers the histories that found defects as the model does', async () => {
      for (const [k, history] of FOUND.entries()) await checkCase(database, history, `found${k}`);
    });
  });
}

const event = (eventId: string, type: string, effectiveDate: string, data: Record<string, unknown>): RawEvent => ({
  eventId,
  type,
  effectiveDate,
  correction: false,
  data,
});

/** Histories the property found defects with, kept as they were found. */
const FOUND: History[] = [
  // Two lanes: a release of a commitment the batch makes later, on a line it opens after the
  // release, was routed to a lane of its own, judged after the other lane had stored the
  // commitment (RELEASE_EXCEEDS_COMMITMENT instead of COMMITMENT_NOT_FOUND).
  {
    events: [
      event('open-L2', 'BudgetLineOpened', '2022-11-24', { lineId: 'L2', department: '甲', fiscalYear: 2022, kind: 'basic' }),
      event('e13', 'CommitmentReleased', '2022-12-02', { commitmentEventId: 'e6', amount: '170.50' }),
      event('open-L3', 'BudgetLineOpened', '2022-11-24', { lineId: 'L3', department: '甲', fiscalYear: 2022, kind: 'project' }),
      event('e4', 'InitialBudgetApproved', '2022-11-24', { lineId: 'L3', amount: '9768.70' }),
      event('e5', 'BudgetAdjusted', '2022-11-24', { lineId: 'L1', amount: '-976.87' }),
      event('e6', 'CommitmentMade', '2022-10-08', { lineId: 'L3', amount: '5597.92' }),
      event('e6f0', 'PaymentRecorded', '2022-10-08', { lineId: 'L3', amount: '3358.75', commitmentEventId: 'e6' }),
      event('e6f1', 'CommitmentReleased', '2022-10-08', { commitmentEventId: 'e6', amount: '932.98' }),
      event('e6f2', 'PaymentRecorded', '2022-10-08', { lineId: 'L3', amount: '3638.64', commitmentEventId: 'e6' }),
    ],
    batches: [9],
    lanes: 2,
    today: '2022-05-15',
    probes: [{ monthDay: '12-31', knownAfter: 0 }],
  },
  // Two lanes: a payment naming a commitment the batch makes in another department went to a lane
  // of its own and was refused COMMITMENT_NOT_FOUND instead of COMMITMENT_OF_OTHER_LINE.
  {
    events: [
      event('open-L1', 'BudgetLineOpened', '2021-01-05', { lineId: 'L1', department: '甲', fiscalYear: 2021, kind: 'project' }),
      event('open-L2', 'BudgetLineOpened', '2021-01-05', { lineId: 'L2', department: '乙', fiscalYear: 2021, kind: 'project' }),
      event('i1', 'InitialBudgetApproved', '2021-01-05', { lineId: 'L1', amount: '100.00' }),
      event('i2', 'InitialBudgetApproved', '2021-01-05', { lineId: 'L2', amount: '100.00' }),
      event('c', 'CommitmentMade', '2021-02-01', { lineId: 'L2', amount: '10.00' }),
      event('p', 'PaymentRecorded', '2021-02-02', { lineId: 'L1', amount: '1.00', commitmentEventId: 'c' }),
    ],
    batches: [6],
    lanes: 2,
    today: '2021-05-15',
    probes: [{ monthDay: '06-30', knownAfter: 0 }],
  },
];

async function checkCase(database: ThrowawayDatabase, history: History, prefix: string): Promise<void> {
  // LEDGER_PROPERTY_LANES forces the writer's lanes (to search past a known defect of one setting).
  const lanes = process.env.LEDGER_PROPERTY_LANES === undefined ? history.lanes : Number(process.env.LEDGER_PROPERTY_LANES);
  const ledger = testLedger(database.db, { lanes, clock: () => new Date(`${history.today}T12:00:00+08:00`) });
  const model = new LedgerModel(history.today);
  /** After each batch: the last recordedAt in the database, which no later batch shares. */
  const knownAt: string[] = [];
  let offset = 0;
  for (const [batch, size] of history.batches.entries()) {
    // The model first, event by event: a carry posted again is the one the ledger stored (the
    // model knows it once its YearClosed is judged, in this batch or before).
    const judged = history.events.slice(offset, offset + size).map((original) => {
      const event = repostedAs(model, original, prefix) ?? relabel(original, prefix);
      return { event, expected: model.apply(event, batch) };
    });
    offset += size;
    const results = await ledger.writer.append(judged.map((j) => parsed(j.event)));
    results.forEach((result, i) => {
      const { event, expected } = judged[i] as { event: RawEvent; expected: ModelOutcome };
      expectOutcome(
        expected,
        result.status === 'rejected' ? { status: 'rejected', code: result.error.code } : { status: result.status },
        event,
        batch,
      );
    });
    knownAt.push(await lastRecordedAt(database));
    // recordedAt has milliseconds: the next batch is recorded strictly later.
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const last = history.batches.length - 1;
  const probes = [...history.probes, { monthDay: '12-31', knownAfter: last }];
  await expectLog(database.db, model, prefix);
  await expectFigures(database, model, prefix, probes, knownAt);
  await expectYearEnds(database, model, prefix, knownAt);
  // The projections the appends wrote, batch by batch, equal those verify derives from the log alone.
  // One database serves every case: the problems of this case's lines and department-years (or of
  // none), so that a shrunk case is judged on its own.
  const verified = await verifyProjections(database.db, DEFAULT_RULES);
  const ours = verified.problems.filter((p) => new RegExp(`${prefix}[-甲乙]`).test(p.message) || !/c\d+[-甲乙]/.test(p.message));
  if (ours.length > 0) throw new Error(`verify after the appends: ${ours.map((p) => p.message).join('; ')}`);
  await rebuildProjections(database.db);
  const afterRebuild = [{ monthDay: '12-31', knownAfter: last }, ...history.probes.slice(0, 1)];
  await expectFigures(database, model, prefix, afterRebuild, knownAt);
  await expectYearEnds(database, model, prefix, knownAt);
}

/** A copy of an event the ledger wrote (a carry, an opening), when `original` is one and the model knows it. */
function repostedAs(model: LedgerModel, original: RawEvent, prefix: string): RawEvent | undefined {
  const repost = repostOf(original);
  if (repost === undefined) return undefined;
  const derived = model.derivedOf(`${prefix}.${repost.yearClosedId}`);
  return (repost.of === 'any' ? derived : derived.filter((e) => e.type === 'BalanceCarriedForward'))[repost.n - 1];
}

/** Each department-year's year-end report, known after the last batch, and its identities. */
async function expectYearEnds(database: ThrowawayDatabase, model: LedgerModel, prefix: string, knownAt: readonly string[]): Promise<void> {
  const last = knownAt.length - 1;
  for (const department of ['甲', '乙'].map((d) => `${prefix}${d}`)) {
    for (const year of [2021, 2022]) await expectYearEnd(database.db, model, department, year, last, knownAt[last] as string);
  }
}

function expectOutcome(expected: ModelOutcome, actual: { status: string; code?: string }, raw: RawEvent, batch: number): void {
  const where = `event ${raw.eventId} (${raw.type}) in batch ${batch}`;
  if (expected.status === 'rejected') {
    if (actual.status !== 'rejected' || !expected.codes.has(actual.code as string)) {
      throw new Error(`${where}: ${actual.status} ${actual.code ?? ''}; the model refuses it as ${[...expected.codes].join(' or ')}`);
    }
  } else if (actual.status !== expected.status) {
    throw new Error(`${where}: ${actual.status} ${actual.code ?? ''}; the model: ${expected.status}`);
  }
}

async function expectFigures(
  database: ThrowawayDatabase,
  model: LedgerModel,
  prefix: string,
  probes: readonly { monthDay: string; knownAfter: number }[],
  knownAt: readonly string[],
): Promise<void> {
  const db = database.db;
  // Traces at the first probe and the last (the end of the year, known now): a query per line.
  for (const probe of new Set([probes[0], probes.at(-1)])) {
    if (probe === undefined) continue;
    const lineIds = [...model.lines.keys()].filter((id) => id.startsWith(`${prefix}-`));
    await expectTraces(db, model, lineIds, probe.monthDay, probe.knownAfter, knownAt[probe.knownAfter] as string);
  }
  for (const department of ['甲', '乙'].map((d) => `${prefix}${d}`)) {
    // 2023: the lines a close of 2022 opened, with what they received.
    const view2023 = await queryView(db, { department, asOf: '2023-12-31', knownAt: knownAt.at(-1), groupBy: 'line' });
    expect({ rows: view2023.rows, total: view2023.total }).toEqual(model.view(department, '2023-12-31', knownAt.length - 1));
    for (const year of [2021, 2022]) {
      await expectViewIdentities(db, department, `${year}-12-31`, knownAt.at(-1) as string);
      // Lines judged against their own plans, at dates inside their checkpoints, known now.
      for (const asOf of model.planDates(department, year, 4)) {
        await expectWarnings(db, model, department, asOf, knownAt.length - 1, knownAt.at(-1) as string);
      }
      for (const probe of probes) {
        const asOf = `${year}-${probe.monthDay}`;
        const known = knownAt[probe.knownAfter] as string;
        const where = `${department} as of ${asOf}, known after batch ${probe.knownAfter}`;
        const view = await queryView(db, { department, asOf, knownAt: known, groupBy: 'line' });
        const expectedView = model.view(department, asOf, probe.knownAfter);
        expect({
          where,
          rows: view.rows,
          total: view.total,
        }).toEqual({
          where,
          ...expectedView,
        });
        await expectWarnings(db, model, department, asOf, probe.knownAfter, known);
        const progress = await queryProgress(db, { department, fiscalYear: year, knownAt: known });
        expect({
          where,
          quarters: progress.quarters.map((q) => ({
            period: q.period,
            date: q.date,
            executed: q.executed,
            adjusted: q.adjusted,
            progress: q.progress,
            quarterRate: q.quarterRate,
            closed: q.closed,
            committed: q.committed,
            ...(q.reported === undefined
              ? {}
              : { reported: { executed: q.reported.executed, adjusted: q.reported.adjusted, committed: q.reported.committed } }),
          })),
        }).toEqual({ where, quarters: model.progress(department, year, probe.knownAfter) });
        const ratios = await queryRatios(db, { department, fiscalYear: year, asOf, knownAt: known });
        expect({
          where,
          initial: ratios.initial,
          adjusted: ratios.adjusted,
          adjustmentAmount: ratios.adjustmentAmount,
          adjustmentRatio: ratios.adjustmentRatio,
          transferAmount: ratios.transferAmount,
          routineTransferAmount: ratios.routineTransferAmount,
          transferRatio: ratios.transferRatio,
        }).toEqual({ where, ...model.ratios(department, year, asOf, probe.knownAfter) });
      }
    }
  }
}

/** The history of one case under its own names (the model sees the same names). */
function relabel(raw: RawEvent, prefix: string): RawEvent {
  const data: Record<string, unknown> = { ...raw.data };
  for (const key of ['lineId', 'fromLineId', 'toLineId']) if (typeof data[key] === 'string') data[key] = `${prefix}-${data[key]}`;
  if (typeof data.department === 'string') data.department = `${prefix}${data.department}`;
  for (const key of ['paymentEventId', 'commitmentEventId']) if (typeof data[key] === 'string') data[key] = `${prefix}.${data[key]}`;
  return { ...raw, eventId: `${prefix}.${raw.eventId}`, data };
}

function parsed(raw: RawEvent): LedgerEvent {
  const result = parseEvent(raw);
  if (!result.ok) throw new Error(`the generator made an invalid event: ${result.error.message}`);
  return result.event;
}

async function lastRecordedAt(database: ThrowawayDatabase): Promise<string> {
  const [row] = await database.db.query<{ at: string | null }>(
    `SELECT to_char(max(recorded_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM ledger_events`,
  );
  return row?.at ?? '1970-01-01T00:00:00.000Z';
}
