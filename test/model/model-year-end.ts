import { availableOf, CARRIED_FORWARD_SOURCE, yuan, type Line, type RawEvent } from './model-state';

/**
 * What closing a year writes, as decision 0014 says it, apart from the domain: for each project
 * line of the year in lineId order whose available is > 0, a BalanceCarriedForward (eventId
 * `<yearClosedId cut to 100>:cf:<n>`) to the first line (by lineId) of the department and the
 * next year that is a project line funded 上年结转 with the same unit, project, functionCode and
 * economicCode (absent equals absent) — opened first by the ledger when there is none
 * (`<yearClosedId cut to 100>:open:<n>`, n that of the carry it precedes, lineId `<fromLineId cut to 110>.cf<nextYear>`). A line
 * the close opens counts as a line of the next year for the lines after it. Both kinds are dated
 * like the YearClosed. Their metadata, `{ source: 'ledger', yearClosedEventId }`, is the ledger's
 * choice (decision 0014 names none); it is part of what a copy posted again must repeat exactly.
 */

const DIMENSIONS = ['unit', 'project', 'functionCode', 'economicCode'] as const;
const byLineId = (a: { lineId: string }, b: { lineId: string }): number => (a.lineId < b.lineId ? -1 : a.lineId > b.lineId ? 1 : 0);

export function closeYear(lines: ReadonlyMap<string, Line>, yearClosed: RawEvent): RawEvent[] {
  const department = yearClosed.data.department as string;
  const year = yearClosed.data.fiscalYear as number;
  const nextYear = year + 1;
  const base = yearClosed.eventId.slice(0, 100);
  const date = yearClosed.effectiveDate;
  const envelope = { effectiveDate: date, correction: false, metadata: { source: 'ledger', yearClosedEventId: yearClosed.eventId } };
  const derived: RawEvent[] = [];
  /** The lines this close opens, as they would stand among the next year's. */
  const opened: { lineId: string; opened: Record<string, unknown> }[] = [];
  const receivers = () =>
    [...[...lines.values()].filter((l) => l.department === department && l.fiscalYear === nextYear), ...opened]
      .filter((l) => l.opened.kind === 'project' && l.opened.fundingSource === CARRIED_FORWARD_SOURCE)
      .sort(byLineId);
  const closing = [...lines.values()]
    .filter((l) => l.department === department && l.fiscalYear === year && l.kind === 'project')
    .sort(byLineId);
  let carries = 0;
  for (const line of closing) {
    const available = availableOf(line);
    if (available <= 0n) continue;
    carries += 1;
    let to = receivers().find((r) => DIMENSIONS.every((k) => r.opened[k] === line.opened[k]))?.lineId;
    if (to === undefined) {
      to = `${line.lineId.slice(0, 110)}.cf${nextYear}`;
      const data: Record<string, unknown> = { lineId: to, department, fiscalYear: nextYear };
      for (const key of ['name', ...DIMENSIONS] as const) if (line.opened[key] !== undefined) data[key] = line.opened[key];
      data.fundingSource = CARRIED_FORWARD_SOURCE;
      data.kind = 'project';
      data.tags = line.opened.tags ?? [];
      opened.push({ lineId: to, opened: data });
      derived.push({ eventId: `${base}:open:${carries}`, type: 'BudgetLineOpened', ...envelope, data });
    }
    derived.push({
      eventId: `${base}:cf:${carries}`,
      type: 'BalanceCarriedForward',
      ...envelope,
      data: { fromLineId: line.lineId, toLineId: to, amount: yuan(available) },
    });
  }
  return derived;
}
