import { QUARTER_END, violations, yearKey, type Payment, type RulesState } from './model-rules';
import { closeYear } from './model-year-end';
import {
  adjustedOf,
  availableOf,
  fen,
  ratio4,
  share4,
  yuan,
  zeroFigures,
  type Commitment,
  type Figures,
  type Line,
  type ModelOutcome,
  type Movement,
  type Plan,
  type RawEvent,
} from './model-state';

export { fen, ratio4, yuan, type ModelOutcome, type RawEvent } from './model-state';

/**
 * A small reference model of DESIGN.md §3–§4 and §11 (decision 0014), written for the property
 * tests apart from the domain's decider (nothing of libs/domain is imported): raw events in, in
 * input order, and for each one its outcome; then the figures of view (by line), progress and
 * ratios, the commitments and plans of a line, for any business date and any point of knowledge.
 * Batches do not exist here: an event is judged against every event accepted before it in input
 * order, which is what the ledger must answer whatever the batches the input was cut into.
 * Knowledge is counted in batches: `knownAfterBatch = k` takes the events stored by batches 0..k.
 * A YearClosed also stores the ledger's own events (model-year-end.ts) right after it.
 */

/** One event of the log as the model stores it: its id, type and stream (department-year). */
export interface LogEntry {
  readonly eventId: string;
  readonly type: string;
  readonly stream: string;
}

const SCHEDULE = ['0.25', '0.50', '0.75', '1.00'];
const streamOf = (department: string, fiscalYear: number): string => `budget-${department}-${fiscalYear}`;

export class LedgerModel implements RulesState {
  private readonly storedContent = new Map<string, string>();
  readonly lines = new Map<string, Line>();
  readonly payments = new Map<string, Payment>();
  readonly commitments = new Map<string, Commitment>();
  readonly closes = new Map<string, Map<number, number[]>>();
  readonly closedYears = new Map<string, number>();
  private readonly yearClosedIds = new Map<string, string>();
  private readonly movements: Movement[] = [];
  private readonly plans: Plan[] = [];
  private readonly logged: LogEntry[] = [];
  /** The ledger's own events of each YearClosed (by its eventId), in order. */
  private readonly derived = new Map<string, RawEvent[]>();

  /** `today`: the ledger's clock, as a business date. */
  constructor(readonly today: string) {}

  /** Judges one event in input order; `batch` is the batch that stores it (for knownAt). */
  apply(event: RawEvent, batch: number): ModelOutcome {
    const content = JSON.stringify(event);
    const stored = this.storedContent.get(event.eventId);
    if (stored !== undefined) {
      if (stored === content) return { status: 'duplicate' };
      const codes = new Set(['EVENT_ID_CONFLICT']);
      if (event.type === 'BalanceCarriedForward') codes.add('DERIVED_EVENT_ONLY');
      return { status: 'rejected', codes };
    }
    const codes = violations(this, event);
    if (codes.size > 0) return { status: 'rejected', codes };
    this.accept(event, batch);
    return { status: 'appended' };
  }

  /** The events the ledger wrote after the YearClosed `yearClosedId` (none when it was not stored). */
  derivedOf(yearClosedId: string): readonly RawEvent[] {
    return this.derived.get(yearClosedId) ?? [];
  }

  /** The log so far: every stored event, the ledger's own included, in order. */
  log(): readonly LogEntry[] {
    return this.logged;
  }

  /** Stores an event the model accepted, or the ledger derived, with its stream. */
  private store(event: RawEvent, stream: string): void {
    this.storedContent.set(event.eventId, JSON.stringify(event));
    this.logged.push({ eventId: event.eventId, type: event.type, stream });
  }

  /** Adds a line as BudgetLineOpened makes it (the ledger's own openings too). */
  private open(event: RawEvent, batch: number): void {
    const d = event.data;
    this.lines.set(d.lineId as string, {
      lineId: d.lineId as string,
      department: d.department as string,
      fiscalYear: d.fiscalYear as number,
      kind: d.kind as string,
      opened: d,
      openedOn: event.effectiveDate,
      openedInBatch: batch,
      initial: 0n,
      adjustments: 0n,
      transfersIn: 0n,
      transfersOut: 0n,
      executed: 0n,
      committed: 0n,
      broughtForward: 0n,
      carriedForward: 0n,
    });
  }

  private move(
    lineId: string,
    date: string,
    batch: number,
    change: Partial<Figures> & Pick<Movement, 'commitmentEventId' | 'released' | 'consumed'>,
  ): void {
    const m: Movement = { lineId, date, batch, ...zeroFigures(), ...change };
    this.movements.push(m);
    const line = this.lines.get(lineId) as Line;
    for (const key of [
      'initial',
      'adjustments',
      'transfersIn',
      'transfersOut',
      'executed',
      'committed',
      'broughtForward',
      'carriedForward',
    ] as const) {
      line[key] += m[key];
    }
  }

  private lineStream(lineId: string): string {
    const line = this.lines.get(lineId) as Line;
    return streamOf(line.department, line.fiscalYear);
  }

  private accept(event: RawEvent, batch: number): void {
    const d = event.data;
    const date = event.effectiveDate;
    switch (event.type) {
      case 'BudgetLineOpened':
        this.store(event, streamOf(d.department as string, d.fiscalYear as number));
        return this.open(event, batch);
      case 'PeriodClosed':
      case 'YearClosed':
        this.store(event, streamOf(d.department as string, d.fiscalYear as number));
        return this.closeThrough(event, batch);
      case 'BudgetTransferred': {
        this.store(event, this.lineStream(d.fromLineId as string));
        const amount = fen(d.amount);
        this.move(d.fromLineId as string, date, batch, { transfersOut: amount, routineOut: d.routine === true ? amount : 0n });
        return this.move(d.toLineId as string, date, batch, { transfersIn: amount });
      }
      case 'PaymentReversed': {
        const payment = this.payments.get(d.paymentEventId as string) as Payment;
        this.store(event, this.lineStream(payment.lineId));
        payment.reversed += fen(d.amount);
        // Back to available, not to the commitment: the contract was paid.
        return this.move(payment.lineId, date, batch, { executed: -fen(d.amount) });
      }
      case 'CommitmentReleased': {
        const commitment = this.commitments.get(d.commitmentEventId as string) as Commitment;
        this.store(event, this.lineStream(commitment.lineId));
        commitment.released += fen(d.amount);
        const released = fen(d.amount);
        return this.move(commitment.lineId, date, batch, { committed: -released, commitmentEventId: commitment.eventId, released });
      }
      default:
        this.store(event, this.lineStream(d.lineId as string));
        return this.acceptOnLine(event, batch);
    }
  }

  /** The events of one line: approvals, adjustments, payments, plans, commitments. */
  private acceptOnLine(event: RawEvent, batch: number): void {
    const d = event.data;
    const lineId = d.lineId as string;
    const date = event.effectiveDate;
    const amount = d.amount === undefined ? 0n : fen(d.amount);
    switch (event.type) {
      case 'InitialBudgetApproved':
        return this.move(lineId, date, batch, { initial: amount });
      case 'BudgetAdjusted':
        return this.move(lineId, date, batch, { adjustments: amount });
      case 'PaymentRecorded': {
        this.payments.set(event.eventId, { lineId, amount, reversed: 0n });
        const commitment = d.commitmentEventId === undefined ? undefined : this.commitments.get(d.commitmentEventId as string);
        if (commitment === undefined) return this.move(lineId, date, batch, { executed: amount });
        const left = commitment.amount - commitment.released - commitment.consumed;
        const consumed = amount < left ? amount : left;
        commitment.consumed += consumed;
        return this.move(lineId, date, batch, { executed: amount, committed: -consumed, commitmentEventId: commitment.eventId, consumed });
      }
      case 'CommitmentMade':
        this.commitments.set(event.eventId, {
          eventId: event.eventId,
          lineId,
          amount,
          effectiveDate: date,
          reference: (d.reference as string | undefined) ?? null,
          batch,
          released: 0n,
          consumed: 0n,
        });
        return this.move(lineId, date, batch, { committed: amount, commitmentEventId: event.eventId });
      case 'SpendingPlanSet':
        this.plans.push({
          eventId: event.eventId,
          lineId,
          effectiveDate: date,
          order: this.logged.length,
          batch,
          checkpoints: (d.checkpoints as { date: string; share: string }[]).map((c) => ({ date: c.date, share: share4(c.share) })),
        });
        return;
      default:
        throw new Error(`model: unknown type ${event.type}`);
    }
  }

  /** A quarter's close, or the year's with the ledger's own events after it. */
  private closeThrough(event: RawEvent, batch: number): void {
    const department = event.data.department as string;
    const year = event.data.fiscalYear as number;
    if (event.type === 'YearClosed') {
      this.closedYears.set(yearKey(department, year), batch);
      this.yearClosedIds.set(yearKey(department, year), event.eventId);
      const derivedEvents = closeYear(this.lines, event);
      this.derived.set(event.eventId, derivedEvents);
      for (const derived of derivedEvents) {
        this.store(derived, streamOf(department, year));
        const d = derived.data;
        if (derived.type === 'BudgetLineOpened') {
          this.open(derived, batch);
        } else {
          const amount = fen(d.amount);
          this.move(d.fromLineId as string, derived.effectiveDate, batch, { carriedForward: amount });
          this.move(d.toLineId as string, derived.effectiveDate, batch, { broughtForward: amount });
        }
      }
      return;
    }
    let years = this.closes.get(department);
    if (years === undefined) this.closes.set(department, (years = new Map()));
    const quarters = years.get(year) ?? [];
    quarters.push(batch);
    years.set(year, quarters);
  }

  // -------------------------------------------------------------------------------------------
  // Figures

  /** Sums of the lines' movements on or before `asOf`, stored by batch `known` or earlier. */
  private sums(lineIds: ReadonlySet<string>, asOf: string, known: number): Figures {
    const s = zeroFigures();
    for (const m of this.movements) {
      if (!lineIds.has(m.lineId) || m.date > asOf || m.batch > known) continue;
      for (const key of Object.keys(s) as (keyof Figures)[]) s[key] += m[key];
    }
    return s;
  }

  /**
   * view with groupBy=line: rows of the lines of the department-year opened by asOf (as known), and
   * the total; `openedByAsOf: false` takes every line known, opened later in the year too (warnings).
   */
  view(department: string, asOf: string, known: number, options: { openedByAsOf: boolean } = { openedByAsOf: true }) {
    const year = Number(asOf.slice(0, 4));
    const lines = [...this.lines.values()]
      .filter(
        (l) =>
          l.department === department && l.fiscalYear === year && (!options.openedByAsOf || l.openedOn <= asOf) && l.openedInBatch <= known,
      )
      .map((l) => l.lineId)
      .sort();
    const figures = (ids: string[]) => {
      const s = this.sums(new Set(ids), asOf, known);
      const adj = adjustedOf(s);
      return {
        initial: yuan(s.initial),
        adjustments: yuan(s.adjustments),
        transfersIn: yuan(s.transfersIn),
        transfersOut: yuan(s.transfersOut),
        broughtForward: yuan(s.broughtForward),
        carriedForward: yuan(s.carriedForward),
        adjusted: yuan(adj),
        executed: yuan(s.executed),
        committed: yuan(s.committed),
        available: yuan(availableOf(s)),
        executionRate: ratio4(s.executed, adj),
      };
    };
    return { rows: lines.map((lineId) => ({ key: { line: lineId }, ...figures([lineId]) })), total: figures(lines) };
  }

  private departmentYearLines(department: string, year: number): Set<string> {
    return new Set([...this.lines.values()].filter((l) => l.department === department && l.fiscalYear === year).map((l) => l.lineId));
  }

  /** progress: each quarter's executed, adjusted and committed as known, and closed quarters with their figures as reported at the close. */
  progress(department: string, year: number, known: number) {
    const ids = this.departmentYearLines(department, year);
    const closes = this.closes.get(department)?.get(year) ?? [];
    const snapshot = (date: string, k: number, q: number) => {
      const s = this.sums(ids, date, k);
      const adj = adjustedOf(s);
      return {
        executed: yuan(s.executed),
        adjusted: yuan(adj),
        committed: yuan(s.committed),
        progress: ratio4(s.executed, adj),
        quarterRate: ratio4(s.executed, adj, SCHEDULE[q]),
      };
    };
    return QUARTER_END.map((end, q) => {
      const date = `${year}-${end}`;
      const closedIn = closes[q];
      const closed = closedIn !== undefined && closedIn <= known;
      const reported = closed ? snapshot(date, closedIn, q) : undefined;
      return {
        period: `Q${q + 1}`,
        date,
        ...snapshot(date, known, q),
        closed,
        ...(reported === undefined
          ? {}
          : { reported: { executed: reported.executed, adjusted: reported.adjusted, committed: reported.committed } }),
      };
    });
  }

  /** ratios of the department-year as of a date, as known. */
  ratios(department: string, year: number, asOf: string, known: number) {
    const s = this.sums(this.departmentYearLines(department, year), asOf, known);
    const adj = adjustedOf(s);
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

  /** The line's commitments made by asOf (as known), with what was released and consumed by then. */
  commitmentsOf(lineId: string, asOf: string, known: number) {
    return [...this.commitments.values()]
      .filter((c) => c.lineId === lineId && c.effectiveDate <= asOf && c.batch <= known)
      .map((c) => {
        let released = 0n;
        let consumed = 0n;
        for (const m of this.movements) {
          if (m.commitmentEventId !== c.eventId || m.date > asOf || m.batch > known) continue;
          released += m.released ?? 0n;
          consumed += m.consumed ?? 0n;
        }
        return {
          eventId: c.eventId,
          reference: c.reference,
          effectiveDate: c.effectiveDate,
          amount: yuan(c.amount),
          released: yuan(released),
          consumed: yuan(consumed),
          left: yuan(c.amount - released - consumed),
        };
      });
  }

  /** The line's plans dated by asOf (as known) in (effectiveDate, position) order: the last is in force. */
  plansOf(lineId: string, asOf: string, known: number) {
    const inOrder = this.plans
      .filter((p) => p.lineId === lineId && p.effectiveDate <= asOf && p.batch <= known)
      .sort((a, b) => (a.effectiveDate === b.effectiveDate ? a.order - b.order : a.effectiveDate < b.effectiveDate ? -1 : 1));
    return {
      inOrder: inOrder.map((p) => ({ eventId: p.eventId, effectiveDate: p.effectiveDate, checkpoints: p.checkpoints })),
      inForce: inOrder.at(-1)?.eventId,
    };
  }

  /**
   * Dates at which the department-year's plans are worth judging: a day after each plan takes
   * effect and halfway between its checkpoints (from January 1st); at most `max`, spread out.
   */
  planDates(department: string, year: number, max: number): string[] {
    const dates = new Set<string>();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const at = (date: string) => Date.parse(`${date}T00:00:00Z`);
    for (const plan of this.plans) {
      const line = this.lines.get(plan.lineId) as Line;
      if (line.department !== department || line.fiscalYear !== year) continue;
      dates.add(day(at(plan.effectiveDate) + 86_400_000));
      let from = `${year}-01-01`;
      for (const c of plan.checkpoints) {
        dates.add(day((at(from) + at(c.date)) / 2 - (((at(from) + at(c.date)) / 2) % 86_400_000)));
        from = c.date;
      }
    }
    const inYear = [...dates].filter((d) => d.startsWith(String(year))).sort();
    const step = Math.max(1, Math.ceil(inYear.length / max));
    return inYear.filter((_, i) => i % step === 0);
  }

  /** The eventId of the department-year's stored YearClosed. */
  yearClosedId(department: string, year: number): string | undefined {
    return this.yearClosedIds.get(yearKey(department, year));
  }

  /** Whether the department-year is closed, as known after batch `known`. */
  yearClosed(department: string, year: number, known: number): boolean {
    const closedIn = this.closedYears.get(yearKey(department, year));
    return closedIn !== undefined && closedIn <= known;
  }

  lineOf(lineId: string): Line | undefined {
    return this.lines.get(lineId);
  }
}
