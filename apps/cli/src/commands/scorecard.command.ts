import { QueryBus } from '@nestjs/cqrs';
import { GetScorecardQuery } from '@ledger/reporting';
import type { ScorecardResult } from '@ledger/reporting';
import type { CliArgs } from '../args';
import { printReport, requireDepartmentYear, unitOf } from '../output';
import { withLedger } from '../with-ledger';
import { scorecardTable } from './scorecard.renderer';

/** `ledger scorecard`: the 评分表 items the ledger derives and the project self-evaluation. */
export async function scorecardCommand(args: CliArgs): Promise<void> {
  const { department, year } = requireDepartmentYear(args, 'scorecard');
  const unit = unitOf(args);
  const result: ScorecardResult = await withLedger(args, (app) =>
    app.get(QueryBus).execute(new GetScorecardQuery({ department, fiscalYear: year, knownAt: args.knownAt })),
  );
  await printReport(args, 'scorecard', result, () => scorecardTable(result, unit));
}
