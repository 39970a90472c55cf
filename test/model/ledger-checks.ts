import type { Database } from '@ledger/event-store';
import Decimal from 'decimal.js';
import { queryTrace, queryView, queryWarnings, queryYearEnd } from '@ledger/reporting';
import { closeYear } from './model-year-end';
import { fen, yuan, type LedgerModel } from './reference-model';

/**
 * Checks of the ledger against the reference model beyond view, progress and ratios (decision
 * 0014): the log's events per stream, each line's commitments, plans and totals in trace, the
 * year-end report, and the reconciliation identities of the year end, which are checked on the
 * ledger's own answers (they must hold whatever the model says).
 */

/** The stored events of one case per stream, in log order, equal the model's (the ledger's own ones included). */
export async function expectLog(db: Database, model: LedgerModel, prefix: string): Promise<void> {
  const rows = await db.query<{ event_id: string; type: string; stream_id: string }>(
    `SELECT event_id, type, stream_id FROM ledger_events WHERE event_id LIKE $1 ORDER BY position`,
    [`${prefix}.%`],
  );
  const byStream = (entries: readonly { eventId: string; type: string; stream: string }[]) => {
    const streams = new Map<string, string[]>();
    for (const e of entries) streams.set(e.stream, [...(streams.get(e.stream) ?? []), `${e.eventId} ${e.type}`]);
    return Object.fromEntries([...streams.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  };
  expect(byStream(rows.map((r) => ({ eventId: r.event_id, type: r.type, stream: r.stream_id })))).toEqual(byStream(model.log()));
}

/** trace of each line known at the instant: its commitments, its plans (the one in force last) and its totals. */
export async function expectTraces(
  db: Database,
  model: LedgerModel,
  lineIds: readonly string[],
  monthDay: string,
  known: number,
  knownAt: string,
): Promise<void> {
  for (const lineId of lineIds) {
    const line = model.lineOf(lineId);
    if (line === undefined || line.openedInBatch > known) continue;
    const asOf = `${line.fiscalYear}-${monthDay}`;
    const where = `trace of ${lineId} as of ${asOf}, known after batch ${known}`;
    const trace = await queryTrace(db, { lineId, asOf, knownAt, limit: 10_000 });
    const plans = model.plansOf(lineId, asOf, known);
    const row = model.view(line.department, asOf, known).rows.find((r) => r.key.line === lineId);
    expect({
      where,
      commitments: trace.commitments,
      plans: trace.plans.map((p) => ({ eventId: p.eventId, effectiveDate: p.effectiveDate, checkpoints: p.checkpoints })),
      inForce: trace.plans.at(-1)?.eventId,
      ...(row === undefined
        ? {}
        : {
            totals: {
              committed: trace.totals.committed,
              broughtForward: trace.totals.broughtForward,
              carriedForward: trace.totals.carriedForward,
              available: trace.totals.available,
              executed: trace.totals.executed,
              adjusted: trace.totals.adjusted,
            },
          }),
    }).toEqual({
      where,
      commitments: model.commitmentsOf(lineId, asOf, known),
      plans: plans.inOrder,
      inForce: plans.inForce,
      ...(row === undefined
        ? {}
        : {
            totals: {
              committed: row.committed,
              broughtForward: row.broughtForward,
              carriedForward: row.carriedForward,
              available: row.available,
              executed: row.executed,
              adjusted: row.adjusted,
            },
          }),
    });
  }
}

/**
 * The year-end report of a department-year, known after the last batch, equal to the model's: each
 * line's figures, what it carried (or, the year open, would carry) and to which line, what lapses;
 * the next year's receiving lines.
 */
export async function expectYearEnd(db: Database, model: LedgerModel, department: string, year: number, known: number, knownAt: string) {
  const report = await queryYearEnd(db, { department, fiscalYear: year, knownAt });
  const closed = model.yearClosed(department, year, known);
  const carries = new Map<string, { to: string; amount: bigint }>();
  const yearClosedId = closed ? model.yearClosedId(department, year) : undefined;
  const events = closed
    ? model.derivedOf(yearClosedId ?? '')
    : closeYear(model.lines, {
        eventId: 'planned',
        type: 'YearClosed',
        effectiveDate: `${year}-12-31`,
        correction: false,
        data: { department, fiscalYear: year },
      });
  for (const e of events) {
    if (e.type === 'BalanceCarriedForward') {
      carries.set(e.data.fromLineId as string, { to: e.data.toLineId as string, amount: fen(e.data.amount) });
    }
  }
  const view = model.view(department, `${year}-12-31`, known);
  const where = `year end of ${department} ${year}`;
  const lines = view.rows.map((r) => {
    const lineId = r.key.line;
    const kind = model.lineOf(lineId)?.kind;
    return {
      lineId,
      kind,
      adjusted: r.adjusted,
      executed: r.executed,
      committed: r.committed,
      available: r.available,
      carriedForward: closed ? r.carriedForward : yuan(carries.get(lineId)?.amount ?? 0n),
      lapsed: kind === 'basic' ? r.available : '0.00',
      toLineId: carries.get(lineId)?.to ?? null,
    };
  });
  const receivers = new Map<string, string[]>();
  for (const [from, c] of carries) receivers.set(c.to, [...(receivers.get(c.to) ?? []), from]);
  const next = model.view(department, `${year + 1}-12-31`, known);
  const nextLines = [...receivers.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([lineId, from]) => {
      const planned = closed ? 0n : from.reduce((s, f) => s + (carries.get(f)?.amount ?? 0n), 0n);
      const row = next.rows.find((r) => r.key.line === lineId);
      return {
        lineId,
        fromLineIds: from,
        broughtForward: yuan(fen(row?.broughtForward ?? '0.00') + planned),
        adjusted: yuan(fen(row?.adjusted ?? '0.00') + planned),
      };
    });
  expect({
    where,
    closed: report.closed,
    yearClosedEventId: report.yearClosedEventId,
    lines: report.lines.map((l) => ({
      lineId: l.lineId,
      kind: l.kind,
      adjusted: l.adjusted,
      executed: l.executed,
      committed: l.committed,
      available: l.available,
      carriedForward: l.carriedForward,
      lapsed: l.lapsed,
      toLineId: l.toLineId,
    })),
    next: report.nextYear.lines.map((l) => ({
      lineId: l.lineId,
      fromLineIds: l.fromLineIds,
      broughtForward: l.broughtForward,
      adjusted: l.adjusted,
    })),
  }).toEqual({ where, closed, yearClosedEventId: yearClosedId ?? null, lines, next: nextLines });
  expectYearEndIdentities(report, where);
}

type YearEndReport = Awaited<ReturnType<typeof queryYearEnd>>;

/** Decision 0014's identities on the report itself: adjusted = executed + committed + available; carried and lapsed = available. */
function expectYearEndIdentities(report: YearEndReport, where: string): void {
  const problems: string[] = [];
  const sum = (values: string[]) => values.reduce((s, v) => s + fen(v), 0n);
  for (const l of [...report.lines, { ...report.totals, lineId: 'total', kind: 'total' }]) {
    if (fen(l.adjusted) !== fen(l.executed) + fen(l.committed) + fen(l.available)) {
      problems.push(`${l.lineId}: adjusted ≠ executed + committed + available`);
    }
  }
  for (const l of report.lines) {
    const available = fen(l.available) > 0n ? fen(l.available) : 0n;
    if (l.kind === 'project' && report.closed && fen(l.carriedForward) !== available) problems.push(`${l.lineId}: carried ≠ available`);
    if (l.kind === 'basic' && (fen(l.lapsed) !== fen(l.available) || fen(l.carriedForward) !== 0n)) {
      problems.push(`${l.lineId}: lapsed ≠ available`);
    }
  }
  if (sum(report.lines.map((l) => l.carriedForward)) !== fen(report.totals.carriedForward)) {
    problems.push('totals.carriedForward ≠ Σ lines');
  }
  if (fen(report.totals.carriedForward) !== fen(report.nextYear.totals.broughtForward)) {
    problems.push('carried ≠ next year brought forward');
  }
  expect({ where, problems }).toEqual({ where, problems: [] });
}

/** The view's identities, on the ledger's own answer: adjusted from its parts, and adjusted = executed + committed + available. */
export async function expectViewIdentities(db: Database, department: string, asOf: string, knownAt: string): Promise<void> {
  const view = await queryView(db, { department, asOf, knownAt, groupBy: 'line' });
  const problems: string[] = [];
  for (const r of [...view.rows, { ...view.total, key: { line: 'total' } }]) {
    const parts = fen(r.initial) + fen(r.adjustments) + fen(r.transfersIn) - fen(r.transfersOut) + fen(r.broughtForward);
    if (parts !== fen(r.adjusted)) problems.push(`${String(r.key.line)}: initial + adjustments ± transfers + broughtForward ≠ adjusted`);
    if (fen(r.adjusted) !== fen(r.executed) + fen(r.committed) + fen(r.available)) {
      problems.push(`${String(r.key.line)}: adjusted ≠ executed + committed + available`);
    }
  }
  expect({ where: `view of ${department} as of ${asOf}`, problems }).toEqual({
    where: `view of ${department} as of ${asOf}`,
    problems: [],
  });
}

const DAY_MS = 86_400_000;
const days = (from: string, to: string): number => (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS;

/**
 * A plan's share due on a date (decision 0014): 0 at the start of January 1st, linear between
 * checkpoints, the last checkpoint's share (1) after it; rounded once, half up, to 4 decimals. Days
 * are counted at the end of a day, as the common 序时进度 counts them (a date's figures include its
 * events): so the origin is the end of December 31st before.
 */
export function plannedShare(checkpoints: readonly { date: string; share: string }[], asOf: string): string {
  return round4(shareAt(checkpoints, asOf));
}

const round4 = (d: Decimal): string => d.toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);

/** plannedShare, exact. */
function shareAt(checkpoints: readonly { date: string; share: string }[], asOf: string): Decimal {
  let from = { date: `${Number(asOf.slice(0, 4)) - 1}-12-31`, share: new Decimal(0) };
  for (const c of checkpoints) {
    const to = { date: c.date, share: new Decimal(c.share) };
    if (asOf <= to.date) {
      return from.share.plus(to.share.minus(from.share).mul(new Decimal(days(from.date, asOf)).div(days(from.date, to.date))));
    }
    from = to;
  }
  return from.share;
}

/** 序时进度: 25%, 50%, 75%, 100% at the quarter ends (DESIGN.md §4), as a plan. */
const commonSchedule = (year: string) =>
  ['03-31', '06-30', '09-30', '12-31'].map((monthDay, q) => ({ date: `${year}-${monthDay}`, share: String((q + 1) / 4) }));

/** warnings by line: each line with a plan in force is judged against it (plan 'own', expected its share), the others 'common'. */
export async function expectWarnings(
  db: Database,
  model: LedgerModel,
  department: string,
  asOf: string,
  known: number,
  knownAt: string,
): Promise<void> {
  const report = await queryWarnings(db, { department, asOf, knownAt });
  const rows = model
    .view(department, asOf, known, { openedByAsOf: false })
    .rows.filter((r) => fen(r.adjusted) !== 0n)
    .map((r) => {
      const plans = model.plansOf(r.key.line, asOf, known);
      const inForce = plans.inOrder.at(-1);
      return {
        key: r.key.line,
        executed: r.executed,
        adjusted: r.adjusted,
        plan: inForce === undefined ? 'common' : 'own',
        ...(inForce === undefined ? {} : { expected: plannedShare(inForce.checkpoints, asOf) }),
      };
    });
  const where = `warnings of ${department} as of ${asOf}, known after batch ${known}`;
  await expectProjectWarnings(db, model, department, asOf, known, knownAt);
  expect({
    where,
    rows: report.rows.map(warningCompared),
  }).toEqual({ where, rows });
}

/**
 * warnings by project: a project with a line under a plan is judged against its lines' plans
 * weighted by their adjusted (a line without a plan on the common 序时进度), exact before rounding.
 */
async function expectProjectWarnings(db: Database, model: LedgerModel, department: string, asOf: string, known: number, knownAt: string) {
  const report = await queryWarnings(db, { department, asOf, knownAt, by: 'project' });
  const projects = new Map<string, { executed: bigint; adjusted: bigint; weighted: Decimal; own: boolean }>();
  for (const r of model.view(department, asOf, known, { openedByAsOf: false }).rows) {
    const project = model.lineOf(r.key.line)?.opened.project as string | undefined;
    if (project === undefined) continue;
    const p = projects.get(project) ?? { executed: 0n, adjusted: 0n, weighted: new Decimal(0), own: false };
    const inForce = model.plansOf(r.key.line, asOf, known).inOrder.at(-1);
    p.executed += fen(r.executed);
    p.adjusted += fen(r.adjusted);
    p.weighted = p.weighted.plus(shareAt(inForce?.checkpoints ?? commonSchedule(asOf.slice(0, 4)), asOf).mul(fen(r.adjusted).toString()));
    p.own ||= inForce !== undefined;
    projects.set(project, p);
  }
  const rows = [...projects.entries()]
    .filter(([, p]) => p.adjusted !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, p]) => ({
      key,
      executed: yuan(p.executed),
      adjusted: yuan(p.adjusted),
      plan: p.own ? 'own' : 'common',
      ...(p.own ? { expected: round4(p.weighted.div(p.adjusted.toString())) } : {}),
    }));
  const where = `warnings by project of ${department} as of ${asOf}, known after batch ${known}`;
  expect({
    where,
    rows: report.rows.map(warningCompared),
  }).toEqual({ where, rows });
}

/** What the warnings checks compare of a row: the figures, the plan judged on, and its due share when it is the line's own. */
function warningCompared(r: { key: string; executed: string; adjusted: string; plan: string; expected: string }) {
  return {
    key: r.key,
    executed: r.executed,
    adjusted: r.adjusted,
    plan: r.plan,
    ...(r.plan === 'own' ? { expected: r.expected } : {}),
  };
}
