import fc from 'fast-check';
import { parseEvent, type LedgerEvent } from '@ledger/domain';
import { createThrowawayDatabase, testEngines, type ThrowawayDatabase } from '@ledger/event-store/testing/test-databases';
import { testLedger } from '@ledger/ledger/testing/test-ledger';
import { rebuildProjections } from '@ledger/projections';
import { DEFAULT_RULES, queryProgress, queryRatios, queryView } from '@ledger/reporting';
import { verifyProjections } from '@ledger/ledger';
import { historyArbitrary, type History } from './histories';
import { propertySettings } from './property-settings';
import { LedgerModel, type ModelOutcome, type RawEvent } from './reference-model';

/** Cases per engine: about a minute on this 2-core machine (LEDGER_PROPERTY_RUNS overrides). */
const DEFAULT_RUNS = 15;

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
        fc.asyncProperty(historyArbitrary({ maxEvents: 40 }), async (history) => {
          caseNumber += 1;
          // Every case in its own departments, lines and eventIds: one database serves them all.
          await checkCase(database, history, `c${caseNumber}`);
        }),
        settings,
      );
    });
  });
}

async function checkCase(database: ThrowawayDatabase, history: History, prefix: string): Promise<void> {
  const events = history.events.map((raw) => relabel(raw, prefix));
  const ledger = testLedger(database.db, { lanes: history.lanes, clock: () => new Date(`${history.today}T12:00:00+08:00`) });
  const model = new LedgerModel(history.today);
  /** After each batch: the last recordedAt in the database, which no later batch shares. */
  const knownAt: string[] = [];
  let offset = 0;
  for (const [batch, size] of history.batches.entries()) {
    const raws = events.slice(offset, offset + size);
    offset += size;
    const results = await ledger.writer.append(raws.map(parsed));
    results.forEach((result, i) => {
      const raw = raws[i] as RawEvent;
      expectOutcome(
        model.apply(raw, batch),
        result.status === 'rejected' ? { status: 'rejected', code: result.error.code } : { status: result.status },
        raw,
        batch,
      );
    });
    knownAt.push(await lastRecordedAt(database));
    // recordedAt has milliseconds: the next batch is recorded strictly later.
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const last = history.batches.length - 1;
  const probes = [...history.probes, { monthDay: '12-31', knownAfter: last }];
  await expectFigures(database, model, prefix, probes, knownAt);
  // The projections the appends wrote, batch by batch, equal those verify derives from the log alone.
  const verified = await verifyProjections(database.db, DEFAULT_RULES);
  if (!verified.ok) throw new Error(`verify after the appends: ${verified.problems.map((p) => p.message).join('; ')}`);
  await rebuildProjections(database.db);
  await expectFigures(database, model, prefix, [{ monthDay: '12-31', knownAfter: last }, ...history.probes.slice(0, 1)], knownAt);
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
  for (const department of ['甲', '乙'].map((d) => `${prefix}${d}`)) {
    for (const year of [2021, 2022]) {
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
            ...(q.reported === undefined ? {} : { reported: { executed: q.reported.executed, adjusted: q.reported.adjusted } }),
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
  if (typeof data.paymentEventId === 'string') data.paymentEventId = `${prefix}.${data.paymentEventId}`;
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
