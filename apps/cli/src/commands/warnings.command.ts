import { QueryBus } from '@nestjs/cqrs';
import { GetWarningsQuery } from '@ledger/reporting';
import type { WarningsResult } from '@ledger/reporting';
import type { CliArgs } from '../args';
import { usage } from '../cli-failure';
import { print, unitOf } from '../output';
import { withLedger } from '../with-ledger';
import { warningsTable } from './warnings.renderer';

/** `ledger warnings`: lines or projects lagging 序时进度 (前快后慢). */
export async function warningsCommand(args: CliArgs): Promise<void> {
  if (args.department === undefined) throw usage('warnings needs --department');
  const unit = unitOf(args);
  const result: WarningsResult = await withLedger(args, (app) =>
    app.get(QueryBus).execute(
      new GetWarningsQuery({
        department: args.department as string,
        asOf: args.asOf,
        knownAt: args.knownAt,
        by: args.by,
        margin: args.margin,
      }),
    ),
  );
  print(args, result, () => warningsTable(result, unit));
}
