import { QueryBus } from '@nestjs/cqrs';
import { GetTraceQuery } from '@ledger/reporting';
import type { TraceResult } from '@ledger/reporting';
import type { CliArgs } from '../args';
import { usage } from '../cli-failure';
import { printReport, unitOf } from '../output';
import { withLedger } from '../with-ledger';
import { traceTable } from './trace.renderer';

/** `ledger trace`: every event behind a line's figures, with running totals (DESIGN.md §6). */
export async function traceCommand(args: CliArgs): Promise<void> {
  if (args.line === undefined) throw usage('trace needs --line');
  const unit = unitOf(args);
  const result: TraceResult = await withLedger(args, (app) =>
    app
      .get(QueryBus)
      .execute(
        new GetTraceQuery({ lineId: args.line as string, asOf: args.asOf, knownAt: args.knownAt, limit: args.limit, after: args.after }),
      ),
  );
  await printReport(args, 'trace', result, () => traceTable(result, unit));
}
