import { CommandBus } from '@nestjs/cqrs';
import { cliIdentity } from '@ledger/auth';
import { isQuarter } from '@ledger/domain';
import { AppendEventsCommand, periodClosedEvent } from '@ledger/ledger';
import type { CliArgs } from '../args';
import { usage } from '../cli-failure';
import { print, requireDepartmentYear } from '../output';
import { withLedger } from '../with-ledger';

/** `ledger close-period`: closes a quarter (季度结账), as POST …/periods/{period}/close does over HTTP. */
export async function closePeriodCommand(args: CliArgs): Promise<void> {
  const { department, year } = requireDepartmentYear(args, 'close-period');
  const period = args.period;
  if (period === undefined) throw usage('close-period needs --period Q1..Q4');
  if (!isQuarter(period)) throw usage(`--period is Q1, Q2, Q3 or Q4, not '${period}'`);
  const event = periodClosedEvent({ department, year, period, source: 'cli', actor: process.env.USER ?? 'unknown', nowMs: Date.now() });
  const [result] = await withLedger(args, (app) =>
    app.get(CommandBus).execute(new AppendEventsCommand([event], { recordedBy: cliIdentity() })),
  );
  if (result === undefined || result.status === 'rejected') throw result?.error ?? usage('nothing was stored');
  print(
    args,
    { closed: `${year}-${period}`, department, eventId: result.eventId, position: result.position.toString() },
    () => `closed ${department} ${year}-${period} (position ${result.position})`,
  );
}
