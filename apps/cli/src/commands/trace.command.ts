import { QueryBus } from '@nestjs/cqrs';
import { GetTraceQuery, withNextPages } from '@ledger/reporting';
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
  // Within the ledger's lifetime: --format csv|xlsx reads the pages after the first as it writes them.
  await withLedger(args, async (app) => {
    const page = (p: { asOf?: string; knownAt?: string; after?: string }): Promise<TraceResult> =>
      app
        .get(QueryBus)
        .execute(new GetTraceQuery({ lineId: args.line as string, asOf: p.asOf, knownAt: p.knownAt, limit: args.limit, after: p.after }));
    const result = withNextPages(await page(args), page);
    await printReport(args, 'trace', result, () => traceTable(result, unit));
  });
}
