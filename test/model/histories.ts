import fc from 'fast-check';
import type { RawEvent } from './reference-model';
import { CARRIED_FORWARD_SOURCE } from './model-state';

/**
 * Random histories for the property tests: a few lines over two departments and two years, and
 * events on them — openings (sometimes of a line already open, sometimes with other content under
 * the same id), approvals, adjustments (cuts too), transfers (some across department-years),
 * payments, reversals (some of unknown payments), quarter closes (some out of order, of an empty
 * department-year), corrections, dates outside the line's year — then copies of some events put
 * back anywhere in the history, unchanged (duplicates) or with another amount (conflicts), before
 * or after the original. And a random cut of the history into batches.
 *
 * Decision 0014 adds: project lines (some of the next year funded 上年结转 with the dimensions of
 * one of this year, some nearly so), spending plans (some with a checkpoint outside the line's
 * year), commitments, releases, payments against commitments (some above what is left, some
 * naming a commitment of another line or none), year closes after the four quarter closes, and
 * BalanceCarriedForward given as input — fresh ones, and copies of those the ledger wrote
 * (resolved by the test through repostOf, since only the ledger knows their amounts).
 * The old kinds keep their relative weights, so the old properties keep their power.
 */

const QUARTER_END = ['03-31', '06-30', '09-30', '12-31'];
const DEPARTMENTS = ['甲', '乙'];
const YEARS = [2021, 2022];

type Kind = 'open' | 'initial' | 'adjust' | 'transfer' | 'pay' | 'reverse' | 'close';
type NewKind = 'plan' | 'commit' | 'release' | 'payAgainst' | 'yearEnd' | 'repost';

interface Command {
  readonly kind: Kind | NewKind;
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
    // Decision 0014.
    'plan',
    'commit',
    'commit',
    'release',
    'payAgainst',
    'payAgainst',
    'yearEnd',
    'repost',
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

interface LineSpec {
  readonly department: string;
  readonly fiscalYear: number;
  /** A project line when given. */
  readonly project?: string;
  readonly economicCode?: string;
  readonly carried: boolean;
}

const lineSpec: fc.Arbitrary<LineSpec> = fc.record({
  department: fc.constantFrom(...DEPARTMENTS),
  fiscalYear: fc.constantFrom(...YEARS),
  project: fc.constantFrom(undefined, undefined, 'P1', 'P2'),
  economicCode: fc.constantFrom(undefined, '30201', '31002'),
  carried: fc.constantFrom(false, false, true),
});

/** A line of the next year funded 上年结转 with the dimensions of line `of` (differ: another economicCode). */
const mirror = fc.record({ of: fc.nat(), differ: fc.boolean() });

/**
 * The copies of BalanceCarriedForward the ledger wrote at a YearClosed (by the YearClosed's
 * eventId and the carry's number): the test posts the stored event in their place.
 */
const reposts = new WeakMap<RawEvent, Repost>();

/** The n-th carry of a YearClosed, or (any) the n-th of all its events, a line's opening included. */
export interface Repost {
  readonly yearClosedId: string;
  readonly n: number;
  readonly of: 'carry' | 'any';
}

export function repostOf(event: RawEvent): Repost | undefined {
  return reposts.get(event);
}

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

/** What build remembers of the events it made so far. */
interface Made {
  readonly payments: string[];
  readonly commitments: { eventId: string; lineNo: number }[];
  readonly yearClosed: string[];
  /** The department-years whose year end was made. */
  readonly yearEnds: Set<string>;
}

function build(lines: LineSpec[], commands: Command[]): RawEvent[] {
  const made: Made = { payments: [], commitments: [], yearClosed: [], yearEnds: new Set() };
  return commands.flatMap((c, i) => eventsOf(lines, c, `e${i}`, made));
}

function openLine(lines: LineSpec[], lineNo: number, c: Command): RawEvent {
  const line = lines[lineNo] as LineSpec;
  // The same id for every opening of a line: a second one is a duplicate, or (variant) a conflict.
  const department = c.variant ? (line.department === '甲' ? '乙' : '甲') : line.department;
  const dimensions = {
    ...(line.project === undefined ? {} : { project: line.project }),
    ...(line.economicCode === undefined ? {} : { economicCode: line.economicCode }),
    ...(line.carried ? { fundingSource: CARRIED_FORWARD_SOURCE } : {}),
  };
  return {
    eventId: `open-L${lineNo}`,
    type: 'BudgetLineOpened',
    effectiveDate: `${line.fiscalYear}-${pad(c.month)}-${pad(c.day)}`,
    correction: c.correction,
    data: {
      lineId: `L${lineNo}`,
      department,
      fiscalYear: line.fiscalYear,
      kind: line.project === undefined ? 'basic' : 'project',
      ...dimensions,
    },
  };
}

function eventsOf(lines: LineSpec[], c: Command, eventId: string, made: Made): RawEvent[] {
  const lineNo = c.line % lines.length;
  const line = lines[lineNo] as LineSpec;
  const lineId = `L${lineNo}`;
  const date = `${line.fiscalYear + c.yearShift}-${pad(c.month)}-${pad(c.day)}`;
  const base = { eventId, effectiveDate: date, correction: c.correction };
  switch (c.kind) {
    case 'open':
      return [openLine(lines, lineNo, c)];
    case 'initial':
      return [{ ...base, type: 'InitialBudgetApproved', data: { lineId, amount: amount(c.amountFen * 10) } }];
    case 'adjust':
      return [{ ...base, type: 'BudgetAdjusted', data: { lineId, amount: `${c.cut ? '-' : ''}${amount(c.amountFen)}` } }];
    case 'transfer': {
      let other = c.other % lines.length;
      if (other === lineNo) other = (other + 1) % lines.length;
      if (other === lineNo) return [{ ...base, type: 'PaymentRecorded', data: { lineId, amount: amount(c.amountFen) } }];
      return [
        {
          ...base,
          type: 'BudgetTransferred',
          data: { fromLineId: lineId, toLineId: `L${other}`, amount: amount(c.amountFen), routine: c.routine },
        },
      ];
    }
    case 'pay':
      made.payments.push(eventId);
      return [{ ...base, type: 'PaymentRecorded', data: { lineId, amount: amount(c.amountFen) } }];
    case 'reverse': {
      const paymentEventId =
        made.payments.length === 0 || c.variant ? 'no-such-payment' : (made.payments[c.other % made.payments.length] as string);
      return [{ ...base, type: 'PaymentReversed', data: { paymentEventId, amount: amount(Math.max(1, Math.floor(c.amountFen / 4))) } }];
    }
    case 'close': {
      const department = c.variant ? '丙' : line.department;
      return [
        {
          eventId,
          type: 'PeriodClosed',
          effectiveDate: `${line.fiscalYear}-${QUARTER_END[c.quarter - 1]}`,
          correction: false,
          data: { department, fiscalYear: line.fiscalYear, period: `Q${c.quarter}` },
        },
      ];
    }
    default:
      return newEventsOf(lines, c, base, made);
  }
}

/** The events of decision 0014. */
function newEventsOf(lines: LineSpec[], c: Command, base: Omit<RawEvent, 'type' | 'data'>, made: Made): RawEvent[] {
  const lineNo = c.line % lines.length;
  const line = lines[lineNo] as LineSpec;
  const lineId = `L${lineNo}`;
  // The latest one two times in three, so that the commitment picked was most often accepted.
  const pick = <T>(list: readonly T[]): T | undefined =>
    list.length === 0 || c.variant ? undefined : list[c.other % 3 === 0 ? c.other % list.length : list.length - 1];
  // Before any commitment, a release or a payment against one makes one (short histories are the most common).
  const kind = (c.kind === 'release' || c.kind === 'payAgainst') && made.commitments.length === 0 && !c.variant ? 'commit' : c.kind;
  switch (kind) {
    case 'plan': {
      const plan: RawEvent = { ...base, type: 'SpendingPlanSet', data: { lineId, checkpoints: checkpointsOf(line.fiscalYear, c) } };
      if (!c.routine) return [plan];
      // (routine) Then another of the same date, which replaces it: the later position wins the tie.
      const again = { ...c, amountFen: c.amountFen + 1, cut: !c.cut, variant: false };
      return [plan, { ...plan, eventId: `${base.eventId}r`, data: { lineId, checkpoints: checkpointsOf(line.fiscalYear, again) } }];
    }
    case 'commit': {
      // On a project line (they have a budget) when there is one: contracts are signed on projects.
      const project = lines.findIndex((l, k) => k >= lineNo && l.project !== undefined);
      const on = project >= 0 ? project : lineNo;
      made.commitments.push({ eventId: base.eventId, lineNo: on });
      const reference = c.cut ? { reference: `合同-${c.day}` } : {};
      const commitment: RawEvent = {
        ...base,
        type: 'CommitmentMade',
        data: { lineId: `L${on}`, amount: amount(c.amountFen * 2), ...reference },
      };
      // Then 0 to 3 of: a payment against it, a release of a part, a payment often beyond what is left.
      const follow = [Math.floor(c.amountFen * 1.2), -Math.floor(c.amountFen / 3), Math.floor(c.amountFen * (c.routine ? 1.3 : 0.5))];
      const payments = follow.slice(0, c.quarter % 4).map((fen, k): RawEvent => {
        const eventId = `${base.eventId}f${k}`;
        if (fen < 0) {
          return {
            ...base,
            eventId,
            type: 'CommitmentReleased',
            data: { commitmentEventId: base.eventId, amount: amount(Math.max(1, -fen)) },
          };
        }
        made.payments.push(eventId);
        return {
          ...base,
          eventId,
          type: 'PaymentRecorded',
          data: { lineId: `L${on}`, amount: amount(Math.max(1, fen)), commitmentEventId: base.eventId },
        };
      });
      return [commitment, ...payments];
    }
    case 'release': {
      const commitment = pick(made.commitments);
      const commitmentEventId = commitment?.eventId ?? 'no-such-commitment';
      return [
        { ...base, type: 'CommitmentReleased', data: { commitmentEventId, amount: amount(Math.max(1, Math.floor(c.amountFen / 2))) } },
      ];
    }
    case 'payAgainst': {
      const commitment = pick(made.commitments);
      // Mostly on the commitment's own line; sometimes (routine) on the command's, which may be another.
      const on = commitment === undefined || c.routine ? lineId : `L${commitment.lineNo}`;
      made.payments.push(base.eventId);
      const paid = c.cut ? c.amountFen * 3 : c.amountFen;
      return [
        {
          ...base,
          type: 'PaymentRecorded',
          data: { lineId: on, amount: amount(paid), commitmentEventId: commitment?.eventId ?? 'no-such-commitment' },
        },
      ];
    }
    case 'yearEnd':
      return yearEnd(lines, lineNo, c, base.eventId, made);
    case 'repost': {
      const yearClosedId = made.yearClosed.length === 0 ? undefined : made.yearClosed[c.other % made.yearClosed.length];
      const event: RawEvent = {
        eventId: yearClosedId === undefined ? base.eventId : `${yearClosedId}:cf:${1 + (c.quarter % 2)}`,
        type: 'BalanceCarriedForward',
        effectiveDate: `${line.fiscalYear}-12-31`,
        correction: false,
        data: { fromLineId: lineId, toLineId: lineId, amount: amount(c.amountFen) },
      };
      if (yearClosedId !== undefined && !c.variant) reposts.set(event, { yearClosedId, n: 1 + (c.quarter % 2), of: 'carry' });
      return [event];
    }
    default:
      throw new Error(`histories: ${c.kind} is not a kind of decision 0014`);
  }
}

/**
 * A year end: the four quarters closed, then the YearClosed (variant: with an eventId long enough
 * that the ledger's own ids cut it). Of the line's department, and of its first year as long as
 * that one has no year end yet, so that a year is rarely closed after the next one.
 */
function yearEnd(lines: LineSpec[], lineNo: number, c: Command, eventId: string, made: Made): RawEvent[] {
  const line = lines[lineNo] as LineSpec;
  const first = `${line.department}|${YEARS[0]}`;
  const year = made.yearEnds.has(first) ? line.fiscalYear : (YEARS[0] as number);
  made.yearEnds.add(`${line.department}|${year}`);
  const closes = QUARTER_END.map((end, q): RawEvent => ({
    eventId: `${eventId}q${q + 1}`,
    type: 'PeriodClosed',
    effectiveDate: `${year}-${end}`,
    correction: false,
    data: { department: line.department, fiscalYear: year, period: `Q${q + 1}` },
  }));
  const yearClosedId = c.variant ? `${eventId}${'y'.repeat(110)}` : eventId;
  made.yearClosed.push(yearClosedId);
  const data = { department: line.department, fiscalYear: year };
  const yearClosed: RawEvent = { eventId: yearClosedId, type: 'YearClosed', effectiveDate: `${year}-12-31`, correction: false, data };
  if (!c.cut) return [...closes, yearClosed];
  // And (cut) its first carry (routine: its first event, an opening when the carry needed one)
  // posted again at once, as an exported log would be.
  const repost: RawEvent = {
    eventId: `${yearClosedId}:cf:1`,
    type: 'BalanceCarriedForward',
    effectiveDate: `${year}-12-31`,
    correction: false,
    data: { fromLineId: `L${lineNo}`, toLineId: `L${lineNo}`, amount: '1.00' },
  };
  reposts.set(repost, { yearClosedId, n: 1, of: c.routine ? 'any' : 'carry' });
  return [...closes, yearClosed, repost];
}

/**
 * A plan of 1 to 4 checkpoints in the line's year, dates strictly increasing, shares
 * non-decreasing (cut: a flat step) up to "1"; variant: the last checkpoint in the next year.
 */
function checkpointsOf(fiscalYear: number, c: Command): { date: string; share: string }[] {
  const count = 1 + (c.amountFen % 4);
  return Array.from({ length: count }, (_, k) => {
    const month = Math.max(1, Math.round(((k + 1) * 12) / count) - (c.month % 2));
    const last = k === count - 1;
    const year = last && c.variant ? fiscalYear + 1 : fiscalYear;
    const share = last ? '1' : c.cut && k > 0 ? String(Number((k / count).toFixed(4))) : String(Number(((k + 1) / count).toFixed(4)));
    return { date: `${year}-${pad(month)}-${pad(c.day)}`, share };
  });
}

/** A copy of an event with another amount (or department): the same eventId, other content. */
function changed(event: RawEvent): RawEvent {
  const data = { ...event.data };
  if (typeof data.amount === 'string') data.amount = data.amount.startsWith('-') ? data.amount.slice(1) : `1${data.amount}`;
  else if (typeof data.department === 'string') data.department = `${data.department}x`;
  else if (Array.isArray(data.checkpoints)) {
    data.checkpoints = [{ date: `${String(data.checkpoints[0]?.date).slice(0, 4)}-12-31`, share: '1' }];
  } else data.changed = true;
  return { ...event, data };
}

function mirrored(line: LineSpec, differ: boolean): LineSpec {
  const economicCode = differ ? (line.economicCode === '30201' ? '31002' : '30201') : line.economicCode;
  return { department: line.department, fiscalYear: YEARS[1] as number, project: line.project ?? 'P1', economicCode, carried: true };
}

/** `size`: fast-check's size of the command list ('small' by default: about 12 commands; 'medium' for deeper runs). */
export function historyArbitrary(options: { maxEvents: number; size?: fc.SizeForArbitrary }): fc.Arbitrary<History> {
  return fc
    .tuple(
      fc.array(lineSpec, { minLength: 2, maxLength: 5 }),
      fc.array(mirror, { maxLength: 2 }),
      fc.array(command, { minLength: 1, maxLength: options.maxEvents, ...(options.size === undefined ? {} : { size: options.size }) }),
      fc.array(copy, { maxLength: Math.max(1, Math.floor(options.maxEvents / 6)) }),
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: options.maxEvents }),
      fc.constantFrom(1, 1, 2),
      fc.constantFrom('2022-05-15', '2030-01-01'),
      fc.array(fc.record({ month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }), knownAfter: fc.nat() }), {
        minLength: 1,
        maxLength: 3,
      }),
    )
    .map(([someLines, mirrors, commands, copies, sizes, lanes, today, probes]) => {
      const lines = [...someLines, ...mirrors.map((m) => mirrored(someLines[m.of % someLines.length] as LineSpec, m.differ))];
      // Lines open first most of the time, so that the other events have something to act on.
      const openings = lines.map((_, k): Command => ({
        ...(commands[0] as Command),
        kind: 'open',
        line: k,
        variant: false,
        correction: false,
      }));
      // Project lines (new with decision 0014) get a budget at once, so that commitments and carries happen.
      const budgets = lines.flatMap((line, k): Command[] =>
        line.project === undefined ? [] : [{ ...(commands[0] as Command), kind: 'initial', line: k, yearShift: 0, correction: false }],
      );
      const events = build(lines, [...openings, ...budgets, ...commands]);
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
