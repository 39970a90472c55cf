import * as fs from 'node:fs';
import { CommandBus } from '@nestjs/cqrs';
import { cliIdentity } from '@ledger/auth';
import { ingestLines, ndjsonLines, type AppendSummary } from '@ledger/ingestion';
import { AppendEventsCommand, LEDGER_CONFIG, type LedgerConfig } from '@ledger/ledger';
import type { CliArgs } from '../args';
import { usage } from '../cli-failure';
import { print } from '../output';
import { withLedger } from '../with-ledger';

/** `ledger append <file|->`: events from NDJSON into the ledger, each accepted or rejected on its own (DESIGN.md §3, §6). */
export async function appendCommand(args: CliArgs): Promise<void> {
  const file = args.positionals[0];
  if (file === undefined) throw usage('append needs a file, or - for standard input');
  if (file !== '-' && !fs.existsSync(file)) throw usage(`no such file: ${file}`);
  const input = file === '-' ? process.stdin : fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  const summary: AppendSummary = await withLedger(args, async (app) => {
    const commands = app.get(CommandBus);
    const config = app.get<LedgerConfig>(LEDGER_CONFIG);
    const batchSize = args.batchSize === undefined ? config.batchSize : Number(args.batchSize);
    const recordedBy = cliIdentity();
    return ingestLines(
      ndjsonLines(input),
      { append: (events) => commands.execute(new AppendEventsCommand(events, { recordedBy })) },
      batchSize,
    );
  });
  print(args, summary, () => appendSummaryText(summary));
}

/** The summary, with the first 50 rejections and warnings; --json lists them all. */
function appendSummaryText(summary: AppendSummary): string {
  const lines = [
    `appended ${summary.appended}, duplicates ${summary.duplicates}, rejected ${summary.rejected.length + summary.rejectedNotListed}`,
  ];
  for (const r of summary.rejected.slice(0, 50)) lines.push(`  line ${r.line}: ${r.error} [${r.code}]`);
  if (summary.rejected.length > 50) lines.push(`  … ${summary.rejected.length - 50} more (use --json)`);
  for (const w of summary.warnings.slice(0, 50)) lines.push(`  line ${w.line}: warning: ${w.warning}`);
  return lines.join('\n');
}
