import type { ExportableReport, ReportResult } from '@ledger/reporting';
import type { CliArgs } from './args';
import { usage } from './cli-failure';
import { exportFormatOf, writeExport } from './commands/export-output';
import type { Unit } from './table';

/** With --json, the JSON document (the same as the API's); otherwise the readable text. */
export function print(args: CliArgs, json: unknown, text: () => string): void {
  process.stdout.write(args.json ? `${JSON.stringify(json, null, 2)}\n` : `${text()}\n`);
}

/** A report: --format csv|xlsx writes the API's file, otherwise as print(). */
export async function printReport<R extends ExportableReport>(
  args: CliArgs,
  report: R,
  result: ReportResult<R>,
  text: () => string,
): Promise<void> {
  const format = exportFormatOf(args);
  if (format === undefined) print(args, result, text);
  else await writeExport(args, format, report, result);
}

/** --unit: yuan (元, the default) or wan (万元). */
export function unitOf(args: CliArgs): Unit {
  if (args.unit === undefined || args.unit === 'yuan') return 'yuan';
  if (args.unit === 'wan') return 'wan';
  throw usage(`--unit is 'yuan' or 'wan', not '${args.unit}'`);
}

export function requireDepartmentYear(args: CliArgs, command: string): { department: string; year: string } {
  if (args.department === undefined || args.year === undefined) throw usage(`${command} needs --department and --year`);
  return { department: args.department, year: args.year };
}
