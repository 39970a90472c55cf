import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { seed004Phases, YEAR_END_DEPARTMENT, YEAR_END_LINES, YEAR_END_YEAR } from '@ledger/ledger';
import { GetScorecardQuery, GetTraceQuery, GetViewQuery, GetWarningsQuery, GetYearEndQuery, type TraceResult } from '@ledger/reporting';
import type { CliArgs } from '../args';
import { print, unitOf } from '../output';
import { withLedger } from '../with-ledger';
import { loadPhases } from './demo-load';
import { yearEndDemoText, type YearEndDemoOutput } from './demo-year-end.renderer';

/** The dates the walk-through looks at: before the contracts are paid, and seed 004's 6月底 checkpoint. */
export const RESERVED_AS_OF = `${YEAR_END_YEAR}-11-30`;
export const MID_YEAR = `${YEAR_END_YEAR}-06-30`;

/**
 * `ledger demo --year-end`: seed 004's 高新区商务局 2023 into the configured store, through the
 * append path like any other input (the ledger writes the year end's 结转 itself), then what a
 * newcomer should see: commitments reserve and are consumed, projects are judged against their
 * plan, and the closed year's balances open the next.
 */
export async function yearEndDemoCommand(args: CliArgs): Promise<void> {
  const unit = args.unit === undefined ? 'wan' : unitOf(args);
  const department = YEAR_END_DEPARTMENT;
  const fiscalYear = YEAR_END_YEAR;
  const output = await withLedger(args, async (app): Promise<YearEndDemoOutput> => {
    const queries = app.get(QueryBus);
    const loaded = await loadPhases(app.get(CommandBus), seed004Phases());
    const yearEndDate = `${fiscalYear}-12-31`;
    const traces: TraceResult[] = [];
    for (const lineId of [YEAR_END_LINES.support, YEAR_END_LINES.investment]) {
      traces.push(await queries.execute(new GetTraceQuery({ lineId, asOf: yearEndDate })));
    }
    return {
      loaded,
      reserved: await queries.execute(new GetViewQuery({ department, asOf: RESERVED_AS_OF, groupBy: 'line', fiscalYear })),
      traces,
      midYearWarnings: await queries.execute(new GetWarningsQuery({ department, asOf: MID_YEAR })),
      scorecard: await queries.execute(new GetScorecardQuery({ department, fiscalYear })),
      yearEnd: await queries.execute(new GetYearEndQuery({ department, fiscalYear })),
      nextYear: await queries.execute(new GetViewQuery({ department, asOf: `${fiscalYear + 1}-01-01`, fiscalYear: fiscalYear + 1 })),
    };
  });
  print(args, output, () => yearEndDemoText(output, unit));
}
