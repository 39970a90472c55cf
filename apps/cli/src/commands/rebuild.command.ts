import { CommandBus } from '@nestjs/cqrs';
import { RebuildProjectionsCommand } from '@ledger/ledger';
import type { CliArgs } from '../args';
import { print } from '../output';
import { withLedger } from '../with-ledger';

/** `ledger rebuild`: every projection from the log alone. */
export async function rebuildCommand(args: CliArgs): Promise<void> {
  const report = await withLedger(args, (app) => app.get(CommandBus).execute(new RebuildProjectionsCommand()));
  const rate = report.elapsedMs > 0 ? Math.round((report.events * 1000) / report.elapsedMs) : report.events;
  print(
    args,
    { events: report.events, elapsedMs: Math.round(report.elapsedMs), eventsPerSecond: rate },
    () => `rebuilt projections from ${report.events} events in ${Math.round(report.elapsedMs)} ms (${rate} events/s)`,
  );
}
