import { QueryBus } from '@nestjs/cqrs';
import { GetYearEndQuery } from '@ledger/reporting';
import type { YearEndResult } from '@ledger/reporting';
import type { CliArgs } from '../args';
import { printReport, requireDepartmentYear, unitOf } from '../output';
import { withLedger } from '../with-ledger';
import { yearEndTable } from './year-end.renderer';

/** `ledger year-end`: 年终结转 of a department-year, carried (结转下年) or lapsed (结余) per line (decision 0014). */
export async function yearEndCommand(args: CliArgs): Promise<void> {
  const { department, year } = requireDepartmentYear(args, 'year-end');
  const unit = unitOf(args);
  const result: YearEndResult = await withLedger(args, (app) =>
    app.get(QueryBus).execute(new GetYearEndQuery({ department, fiscalYear: year, knownAt: args.knownAt })),
  );
  await printReport(args, 'year-end', result, () => yearEndTable(result, unit));
}
