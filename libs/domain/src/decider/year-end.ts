import {
  CARRIED_FORWARD_FUNDING_SOURCE,
  type BalanceCarriedForward,
  type BudgetLineOpened,
  type BudgetLineOpenedData,
  type LedgerEvent,
  type YearClosed,
} from '../events';
import type { JsonObject } from '../json';
import { availableFen, newLineState, type LedgerState, type LineState } from './state';

/**
 * What closing a department-year means, decided purely (decision 0014): each project line's
 * available is carried to a line of the next year (结转), opened first when none fits; a basic
 * line's available lapses (结余) without an event. The ledger stores these events itself, right
 * after the YearClosed, in the closing department-year's stream.
 */

/** Characters of the YearClosed's eventId that its derived events' ids start with (128 in all). */
const EVENT_ID_BASE_CHARS = 100;
/** Characters of a carried line's lineId kept in the lineId of the line opened for it (128 in all). */
const LINE_ID_BASE_CHARS = 110;

/**
 * Orders lineIds by Unicode code point, as PostgreSQL's "C" collation and a sort of their UTF-8
 * bytes do (JavaScript's `<` compares UTF-16 units, which differs above U+FFFF).
 */
export function compareLineIds(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function linesOfYear(state: LedgerState, department: string, fiscalYear: number): LineState[] {
  const lines = [...state.lines.values()].filter((l) => l.department === department && l.fiscalYear === fiscalYear);
  return lines.sort((a, b) => compareLineIds(a.lineId, b.lineId));
}

/** A line of the next year that receives `from`'s balance: 上年结转, a project, the same classification (absent = absent). */
export function receivesCarryForward(candidate: LineState, from: LineState): boolean {
  return (
    candidate.department === from.department &&
    candidate.fiscalYear === from.fiscalYear + 1 &&
    candidate.kind === 'project' &&
    candidate.fundingSource === CARRIED_FORWARD_FUNDING_SOURCE &&
    candidate.unit === from.unit &&
    candidate.project === from.project &&
    candidate.functionCode === from.functionCode &&
    candidate.economicCode === from.economicCode
  );
}

function cutToChars(text: string, chars: number): string {
  // By code points: cutting a surrogate pair in two would leave an unstorable string.
  return [...text].slice(0, chars).join('');
}

/** The line opened to receive `from`'s balance: its name, classification and tags, funded 上年结转. */
function openingFor(from: LineState, lineId: string): BudgetLineOpenedData {
  const dimensions: { -readonly [K in 'name' | 'unit' | 'project' | 'functionCode' | 'economicCode']?: string } = {};
  for (const key of ['name', 'unit', 'project', 'functionCode', 'economicCode'] as const) {
    if (from[key] !== undefined) dimensions[key] = from[key];
  }
  return {
    lineId,
    department: from.department,
    fiscalYear: from.fiscalYear + 1,
    ...dimensions,
    fundingSource: CARRIED_FORWARD_FUNDING_SOURCE,
    kind: 'project',
    tags: [...from.tags],
  };
}

/** `<fromLineId cut to 110>.cf<nextYear>`, with `-2`, `-3`… when a line of another kind has it. */
function freeLineId(from: LineState, taken: (lineId: string) => boolean): string {
  const base = `${cutToChars(from.lineId, LINE_ID_BASE_CHARS)}.cf${from.fiscalYear + 1}`;
  let lineId = base;
  for (let k = 2; taken(lineId); k += 1) lineId = `${base}-${k}`;
  return lineId;
}

/**
 * The events a YearClosed derives, in the order they are stored: for each project line of the year
 * with available > 0, in lineId order (n from 1), a BudgetLineOpened `<id>:open:<n>` when no line
 * of the next year receives it, then a BalanceCarriedForward `<id>:cf:<n>` of its available. The
 * state must hold every line of the year and of the next (state.completeYears); it is not changed.
 */
export function carryForwardEvents(state: LedgerState, yearClosed: YearClosed): LedgerEvent[] {
  const { department, fiscalYear } = yearClosed.data;
  const idBase = yearClosed.eventId.slice(0, EVENT_ID_BASE_CHARS);
  const envelope = {
    effectiveDate: yearClosed.effectiveDate,
    correction: false,
    metadata: { source: 'ledger', yearClosedEventId: yearClosed.eventId } satisfies JsonObject,
  };
  // The next year's lines, with those opened here: they receive later balances like any other.
  const receiving = linesOfYear(state, department, fiscalYear + 1);
  const opened = new Set<string>();
  const events: LedgerEvent[] = [];
  const carried = linesOfYear(state, department, fiscalYear).filter((l) => l.kind === 'project' && availableFen(l) > 0n);
  carried.forEach((from, i) => {
    const n = i + 1;
    let to = receiving.find((candidate) => receivesCarryForward(candidate, from));
    if (to === undefined) {
      const lineId = freeLineId(from, (id) => state.lines.has(id) || opened.has(id));
      const opening: BudgetLineOpened = {
        eventId: `${idBase}:open:${n}`,
        type: 'BudgetLineOpened',
        ...envelope,
        data: openingFor(from, lineId),
      };
      events.push(opening);
      opened.add(lineId);
      to = newLineState(opening.data);
      receiving.push(to);
      receiving.sort((a, b) => compareLineIds(a.lineId, b.lineId));
    }
    const balance: BalanceCarriedForward = {
      eventId: `${idBase}:cf:${n}`,
      type: 'BalanceCarriedForward',
      ...envelope,
      data: { fromLineId: from.lineId, toLineId: to.lineId, amountFen: availableFen(from) },
    };
    events.push(balance);
  });
  return events;
}
