import type { DepartmentYear, LedgerState, LineKind, LineState } from '@ledger/domain';
import { emptyState, setQuartersClosed, streamIdOf } from '@ledger/domain';
import { textArrayLiteral, type Sql } from '@ledger/event-store';

/** Fixed statement texts, run for every batch: kept prepared on the connection. */
const PREPARED = { prepare: true } as const;

/** The keys of the ledger state that a batch of events reads. */
export interface StateKeys {
  readonly lineIds: Iterable<string>;
  readonly paymentIds: Iterable<string>;
  /** The departments whose closed quarters and closed years are read. */
  readonly departments: Iterable<string>;
  /** Commitments referenced (releases, payments against one): read with their lines. */
  readonly commitmentIds?: Iterable<string>;
  /** Department-years whose lines are read ALL (a YearClosed's year and the next): state.completeYears. */
  readonly completeYears?: Iterable<DepartmentYear>;
  /** Department-years to know whether they have a line (closing a quarter or a year of one): departmentYearsWithLines. */
  readonly departmentYears?: Iterable<DepartmentYear>;
}

interface LineRow {
  line_id: string;
  department: string;
  fiscal_year: number;
  name: string | null;
  unit: string | null;
  project: string | null;
  function_code: string | null;
  economic_code: string | null;
  funding_source: string | null;
  kind: string;
  tags: string[];
  initial_fen: bigint;
  adjustments_fen: bigint;
  transfers_in_fen: bigint;
  transfers_out_fen: bigint;
  executed_fen: bigint;
  committed_fen: bigint;
  brought_forward_fen: bigint;
  carried_forward_fen: bigint;
}

interface PaymentRow {
  event_id: string;
  line_id: string;
  amount_fen: bigint;
  reversed_fen: bigint;
  commitment_event_id: string | null;
  consumed_fen: bigint;
}

interface CommitmentRow {
  event_id: string;
  line_id: string;
  amount_fen: bigint;
  released_fen: bigint;
  consumed_fen: bigint;
}

/** Closed quarters (`closed` > 0) and closed years (`year_closed`) of a department-year. */
interface ClosedRow {
  department: string;
  fiscal_year: number;
  closed: bigint;
  year_closed: boolean;
}

const none = <T>(): Promise<T[]> => Promise.resolve([]);

/**
 * Loads the part of the ledger state that the given keys touch, from the projection tables.
 * The lines of the referenced payments and commitments are loaded too: a reversal moves its
 * payment's line, a release its commitment's.
 *
 * The reads are sent together, before the first answer is awaited, so that they take one round
 * trip (and join the pipeline of whatever the caller sent just before, such as the stream locks):
 * the payments' and commitments' lines are found by the lines statement itself, and the closed
 * quarters and years of the given departments are read at once. A loaded line of a department not
 * given has its closed periods read afterwards, in a second round trip: callers that know the
 * departments give them. A batch of ordinary payments reads what it read before decision 0014:
 * the commitments, whole department-years and department-years' lines are read only when asked.
 */
export async function loadState(tx: Sql, keys: StateKeys): Promise<LedgerState> {
  const state = emptyState();
  const paymentIds = textArrayLiteral([...new Set(keys.paymentIds)]);
  const commitmentIds = textArrayLiteral([...new Set(keys.commitmentIds ?? [])]);
  const departments = new Set(keys.departments);
  const completeYears = uniqueYears(keys.completeYears ?? []);
  const askedYears = uniqueYears([...(keys.departmentYears ?? []), ...completeYears]);
  const payments = paymentIds === '{}' ? none<PaymentRow>() : readPayments(tx, paymentIds);
  const commitments = commitmentIds === '{}' ? none<CommitmentRow>() : readCommitments(tx, commitmentIds);
  const lines = readLines(tx, textArrayLiteral([...new Set(keys.lineIds)]), paymentIds, commitmentIds);
  const wholeYears = completeYears.length === 0 ? none<LineRow>() : readWholeYears(tx, completeYears);
  const withLines = askedYears.length === 0 ? none<{ department: string; fiscal_year: number }>() : readYearsWithLines(tx, askedYears);
  const periods = closedPeriods(tx, departments);
  const [paymentRows, commitmentRows, lineRows, wholeYearRows, yearsWithLines, periodRows] = await Promise.all([
    payments,
    commitments,
    lines,
    wholeYears,
    withLines,
    periods,
  ]);
  for (const row of paymentRows) {
    state.payments.set(row.event_id, {
      eventId: row.event_id,
      lineId: row.line_id,
      amountFen: row.amount_fen,
      reversedFen: row.reversed_fen,
      consumedFen: row.consumed_fen,
      ...(row.commitment_event_id === null ? {} : { commitmentEventId: row.commitment_event_id }),
    });
  }
  for (const row of commitmentRows) {
    state.commitments.set(row.event_id, {
      eventId: row.event_id,
      lineId: row.line_id,
      amountFen: row.amount_fen,
      releasedFen: row.released_fen,
      consumedFen: row.consumed_fen,
    });
  }
  const otherDepartments = new Set<string>();
  for (const row of [...lineRows, ...wholeYearRows]) {
    if (state.lines.has(row.line_id)) continue;
    state.lines.set(row.line_id, lineState(row));
    state.departmentYearsWithLines.add(streamIdOf(row.department, row.fiscal_year));
    if (!departments.has(row.department)) otherDepartments.add(row.department);
  }
  for (const y of completeYears) state.completeYears.add(streamIdOf(y.department, y.fiscalYear));
  for (const row of yearsWithLines) state.departmentYearsWithLines.add(streamIdOf(row.department, row.fiscal_year));
  const allPeriods = otherDepartments.size === 0 ? periodRows : [...periodRows, ...(await closedPeriods(tx, otherDepartments))];
  for (const row of allPeriods) {
    if (row.year_closed) state.closedYears.add(streamIdOf(row.department, row.fiscal_year));
    else setQuartersClosed(state, row.department, row.fiscal_year, Number(row.closed));
  }
  return state;
}

function lineState(row: LineRow): LineState {
  return {
    lineId: row.line_id,
    department: row.department,
    fiscalYear: row.fiscal_year,
    kind: row.kind as LineKind,
    tags: row.tags,
    ...(row.name === null ? {} : { name: row.name }),
    ...(row.unit === null ? {} : { unit: row.unit }),
    ...(row.project === null ? {} : { project: row.project }),
    ...(row.function_code === null ? {} : { functionCode: row.function_code }),
    ...(row.economic_code === null ? {} : { economicCode: row.economic_code }),
    ...(row.funding_source === null ? {} : { fundingSource: row.funding_source }),
    initialFen: row.initial_fen,
    adjustmentsFen: row.adjustments_fen,
    transfersInFen: row.transfers_in_fen,
    transfersOutFen: row.transfers_out_fen,
    executedFen: row.executed_fen,
    committedFen: row.committed_fen,
    broughtForwardFen: row.brought_forward_fen,
    carriedForwardFen: row.carried_forward_fen,
  };
}

function uniqueYears(years: Iterable<DepartmentYear>): DepartmentYear[] {
  const unique = new Map<string, DepartmentYear>();
  for (const y of years) unique.set(streamIdOf(y.department, y.fiscalYear), { department: y.department, fiscalYear: y.fiscalYear });
  return [...unique.values()];
}

const yearParams = (years: readonly DepartmentYear[]): string[] => [
  textArrayLiteral(years.map((y) => y.department)),
  `{${years.map((y) => y.fiscalYear).join(',')}}`,
];

const LINE_COLUMNS =
  'line_id, department, fiscal_year, name, unit, project, function_code, economic_code, funding_source, kind, tags, ' +
  'initial_fen, adjustments_fen, transfers_in_fen, transfers_out_fen, executed_fen, committed_fen, brought_forward_fen, carried_forward_fen';

/**
 * The payments, with what each consumed of its commitment: the negated committed figure of its
 * own movement row (read only for a payment that names a commitment).
 */
function readPayments(tx: Sql, paymentIds: string): Promise<PaymentRow[]> {
  return tx.query<PaymentRow>(
    `SELECT e.event_id, e.data->>'lineId' AS line_id, ((e.data->>'amount')::numeric * 100)::bigint AS amount_fen,
            COALESCE(r.reversed_fen, 0) AS reversed_fen, e.data->>'commitmentEventId' AS commitment_event_id,
            CASE WHEN e.data ? 'commitmentEventId'
                 THEN COALESCE((SELECT -m.committed_fen FROM ledger_movements m WHERE m.line_id = e.data->>'lineId' AND m.position = e.position), 0)
                 ELSE 0 END::bigint AS consumed_fen
     FROM ledger_events e LEFT JOIN ledger_reversals r ON r.payment_event_id = e.event_id
     WHERE e.event_id IN (SELECT unnest($1::text::text[])) AND e.type = 'PaymentRecorded'`,
    [paymentIds],
    PREPARED,
  );
}

function readCommitments(tx: Sql, commitmentIds: string): Promise<CommitmentRow[]> {
  return tx.query<CommitmentRow>(
    `SELECT event_id, line_id, amount_fen, released_fen, consumed_fen FROM ledger_commitments WHERE event_id IN (SELECT unnest($1::text::text[]))`,
    [commitmentIds],
    PREPARED,
  );
}

/** The lines asked for, with those of the payments and commitments asked for; the simplest statement that does. */
function readLines(tx: Sql, lineIds: string, paymentIds: string, commitmentIds: string): Promise<LineRow[]> {
  if (commitmentIds !== '{}') {
    return tx.query<LineRow>(
      `SELECT ${LINE_COLUMNS} FROM ledger_lines
       WHERE line_id IN (SELECT unnest($1::text::text[])
                         UNION
                         SELECT data->>'lineId' FROM ledger_events WHERE event_id IN (SELECT unnest($2::text::text[])) AND type = 'PaymentRecorded'
                         UNION
                         SELECT line_id FROM ledger_commitments WHERE event_id IN (SELECT unnest($3::text::text[])))`,
      [lineIds, paymentIds, commitmentIds],
      PREPARED,
    );
  }
  if (paymentIds !== '{}') {
    return tx.query<LineRow>(
      `SELECT ${LINE_COLUMNS} FROM ledger_lines
       WHERE line_id IN (SELECT unnest($1::text::text[])
                         UNION
                         SELECT data->>'lineId' FROM ledger_events WHERE event_id IN (SELECT unnest($2::text::text[])) AND type = 'PaymentRecorded')`,
      [lineIds, paymentIds],
      PREPARED,
    );
  }
  if (lineIds === '{}') return none<LineRow>();
  return tx.query<LineRow>(
    `SELECT ${LINE_COLUMNS} FROM ledger_lines WHERE line_id IN (SELECT unnest($1::text::text[]))`,
    [lineIds],
    PREPARED,
  );
}

/**
 * Every line of the department-years given, and the lines of any department-year whose lineIds a
 * close of them may give a line it opens (`<project lineId cut to 110>.cf<next year>`, or with
 * `-2`, `-3`…: decision 0014), so that the decider picks a lineId that is free everywhere.
 */
function readWholeYears(tx: Sql, years: readonly DepartmentYear[]): Promise<LineRow[]> {
  const columns = (t: string) =>
    LINE_COLUMNS.split(', ')
      .map((c) => `${t}.${c}`)
      .join(', ');
  return tx.query<LineRow>(
    `WITH y AS (SELECT * FROM unnest($1::text::text[], $2::text::integer[]) AS y(department, fiscal_year))
     SELECT ${LINE_COLUMNS} FROM ledger_lines WHERE (department, fiscal_year) IN (SELECT department, fiscal_year FROM y)
     UNION ALL
     SELECT ${columns('n')} FROM y
       JOIN ledger_lines f ON f.department = y.department AND f.fiscal_year = y.fiscal_year AND f.kind = 'project'
       CROSS JOIN LATERAL (SELECT left(f.line_id, 110) || '.cf' || (y.fiscal_year + 1) AS base) b
       -- "C" order: the base, then the base followed by '-' and anything, end before the base followed by '.'.
       JOIN ledger_lines n ON n.line_id >= b.base AND n.line_id < b.base || '.'
      WHERE (n.department, n.fiscal_year) NOT IN (SELECT department, fiscal_year FROM y)`,
    yearParams(years),
    PREPARED,
  );
}

/**
 * Which of the department-years given have a line. A department-year's lines may all have been
 * opened by the ledger in another stream (a YearClosed of the year before opens them in its own),
 * so its stream's head says nothing about them.
 */
function readYearsWithLines(tx: Sql, years: readonly DepartmentYear[]): Promise<{ department: string; fiscal_year: number }[]> {
  return tx.query(
    `SELECT s.department, s.fiscal_year FROM unnest($1::text::text[], $2::text::integer[]) AS s(department, fiscal_year)
     WHERE EXISTS (SELECT 1 FROM ledger_lines l WHERE l.department = s.department AND l.fiscal_year = s.fiscal_year)`,
    yearParams(years),
    PREPARED,
  );
}

/** How many quarters of each department-year of the given departments are closed, and which years are. */
function closedPeriods(tx: Sql, departments: ReadonlySet<string>): Promise<ClosedRow[]> {
  if (departments.size === 0) return Promise.resolve([]);
  return tx.query(
    `SELECT department, fiscal_year, count(*) AS closed, false AS year_closed FROM ledger_periods
     WHERE department IN (SELECT unnest($1::text::text[])) GROUP BY department, fiscal_year
     UNION ALL
     SELECT department, fiscal_year, 0::bigint, true FROM ledger_year_ends WHERE department IN (SELECT unnest($1::text::text[]))`,
    [textArrayLiteral([...departments])],
    PREPARED,
  );
}
