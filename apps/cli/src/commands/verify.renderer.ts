import type { VerifyReport } from '@ledger/event-store';
import type { ProjectionReport } from '@ledger/ledger';

export function verifyText(report: VerifyReport, projections: ProjectionReport): string {
  return [
    report.ok
      ? `ok: ${report.events} events, hash chain intact`
      : [
          `BROKEN: ${report.breaks?.length ?? 1}${report.truncated === true ? ' or more' : ''} breaks (${report.events} events read)`,
          ...(report.breaks ?? [{ position: report.firstBrokenPosition, reason: report.reason ?? '' }]).map(
            (b) => `  ${b.position === undefined ? '' : `position ${b.position}: `}${b.reason}`,
          ),
        ].join('\n'),
    projectionReportText(projections),
  ].join('\n');
}

function projectionReportText(report: ProjectionReport): string {
  if (report.ok) return `ok: the projections of ${report.lines} lines and every closed quarter's reported figures agree with the log`;
  const lines = [`PROJECTIONS DIFFER from the log (${report.problems.length + report.problemsNotListed}):`];
  for (const p of report.problems) lines.push(`  ${p.table}: ${p.message}`);
  if (report.problemsNotListed > 0) lines.push(`  … ${report.problemsNotListed} more`);
  return lines.join('\n');
}
