import type { INestApplicationContext } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { VerifyReport } from '@ledger/event-store';
import { VerifyLedgerQuery, VerifyProjectionsQuery, type ProjectionReport } from '@ledger/ledger';
import type { CliArgs } from '../args';
import { print } from '../output';
import { withLedger } from '../with-ledger';
import { verifyCheckpointCommand } from './checkpoint.command';
import { verifyText } from './verify.renderer';

/**
 * `ledger verify`: the hash chain recomputed, and every projection recomputed from the log; with
 * --checkpoint, the log against a signed checkpoint instead. Exit code 1 on any break or difference.
 */
export async function verifyCommand(args: CliArgs): Promise<void> {
  if (args.checkpoint !== undefined) return verifyCheckpointCommand(args);
  const [report, projections] = await withLedger(args, async (app) => {
    const chain: VerifyReport = await app.get(QueryBus).execute(new VerifyLedgerQuery());
    return [chain, await verifyProjections(app)] as const;
  });
  print(args, { ...report, projections }, () => verifyText(report, projections));
  if (!report.ok) process.exitCode = 1;
}

/** verify's second half: the projections against the log. Sets a non-zero exit code on any difference. */
async function verifyProjections(app: INestApplicationContext): Promise<ProjectionReport> {
  const report = await app.get(QueryBus).execute(new VerifyProjectionsQuery());
  if (!report.ok) process.exitCode = 1;
  return report;
}
