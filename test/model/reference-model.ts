import Decimal from 'decimal.js';

/**
 * A small reference model of DESIGN.md §3–§4, written for the property tests apart from the
 * domain's decider (nothing of libs/domain is imported): raw events in, in input order, and for
 * each one its outcome; then the figures of view (by line), progress and ratios for any business
 * date and any point of knowledge. Batches do not exist here: an event is judged against every
 * event accepted before it in input order, which is what the ledger must answer whatever the
 * batches the input was cut into. Knowledge is counted in batches: `knownAfterBatch = k` takes
 * the events stored by batches 0..k.
 */

export interface RawEvent {
  readonly eventId: string;
  readonly type: string;
  readonly effectiveDate: string;
  readonly correction: boolean;
  readonly data: Record<string, unknown>;
}

export type ModelOutcome =
  { readonly status: 'appended' | 'duplicate' } | { readonly status: 'rejected'; readonly codes: ReadonlySet<string> };

interface Line {
  readonly lineId: string;
  readonly department: string;
  readonly fiscalYear: number;
  readonly openedOn: string;
  readonly openedInBatch: number;
  initial: bigint;
  adjustments: bigint;
  transfersIn: bigint;
  transfersOut: bigint;
  executed: bigint;
}

/** One dated change of one line's figures, with the batch that stored it. */
interface Movement {
  readonly lineId: string;
  readonly date: string;
  readonly batch: number;
  readonly initial: bigint;
  readonly adjustments: bigint;
  readonly transfersIn: bigint;
  readonly transfersOut: bigint;
  readonly routineOut: bigint;
  readonly executed: bigint;
}

const QUARTER_END = ['03-31', '06-30', '09-30', '12-31'];
const SCHEDULE = ['0.25', '0.50', '0.75', '1.00'];

export const fen = (amount: unknown): bigint => {
  const text = String(amount);
  const negative = text.startsWith('-');
  const [whole, cents = ''] = (negative ? text.slice(1) : text).split('.');
  const value = BigInt(whole as string) * 100n + BigInt(cents.padEnd(2, '0'));
  return negative ? -value : value;
};

export const yuan = (f: bigint): string => {
  const sign = f < 0n ? '-' : '';
  const a = f < 0n ? -f : f;
  return `${sign}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
};

/** A ratio rounded once, half up, to 4 decimals; null over zero. */
export function ratio4(numerator: bigint, denominator: bigint, scale = '1'): string | null {
  if (denominator === 0n) return null;
  return new Decimal(numerator.toString())
    .div(new Decimal(denominator.toString()).mul(scale))
    .toDecimalPlaces(4, Decimal.ROUND_HALF_UP)
    .toFixed(4);
}

export class LedgerModel {
  private readonly storedContent = new Map<string, string>();
  private readonly lines = new Map<string, Line>();
  private readonly payments = new Map<string, { lineId: string; amount: bigint; reversed: bigint }>();
  /** department → fiscal year → quarters closed, with the batch of each close. */
  private readonly closes = new Map<string, Map<number, number[]>>();
  private readonly movements: Movement[] = [];

  /** `today`: the ledger's clock, as a business date. */
  constructor(private readonly today: string) {}

  /** Judges one event in input order; `batch` is the batch that stores it (for knownAt). */
  apply(event: RawEvent, batch: number): ModelOutcome {
    const content = JSON.stringify(event);
    const stored = this.storedContent.get(event.eventId);
    if (stored !== undefined) {
      return stored === content ? { status: 'duplicate' } : { status: 'rejected', codes: new Set(['EVENT_ID_CONFLICT']) };
    }
    const codes = this.violations(event);
    if (codes.size > 0) return { status: 'rejected', codes };
    this.storedContent.set(event.eventId, content);
    this.accept(event, batch);
    return { status: 'appended' };
  }

  private lastClosedDay(department: string): string | undefined {
    let last: string | undefined;
    for (const [year, quarters] of this.closes.get(department) ?? []) {
      if (quarters.length === 0) continue;
      const day = `${year}-${QUARTER_END[quarters.length - 1]}`;
      if (last === undefined || day > last) last = day;
    }
    return last;
  }

  private violations(event: RawEvent): Set<string> {
    const codes = new Set<string>();
    const d = event.data;
    const inClosedPeriod = (department: string): void => {
      const last = this.lastClosedDay(department);
      if (!event.correction && last !== undefined && event.effectiveDate <= last) codes.add('PERIOD_CLOSED');
    };
    const outsideYear = (line: Line): void => {
      if (event.effectiveDate.slice(0, 4) !== String(line.fiscalYear)) codes.add('OUTSIDE_FISCAL_YEAR');
    };
    const lineOf = (lineId: unknown): Line | undefined => {
      const line = this.lines.get(lineId as string);
      if (line === undefined) codes.add('LINE_NOT_FOUND');
      return line;
    };
    switch (event.type) {
      case 'BudgetLineOpened':
        if (this.lines.has(d.lineId as string)) codes.add('LINE_ALREADY_OPENED');
        inClosedPeriod(d.department as string);
        break;
      case 'InitialBudgetApproved':
      case 'PaymentRecorded':
      case 'BudgetAdjusted': {
        const line = lineOf(d.lineId);
        if (line === undefined) break;
        outsideYear(line);
        inClosedPeriod(line.department);
        const amount = fen(d.amount);
        const available = adjusted(line) - line.executed;
        if (event.type === 'PaymentRecorded' && amount > available) codes.add('LINE_OVERDRAWN');
        if (event.type === 'BudgetAdjusted' && amount < 0n && adjusted(line) + amount < line.executed) {
          codes.add('ADJUSTMENT_BELOW_EXECUTED');
        }
        break;
      }
      case 'BudgetTransferred': {
        const from = lineOf(d.fromLineId);
        const to = lineOf(d.toLineId);
        if (from === undefined || to === undefined) break;
        if (from.department !== to.department || from.fiscalYear !== to.fiscalYear) codes.add('TRANSFER_OUTSIDE_DEPARTMENT_YEAR');
        outsideYear(from);
        inClosedPeriod(from.department);
        if (fen(d.amount) > adjusted(from) - from.executed) codes.add('TRANSFER_EXCEEDS_AVAILABLE');
        break;
      }
      case 'PaymentReversed': {
        const payment = this.payments.get(d.paymentEventId as string);
        if (payment === undefined) {
          codes.add('PAYMENT_NOT_FOUND');
          break;
        }
        const line = this.lines.get(payment.lineId) as Line;
        outsideYear(line);
        inClosedPeriod(line.department);
        if (fen(d.amount) > payment.amount - payment.reversed) codes.add('REVERSAL_EXCEEDS_PAYMENT');
        break;
      }
      case 'PeriodClosed': {
        const department = d.department as string;
        const year = d.fiscalYear as number;
        const closed = this.closes.get(department)?.get(year)?.length ?? 0;
        const wanted = Number(String(d.period).slice(1));
        if (wanted <= closed) codes.add('PERIOD_ALREADY_CLOSED');
        else if (wanted !== closed + 1) codes.add('PERIOD_OUT_OF_ORDER');
        if (![...this.lines.values()].some((l) => l.department === department && l.fiscalYear === year)) {
          codes.add('DEPARTMENT_YEAR_NOT_FOUND');
        }
        if (this.today <= `${year}-${QUARTER_END[wanted - 1]}`) codes.add('PERIOD_NOT_ENDED');
        break;
      }
      default:
        throw new Error(`model: unknown type ${event.type}`);
    }
    return codes;
  }

  private accept(event: RawEvent, batch: number): void {
    const d = event.data;
    const move = (lineId: string, change: Partial<Omit<Movement, 'lineId' | 'date' | 'batch'>>): void => {
      const m: Movement = {
        lineId,
        date: event.effectiveDate,
        batch,
        initial: 0n,
        adjustments: 0n,
        transfersIn: 0n,
        transfersOut: 0n,
        routineOut: 0n,
        executed: 0n,
        ...change,
      };
      this.movements.push(m);
      const line = this.lines.get(lineId) as Line;
      line.initial += m.initial;
      line.adjustments += m.adjustments;
      line.transfersIn += m.transfersIn;
      line.transfersOut += m.transfersOut;
      line.executed += m.executed;
    };
    switch (event.type) {
      case 'BudgetLineOpened':
        this.lines.set(d.lineId as string, {
          lineId: d.lineId as string,
          department: d.department as string,
          fiscalYear: d.fiscalYear as number,
          openedOn: event.effectiveDate,
          openedInBatch: batch,
          initial: 0n,
          adjustments: 0n,
          transfersIn: 0n,
          transfersOut: 0n,
          executed: 0n,
        });
        return;
      case 'InitialBudgetApproved':
        return move(d.lineId as string, { initial: fen(d.amount) });
      case 'BudgetAdjusted':
        return move(d.lineId as string, { adjustments: fen(d.amount) });
      case 'BudgetTransferred': {
        const amount = fen(d.amount);
        move(d.fromLineId as string, { transfersOut: amount, routineOut: d.routine === true ? amount : 0n });
        return move(d.toLineId as string, { transfersIn: amount });
      }
      case 'PaymentRecorded':
        this.payments.set(event.eventId, { lineId: d.lineId as string, amount: fen(d.amount), reversed: 0n });
        return move(d.lineId as string, { executed: fen(d.amount) });
      case 'PaymentReversed': {
        const payment = this.payments.get(d.paymentEventId as string) as { lineId: string; amount: bigint; reversed: bigint };
        payment.reversed += fen(d.amount);
        return move(payment.lineId, { executed: -fen(d.amount) });
      }
      case 'PeriodClosed': {
        let years = this.closes.get(d.department as string);
        if (years === undefined) this.closes.set(d.department as string, (years = new Map()));
        const quarters = years.get(d.fiscalYear as number) ?? [];
        quarters.push(batch);
        years.set(d.fiscalYear as number, quarters);
        return;
      }
    }
  }

  /** Sums of a line's movements on or before `asOf`, stored by batch `known` or earlier. */
  private sums(lineIds: ReadonlySet<string>, asOf: string, known: number) {
    const s = { initial: 0n, adjustments: 0n, transfersIn: 0n, transfersOut: 0n, routineOut: 0n, executed: 0n };
    for (const m of this.movements) {
      if (!lineIds.has(m.lineId) || m.date > asOf || m.batch > known) continue;
      s.initial += m.initial;
      s.adjustments += m.adjustments;
      s.transfersIn += m.transfersIn;
      s.transfersOut += m.transfersOut;
      s.routineOut += m.routineOut;
      s.executed += m.executed;
    }
    return s;
  }

  /** view with groupBy=line: rows of the lines of the department-year opened by asOf (as known), and the total. */
  view(department: string, asOf: string, known: number) {
    const year = Number(asOf.slice(0, 4));
    const lines = [...this.lines.values()]
      .filter((l) => l.department === department && l.fiscalYear === year && l.openedOn <= asOf && l.openedInBatch <= known)
      .map((l) => l.lineId)
      .sort();
    const figures = (ids: string[]) => {
      const s = this.sums(new Set(ids), asOf, known);
      const adj = s.initial + s.adjustments + s.transfersIn - s.transfersOut;
      return {
        initial: yuan(s.initial),
        adjustments: yuan(s.adjustments),
        transfersIn: yuan(s.transfersIn),
        transfersOut: yuan(s.transfersOut),
        adjusted: yuan(adj),
        executed: yuan(s.executed),
        available: yuan(adj - s.executed),
        executionRate: ratio4(s.executed, adj),
      };
    };
    return { rows: lines.map((lineId) => ({ key: { line: lineId }, ...figures([lineId]) })), total: figures(lines) };
  }

  private departmentYearLines(department: string, year: number): Set<string> {
    return new Set([...this.lines.values()].filter((l) => l.department === department && l.fiscalYear === year).map((l) => l.lineId));
  }

  /** progress: each quarter's executed and adjusted as known, and closed quarters with their figures as reported at the close. */
  progress(department: string, year: number, known: number) {
    const ids = this.departmentYearLines(department, year);
    const closes = this.closes.get(department)?.get(year) ?? [];
    const snapshot = (date: string, k: number, q: number) => {
      const s = this.sums(ids, date, k);
      const adj = s.initial + s.adjustments + s.transfersIn - s.transfersOut;
      return {
        executed: yuan(s.executed),
        adjusted: yuan(adj),
        progress: ratio4(s.executed, adj),
        quarterRate: ratio4(s.executed, adj, SCHEDULE[q]),
      };
    };
    return QUARTER_END.map((end, q) => {
      const date = `${year}-${end}`;
      const closedIn = closes[q];
      const closed = closedIn !== undefined && closedIn <= known;
      const now = snapshot(date, known, q);
      return {
        period: `Q${q + 1}`,
        date,
        ...now,
        closed,
        ...(closed ? { reported: { executed: snapshot(date, closedIn, q).executed, adjusted: snapshot(date, closedIn, q).adjusted } } : {}),
      };
    });
  }

  /** ratios of the department-year as of a date, as known. */
  ratios(department: string, year: number, asOf: string, known: number) {
    const s = this.sums(this.departmentYearLines(department, year), asOf, known);
    const adj = s.initial + s.adjustments;
    const transfers = s.transfersOut - s.routineOut;
    return {
      initial: yuan(s.initial),
      adjusted: yuan(adj),
      adjustmentAmount: yuan(s.adjustments),
      adjustmentRatio: ratio4(s.adjustments, s.initial),
      transferAmount: yuan(transfers),
      routineTransferAmount: yuan(s.routineOut),
      transferRatio: ratio4(transfers, adj),
    };
  }
}

function adjusted(line: Line): bigint {
  return line.initial + line.adjustments + line.transfersIn - line.transfersOut;
}
