import { QueryBus } from '@nestjs/cqrs';
import { GetRatiosQuery } from '@ledger/reporting';
import type { RatiosResult } from '@ledger/reporting';
import type { CliArgs } from '../args';
import { printReport, requireDepartmentYear, unitOf } from '../output';
import { withLedger } from '../with-ledger';
import { ratiosTable } from './ratios.renderer';

/** `ledger ratios`: adjustment and transfer ratios with their threshold checks (DESIGN.md §4, §6). */
export async function ratiosCommand(args: CliArgs): Promise<void> {
  const { department, year } = requireDepartmentYear(args, 'ratios');
  const unit = unitOf(args);
  const result: RatiosResult = await withLedger(args, (app) =>
    app.get(QueryBus).execute(new GetRatiosQuery({ department, fiscalYear: year, asOf: args.asOf, knownAt: args.knownAt })),
  );
  await printReport(args, 'ratios', result, () => ratiosTable(result, unit));
}
