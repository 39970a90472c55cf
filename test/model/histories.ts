import fc from 'fast-check';
import type { RawEvent } from './reference-model';

/**
 * Random histories for the property tests: a few lines over two departments and two years, and
 * events on them — openings (sometimes of a line already open, sometimes with other content under
 * the same id), approvals, adjustments (cuts too), transfers (some across department-years),
 * payments, reversals (some of unknown payments), quarter closes (some out of order, of an empty
 * department-year), corrections, dates outside the line's year — then copies of some events put
 * back anywhere in the history, unchanged (duplicates) or with another amount (conflicts), before
 * or after the original. And a random cut of the history into batches.
 */

const QUARTER_END = ['03-31', '06-30', '09-30', '12-31'];
const DEPARTMENTS = ['甲', '乙'];
const YEARS = [2021, 2022];

interface Command {
  readonly kind: 'open' | 'initial' | 'adjust' | 'transfer' | 'pay' | 'reverse' | 'close';
  readonly line: number;
  readonly other: number;
  readonly amountFen: number;
  readonly cut: boolean;
  readonly month: number;
  readonly day: number;
  readonly yearShift: number;
  readonly correction: boolean;
  readonly routine: boolean;
  readonly variant: boolean;
  readonly quarter: number;
}

const command: fc.Arbitrary<Command> = fc.record({
  kind: fc.constantFrom<Command['kind']>(
    'open',
    'open',
    'initial',
    'initial',
    'initial',
    'adjust',
    'transfer',
    'transfer',
    'pay',
    'pay',
    'pay',
    'pay',
    'reverse',
    'reverse',
    'close',
  ),
  line: fc.nat(7),
  other: fc.nat(7),
  amountFen: fc.integer({ min: 1, max: 300_000 }),
  cut: fc.boolean(),
  month: fc.integer({ min: 1, max: 12 }),
  day: fc.integer({ min: 1, max: 28 }),
  yearShift: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 1),
  correction: fc.constantFrom(false, false, false, false, false, false, true),
  routine: fc.constantFrom(false, false, true),
  variant: fc.constantFrom(false, false, false, false, false, true),
  quarter: fc.integer({ min: 1, max: 4 }),
});

const lineSpec = fc.record({ department: fc.constantFrom(...DEPARTMENTS), fiscalYear: fc.constantFrom(...YEARS) });

const copy = fc.record({ from: fc.nat(), to: fc.nat(), changed: fc.boolean() });

export interface History {
  readonly events: RawEvent[];
  /** Batch sizes, summing to events.length. */
  readonly batches: number[];
  /** Transactions a batch may be split into (LedgerWriter lanes). */
  readonly lanes: number;
  /** The ledger's clock, as a business date: quarters after it cannot close. */
  readonly today: string;
  /** Random points for the figures: a date in the year, and the batch after which to look. */
  readonly probes: { readonly monthDay: string; readonly knownAfter: number }[];
}

const pad = (n: number): string => String(n).padStart(2, '0');
const amount = (f: number): string => `${Math.floor(f / 100)}.${pad(f % 100)}`;

function build(lines: { department: string; fiscalYear: number }[], commands: Command[]): RawEvent[] {
  const payments: string[] = [];
  return commands.map((c, i) => {
    const lineNo = c.line % lines.length;
    const line = lines[lineNo] as { department: string; fiscalYear: number };
    const lineId = `L${lineNo}`;
    const date = `${line.fiscalYear + c.yearShift}-${pad(c.month)}-${pad(c.day)}`;
    const base = { eventId: `e${i}`, effectiveDate: date, correction: c.correction };
    switch (c.kind) {
      case 'open': {
        // The same id for every opening of a line: a second one is a duplicate, or (variant) a conflict.
        const department = c.variant ? (line.department === '甲' ? '乙' : '甲') : line.department;
        return {
          eventId: `open-${lineId}`,
          type: 'BudgetLineOpened',
          effectiveDate: `${line.fiscalYear}-${pad(c.month)}-${pad(c.day)}`,
          correction: c.correction,
          data: { lineId, department, fiscalYear: line.fiscalYear, kind: 'basic' },
        };
      }
      case 'initial':
        return { ...base, type: 'InitialBudgetApproved', data: { lineId, amount: amount(c.amountFen * 10) } };
      case 'adjust':
        return { ...base, type: 'BudgetAdjusted', data: { lineId, amount: `${c.cut ? '-' : ''}${amount(c.amountFen)}` } };
      case 'transfer': {
        let other = c.other % lines.length;
        if (other === lineNo) other = (other + 1) % lines.length;
        if (other === lineNo) return { ...base, type: 'PaymentRecorded', data: { lineId, amount: amount(c.amountFen) } };
        return {
          ...base,
          type: 'BudgetTransferred',
          data: { fromLineId: lineId, toLineId: `L${other}`, amount: amount(c.amountFen), routine: c.routine },
        };
      }
      case 'pay':
        payments.push(base.eventId);
        return { ...base, type: 'PaymentRecorded', data: { lineId, amount: amount(c.amountFen) } };
      case 'reverse': {
        const paymentEventId = payments.length === 0 || c.variant ? 'no-such-payment' : (payments[c.other % payments.length] as string);
        return { ...base, type: 'PaymentReversed', data: { paymentEventId, amount: amount(Math.max(1, Math.floor(c.amountFen / 4))) } };
      }
      case 'close': {
        const department = c.variant ? '丙' : line.department;
        return {
          eventId: base.eventId,
          type: 'PeriodClosed',
          effectiveDate: `${line.fiscalYear}-${QUARTER_END[c.quarter - 1]}`,
          correction: false,
          data: { department, fiscalYear: line.fiscalYear, period: `Q${c.quarter}` },
        };
      }
    }
  });
}

/** A copy of an event with another amount (or department): the same eventId, other content. */
function changed(event: RawEvent): RawEvent {
  const data = { ...event.data };
  if (typeof data.amount === 'string') data.amount = data.amount.startsWith('-') ? data.amount.slice(1) : `1${data.amount}`;
  else if (typeof data.department === 'string') data.department = `${data.department}x`;
  else data.changed = true;
  return { ...event, data };
}

export function historyArbitrary(options: { maxEvents: number }): fc.Arbitrary<History> {
  return fc
    .tuple(
      fc.array(lineSpec, { minLength: 2, maxLength: 5 }),
      fc.array(command, { minLength: 1, maxLength: options.maxEvents }),
      fc.array(copy, { maxLength: Math.max(1, Math.floor(options.maxEvents / 6)) }),
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: options.maxEvents }),
      fc.constantFrom(1, 1, 2),
      fc.constantFrom('2022-05-15', '2030-01-01'),
      fc.array(fc.record({ month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }), knownAfter: fc.nat() }), {
        minLength: 1,
        maxLength: 3,
      }),
    )
    .map(([lines, commands, copies, sizes, lanes, today, probes]) => {
      // Lines open first most of the time, so that the other events have something to act on.
      const openings = lines.map((_, k): Command => ({
        ...(commands[0] as Command),
        kind: 'open',
        line: k,
        variant: false,
        correction: false,
      }));
      const events = build(lines, [...openings, ...commands]);
      for (const c of copies) {
        const original = events[c.from % events.length] as RawEvent;
        // PeriodClosed has no amount: its changed copy is one of another department.
        events.splice(c.to % (events.length + 1), 0, c.changed ? changed(original) : original);
      }
      const batches: number[] = [];
      let left = events.length;
      for (const size of sizes) {
        if (left === 0) break;
        const take = Math.min(size, left);
        batches.push(take);
        left -= take;
      }
      if (left > 0) batches.push(left);
      return {
        events,
        batches,
        lanes,
        today,
        probes: probes.map((p) => ({ monthDay: `${pad(p.month)}-${pad(p.day)}`, knownAfter: p.knownAfter % batches.length })),
      };
    });
}
