import * as fs from 'node:fs';
import { finished, pipeline } from 'node:stream/promises';
import { csvStream, exportTables, writeXlsx, type ExportableReport, type ReportResult } from '@ledger/reporting';
import type { CliArgs } from '../args';

/** `--format csv|xlsx [--out file]`: the report as the API's file; undefined for json/table output. */
export function exportFormatOf(args: CliArgs): 'csv' | 'xlsx' | undefined {
  if (args.format === undefined || args.format === 'json' || args.format === 'table') return undefined;
  if (args.format === 'csv' || args.format === 'xlsx') return args.format;
  throw new Error(`--format is csv, xlsx or json, not '${args.format}'`);
}

/**
 * Writes a report as CSV or XLSX to --out (a trace: every page from the first on, read as written), or to standard output when --out is absent (CSV to a
 * terminal is readable; XLSX is binary and so needs --out when stdout is a terminal).
 */
export async function writeExport<R extends ExportableReport>(
  args: CliArgs,
  format: 'csv' | 'xlsx',
  report: R,
  result: ReportResult<R>,
): Promise<void> {
  const tables = await exportTables(report, result);
  if (args.out === undefined && format === 'xlsx' && process.stdout.isTTY) {
    throw new Error('--format xlsx writes a binary file: add --out file.xlsx (or redirect standard output)');
  }
  const out = args.out === undefined ? process.stdout : fs.createWriteStream(args.out);
  if (format === 'csv') await pipeline(csvStream(tables), out, { end: args.out !== undefined });
  else {
    // exceljs ends the stream it writes to when the workbook is committed; wait until the file is flushed.
    await writeXlsx(tables, out);
    if (args.out !== undefined) await finished(out);
  }
  if (args.out !== undefined) process.stderr.write(`wrote ${args.out}\n`);
}
