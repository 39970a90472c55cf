import { SEED_004_PLAN, YEAR_END_DEPARTMENT, YEAR_END_YEAR } from '@ledger/ledger';
import type { ScorecardResult, TraceResult, ViewResult, WarningsResult, YearEndResult } from '@ledger/reporting';
import { money, pct, renderTable, type Unit } from '../table';
import type { DemoLoaded } from './demo-load';

export interface YearEndDemoOutput {
  readonly loaded: DemoLoaded;
  /** The lines as of 11-30: contracts signed, not yet paid, hold 已预留. */
  readonly reserved: ViewResult;
  /** The project lines' traces at the year end: their commitments, plans and entries. */
  readonly traces: TraceResult[];
  /** Warnings at 6月底: the projects judged against their own plan (0%), not the common 50%. */
  readonly midYearWarnings: WarningsResult;
  /** The projects' plan checkpoints, planned against actual. */
  readonly scorecard: ScorecardResult;
  readonly yearEnd: YearEndResult;
  /** The next year's view on its first day: the 上年结转 lines the ledger opened. */
  readonly nextYear: ViewResult;
}

const CHECKPOINT_NAMES: Record<string, string> = { '03-31': '3月底', '06-30': '6月底', '10-31': '10月底', '12-31': '12月底' };

/** The walk-through's text: each part of decision 0014 once, with the figures that show it. */
export function yearEndDemoText(output: YearEndDemoOutput, unit: Unit): string {
  const names = new Map(output.yearEnd.lines.map((l) => [l.lineId, l.name ?? '']));
  const label = (lineId: string) => `${lineId} ${names.get(lineId) ?? ''}`.trim();
  const fig = (v: string) => money(v, unit);
  const { loaded } = output;
  return [
    `Loaded seed 004 (${YEAR_END_DEPARTMENT} ${YEAR_END_YEAR}): ${loaded.appended} events stored, ${loaded.duplicates} already there.${unit === 'wan' ? ' Amounts in 万元.' : ''}`,
    '',
    `1. 预留 (commitments) as of ${output.reserved.asOf}: signed contracts hold budget before they are paid; 可用余额 = 调整预算数 − 执行数 − 已预留.`,
    renderTable(
      ['指标', '调整预算数', '执行数', '已预留', '可用余额'],
      [
        ...output.reserved.rows.map((r) => [label(r.key.line ?? ''), fig(r.adjusted), fig(r.executed), fig(r.committed), fig(r.available)]),
        [
          '合计',
          fig(output.reserved.total.adjusted),
          fig(output.reserved.total.executed),
          fig(output.reserved.total.committed),
          fig(output.reserved.total.available),
        ],
      ],
    ),
    '',
    '2. Each payment that names its contract consumes it (never counted twice); one 扶持协议 was released in part.',
    renderTable(
      ['预留', '合同/采购', '预留金额', '已释放', '已支付', '尚余预留'],
      output.traces.flatMap((t) =>
        t.commitments.map((c) => [c.eventId, c.reference ?? '', fig(c.amount), fig(c.released), fig(c.consumed), fig(c.left)]),
      ),
    ),
    '',
    planText(output),
    '',
    yearEndText(output.yearEnd, fig, label),
    '',
    `Try: npm run --silent ledger -- year-end --department ${YEAR_END_DEPARTMENT} --year ${YEAR_END_YEAR} --unit wan`,
    `     npm run --silent ledger -- trace --line ${output.yearEnd.lines.find((l) => l.toLineId !== null)?.toLineId ?? ''}    (a 上年结转 line the ledger opened)`,
    `In the console: /console/departments/${YEAR_END_DEPARTMENT}/years/${YEAR_END_YEAR}/year-end (npm start; serve prints its address and a first key).`,
  ].join('\n');
}

/** Seed 004's plan, each project judged against it at its checkpoints, and the 6月底 warnings that follow from it. */
function planText(output: YearEndDemoOutput): string {
  const plan = SEED_004_PLAN.map((c) => `${CHECKPOINT_NAMES[c.date.slice(5)] ?? c.date} ${pct(c.share)}`).join(' / ');
  const planned = output.scorecard.projects.filter((p) => p.plan !== undefined && p.plan.length > 0);
  const dates = planned[0]?.plan?.map((c) => c.date) ?? [];
  const warnings = output.midYearWarnings;
  return [
    `3. 资金支出计划 (seed 004, both projects): ${plan}. Each project against its own plan, 计划/实际 支出进度:`,
    renderTable(
      ['项目', ...dates.map((d) => CHECKPOINT_NAMES[d.slice(5)] ?? d)],
      planned.map((p) => [p.project, ...(p.plan ?? []).map((c) => `${pct(c.planned)}/${pct(c.progress)}${c.met ? '' : ' 未达到'}`)]),
    ),
    `Warnings as of ${warnings.asOf} (6月底): the projects are judged against their plan (0%), not the common 序时进度.`,
    renderTable(
      ['指标', '支出进度', '应达进度', '对照', ''],
      warnings.rows.map((r) => [
        r.key,
        pct(r.progress),
        pct(r.expected),
        r.plan === 'own' ? '本项目计划' : '序时进度',
        r.flagged ? 'WARNING' : '',
      ]),
    ),
  ].join('\n');
}

/** The year-end report: 结转 and 结余 by line, the totals, and the next year's lines that received the 结转. */
function yearEndText(report: YearEndResult, fig: (v: string) => string, label: (lineId: string) => string): string {
  const t = report.totals;
  const status = report.closed
    ? `closed by ${report.yearClosedEventId ?? ''} at ${report.closedAt ?? ''}`
    : 'open: the figures say what closing it now would do';
  return [
    `4. 年终结转 ${report.department} ${report.fiscalYear} (${status}): each project line carries its 可用余额 forward (结转), a basic line's lapses (结余).`,
    renderTable(
      ['指标', '调整预算数', '执行数', '已预留', '可用余额', '结转下年', '结余', '结转至'],
      [
        ...report.lines.map((l) => [
          label(l.lineId),
          fig(l.adjusted),
          fig(l.executed),
          fig(l.committed),
          fig(l.available),
          fig(l.carriedForward),
          fig(l.lapsed),
          l.toLineId ?? '',
        ]),
        ['合计', fig(t.adjusted), fig(t.executed), fig(t.committed), fig(t.available), fig(t.carriedForward), fig(t.lapsed), ''],
      ],
    ),
    `${report.nextYear.fiscalYear} opens with the 上年结转 lines the ledger opened itself:`,
    renderTable(
      ['指标', '来源指标', '年初预算数', '上年结转', '调整预算数'],
      [
        ...report.nextYear.lines.map((l) => [
          `${l.lineId} ${l.name ?? ''}`.trim(),
          l.fromLineIds.join(', '),
          fig(l.initial),
          fig(l.broughtForward),
          fig(l.adjusted),
        ]),
        ['合计', '', fig(report.nextYear.totals.initial), fig(report.nextYear.totals.broughtForward), fig(report.nextYear.totals.adjusted)],
      ],
    ),
  ].join('\n');
}
