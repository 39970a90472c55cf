import { QueryBus } from '@nestjs/cqrs';
import { GetViewQuery } from '@ledger/reporting';
import type { ViewResult } from '@ledger/reporting';
import type { CliArgs } from '../args';
import { usage } from '../cli-failure';
import { printReport, unitOf } from '../output';
import { withLedger } from '../with-ledger';
import { viewTable } from './view.renderer';

/** `ledger view`: the department's execution table (DESIGN.md §6). */
export async function viewCommand(args: CliArgs): Promise<void> {
  if (args.department === undefined) throw usage('view needs --department');
  const unit = unitOf(args);
  const result: ViewResult = await withLedger(args, (app) =>
    app.get(QueryBus).execute(
      new GetViewQuery({
        department: args.department as string,
        asOf: args.asOf,
        knownAt: args.knownAt,
        groupBy: args.groupBy,
        fiscalYear: args.year,
      }),
    ),
  );
  await printReport(args, 'view', result, () => viewTable(result, unit));
}
