import { QueryBus } from '@nestjs/cqrs';
import { GetProgressQuery } from '@ledger/reporting';
import type { ProgressResult } from '@ledger/reporting';
import type { CliArgs } from '../args';
import { printReport, requireDepartmentYear, unitOf } from '../output';
import { withLedger } from '../with-ledger';
import { progressTable } from './progress.renderer';

/** `ledger progress`: quarterly 支出进度 against 序时进度 (DESIGN.md §4, §6). */
export async function progressCommand(args: CliArgs): Promise<void> {
  const { department, year } = requireDepartmentYear(args, 'progress');
  const unit = unitOf(args);
  const result: ProgressResult = await withLedger(args, (app) =>
    app.get(QueryBus).execute(new GetProgressQuery({ department, fiscalYear: year, knownAt: args.knownAt })),
  );
  await printReport(args, 'progress', result, () => progressTable(result, unit));
}
