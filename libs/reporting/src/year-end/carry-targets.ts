import { CARRIED_FORWARD_FUNDING_SOURCE, compareLineIds } from '@ledger/domain';

/** A line of the next year that may receive a carried balance. */
export interface CarryCandidate {
  readonly line_id: string;
  readonly kind: string;
  readonly funding_source: string | null;
  readonly unit: string | null;
  readonly project: string | null;
  readonly function_code: string | null;
  readonly economic_code: string | null;
}

/** A closing line of the year with its available at the year end. */
export interface ClosingLine extends Omit<CarryCandidate, 'funding_source'> {
  readonly availableFen: bigint;
}

/** A carry: stored (a BalanceCarriedForward in the log) or planned (what closing the open year now would write). */
export interface PlannedCarry {
  readonly fromLineId: string;
  readonly toLineId: string;
  readonly amountFen: bigint;
  readonly planned: boolean;
}

const sameDimensions = (a: Omit<CarryCandidate, 'line_id' | 'kind' | 'funding_source'>, b: CarryCandidate): boolean =>
  a.unit === b.unit && a.project === b.project && a.function_code === b.function_code && a.economic_code === b.economic_code;

/** `<fromLineId cut to 110 code points>.cf<nextYear>`: the lineId the ledger gives a line it opens for a carried balance (before `-2`, `-3`…). */
export function carryLineIdBase(fromLineId: string, nextYear: number): string {
  return `${[...fromLineId].slice(0, 110).join('')}.cf${nextYear}`;
}

/**
 * What closing the year now would carry (decision 0014), for the report of an open year: each
 * project line (in lineId order) with available > 0 carries it to the first next-year line (by
 * lineId) of kind project, fundingSource 上年结转 and the same unit, project, functionCode and
 * economicCode; without one, to the line the ledger would open (carryLineIdBase, with `-2`, `-3`…
 * when a line has that id: `taken`), which later lines of the same dimensions then receive too.
 * The domain's carryForwardEvents decides the same on a loaded state.
 */
export function carryTargets(
  lines: readonly ClosingLine[],
  nextYearLines: readonly CarryCandidate[],
  nextYear: number,
  taken: ReadonlySet<string>,
): PlannedCarry[] {
  const candidates = nextYearLines.filter((c) => c.kind === 'project' && c.funding_source === CARRIED_FORWARD_FUNDING_SOURCE);
  const opened = new Set<string>();
  const carries: PlannedCarry[] = [];
  for (const line of [...lines].sort((a, b) => compareLineIds(a.line_id, b.line_id))) {
    if (line.kind !== 'project' || line.availableFen <= 0n) continue;
    let target = candidates.filter((c) => sameDimensions(line, c)).sort((a, b) => compareLineIds(a.line_id, b.line_id))[0];
    if (target === undefined) {
      const base = carryLineIdBase(line.line_id, nextYear);
      let lineId = base;
      for (let k = 2; taken.has(lineId) || opened.has(lineId); k += 1) lineId = `${base}-${k}`;
      opened.add(lineId);
      target = { ...line, line_id: lineId, funding_source: CARRIED_FORWARD_FUNDING_SOURCE };
      candidates.push(target);
    }
    carries.push({ fromLineId: line.line_id, toLineId: target.line_id, amountFen: line.availableFen, planned: true });
  }
  return carries;
}
