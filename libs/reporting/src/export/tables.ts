import type { ProgressResult } from '../progress';
import type { RatiosResult } from '../ratios';
import type { ScorecardResult } from '../scorecard';
import type { TraceResult } from '../trace';
import type { ViewResult } from '../view';
import type { YearEndResult } from '../year-end';
import { nextPagesOf, pagesFrom } from './pages';

/** The reports that export as CSV and XLSX (DESIGN.md §9). */
export const EXPORTABLE_REPORTS = ['view', 'progress', 'ratios', 'scorecard', 'trace', 'year-end'] as const;
export type ExportableReport = (typeof EXPORTABLE_REPORTS)[number];

export type ReportResult<R extends ExportableReport> = {
  view: ViewResult;
  progress: ProgressResult;
  ratios: RatiosResult;
  scorecard: ScorecardResult;
  trace: TraceResult;
  'year-end': YearEndResult;
}[R];

/** A JSON leaf as it appears in the report: exports never reformat it. */
export type Cell = string | number | boolean | null;
/** One table row, flattened: nested objects become dotted names (`key.unit`, `reported.progress`). */
export type FlatRow = Record<string, Cell>;

/** How a column's cells are typed in a spreadsheet. */
export type ColumnKind = 'amount' | 'ratio' | 'score' | 'boolean' | 'text';

export interface Column {
  /** The JSON field name, dotted for nested fields: the CSV header. */
  readonly field: string;
  /** The Chinese header of the XLSX sheet. */
  readonly header: string;
  readonly kind: ColumnKind;
}

export interface Sheet {
  readonly name: string;
  readonly columns: Column[];
  /** In memory for most reports; read as they are written for a paged one (a trace: every page). */
  readonly rows: FlatRow[] | AsyncIterable<FlatRow>;
}

/** A report as tables: one sheet per table of the report, a title saying what and when. */
export interface ExportTables {
  readonly report: ExportableReport;
  /** e.g. `view-市贸促委-2021-2021-12-31`: the download's file name, without extension. */
  readonly fileName: string;
  readonly title: string;
  readonly sheets: Sheet[];
}

/** Flattens a JSON object into dotted leaves; arrays (rare: tags in metadata) stay as JSON text. */
export function flatten(value: unknown, prefix = '', out: FlatRow = {}): FlatRow {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
    return out;
  }
  if (prefix === '') return out;
  if (value === undefined) return out;
  if (Array.isArray(value)) out[prefix] = JSON.stringify(value);
  else out[prefix] = value as Cell;
  return out;
}

/** Every field of the rows, in the order they first appear, so that no figure is left out. */
export function fieldsOf(rows: FlatRow[], first: readonly string[] = []): string[] {
  const seen = new Set<string>(first);
  for (const row of rows) for (const field of Object.keys(row)) seen.add(field);
  return [...seen];
}

const AMOUNT_FIELDS = new Set([
  'initial',
  'adjustments',
  'transfersIn',
  'transfersOut',
  'adjusted',
  'executed',
  'available',
  'committed',
  'broughtForward',
  'carriedForward',
  'lapsed',
  'adjustmentAmount',
  'transferAmount',
  'routineTransferAmount',
]);
const RATIO_FIELDS = new Set([
  'executionRate',
  'progress',
  'schedule',
  'quarterRate',
  'adjustmentRatio',
  'transferRatio',
  'value',
  'threshold',
]);
const SCORE_FIELDS = new Set(['quarterScore', 'points', 'maxPoints']);
const BOOLEAN_FIELDS = new Set(['closed', 'passed', 'correction', 'met']);

const leaf = (field: string): string => field.slice(field.lastIndexOf('.') + 1);

export function kindOf(field: string): ColumnKind {
  const name = leaf(field);
  if (field.startsWith('metadata.') || field.startsWith('key.')) return 'text';
  if (AMOUNT_FIELDS.has(name)) return 'amount';
  if (RATIO_FIELDS.has(name)) return 'ratio';
  if (SCORE_FIELDS.has(name)) return 'score';
  if (BOOLEAN_FIELDS.has(name)) return 'boolean';
  return 'text';
}

const HEADERS: Record<string, string> = {
  'key.unit': '单位',
  'key.project': '项目',
  'key.functionCode': '功能分类',
  'key.economicCode': '经济分类',
  'key.fundingSource': '资金来源',
  'key.kind': '支出类型',
  'key.tag': '标签',
  'key.line': '预算指标',
  initial: '年初预算数',
  adjustments: '调整',
  transfersIn: '调剂转入',
  transfersOut: '调剂转出',
  adjusted: '调整预算数',
  executed: '执行数',
  committed: '已预留',
  broughtForward: '上年结转',
  carriedForward: '结转下年',
  lapsed: '结余',
  available: '可用余额',
  executionRate: '执行率',
  period: '季度',
  date: '截至',
  progress: '支出进度',
  schedule: '序时进度',
  quarterRate: '当季度执行率',
  quarterScore: '得分',
  closed: '已结账',
  knownAt: '截至时点',
  adjustmentAmount: '调整资金',
  adjustmentRatio: '调整比例',
  transferAmount: '调剂资金',
  routineTransferAmount: '正常调剂',
  transferRatio: '调剂比例',
  rule: '检查规则',
  value: '值',
  threshold: '阈值',
  passed: '通过',
  points: '得分',
  maxPoints: '分值',
  item: '指标代码',
  name: '指标',
  band: '标准',
  note: '说明',
  project: '项目',
  position: '位置',
  eventId: '事件编号',
  type: '事件类型',
  effectiveDate: '业务日期',
  recordedAt: '记录时间',
  recordedBy: '记录人',
  correction: '更正',
  commitmentEventId: '预留事件编号',
  lineId: '预算指标',
  kind: '支出类型',
  fundingSource: '资金来源',
  toLineId: '结转至',
  fromLineIds: '结转自',
  plan: '支出计划',
  'metadata.documentNo': '文号',
  'metadata.source': '来源',
};
const GROUP_HEADERS: Record<string, string> = {
  reported: '（报送时）',
  restated: '（重述后）',
  difference: '（差额）',
  delta: '变动',
  running: '累计',
  checks: '',
};

/** The Chinese header of a field; unknown fields keep their JSON name, so nothing is hidden. */
export function headerOf(field: string): string {
  const direct = HEADERS[field];
  if (direct !== undefined) return direct;
  const dot = field.indexOf('.');
  if (dot < 0) return field;
  const group = field.slice(0, dot);
  const rest = field.slice(dot + 1);
  const suffix = GROUP_HEADERS[group];
  if (suffix === undefined) return group === 'metadata' ? `元数据.${rest}` : field;
  if (group === 'delta' || group === 'running') return `${headerOf(rest)}${suffix}`;
  return `${headerOf(rest)}${suffix}`;
}

export function sheetOf(name: string, rows: FlatRow[], first: readonly string[] = []): Sheet {
  const columns = fieldsOf(rows, first).map((field) => ({ field, header: headerOf(field), kind: kindOf(field) }));
  return { name, columns, rows };
}

/**
 * Turns a report's JSON result into its tables; the cells are the JSON's own strings. A trace's
 * tables hold every entry from its first page on (traceTables), hence the promise.
 */
export async function exportTables<R extends ExportableReport>(report: R, result: ReportResult<R>): Promise<ExportTables> {
  switch (report) {
    case 'view':
      return viewTables(result as ViewResult);
    case 'progress':
      return progressTables(result as ProgressResult);
    case 'ratios':
      return ratiosTables(result as RatiosResult);
    case 'scorecard':
      return scorecardTables(result as ScorecardResult);
    case 'trace':
      return traceTables(result as TraceResult);
    case 'year-end':
      return yearEndTables(result as YearEndResult);
    default:
      throw new Error(`not an exportable report: ${String(report)}`);
  }
}

/** The first key cell of a grouped view's closing total row. */
export const VIEW_TOTAL_LABEL = '合计';

function viewTables(r: ViewResult): ExportTables {
  const keys = r.groupBy.map((spec) => `key.${spec.split(':')[0] as string}`);
  const rows = r.rows.map((row) => flatten(row));
  // The total closes the table as 合计 closes a published table: named in the first key cell, so
  // that it cannot be taken for the group of lines without a value (whose key cells are empty).
  if (keys.length > 0) {
    rows.push(flatten({ key: Object.fromEntries(keys.map((k, i) => [k.slice(4), i === 0 ? VIEW_TOTAL_LABEL : null])), ...r.total }));
  }
  return {
    report: 'view',
    fileName: `view-${r.department}-${r.asOf}`,
    title: `${r.department} ${r.fiscalYear} 预算执行情况 截至 ${r.asOf}（知悉时点 ${r.knownAt}）`,
    sheets: [sheetOf('预算执行', rows, keys)],
  };
}

function progressTables(r: ProgressResult): ExportTables {
  const rows = r.quarters.map((q) => flatten(q));
  // 全年平均: the averages go under the columns they average, as in the CLI's table.
  rows.push({ period: 'average', quarterRate: r.averageRate, quarterScore: r.averageScore });
  return {
    report: 'progress',
    fileName: `progress-${r.department}-${r.fiscalYear}`,
    title: `${r.department} ${r.fiscalYear} 预算执行进度（知悉时点 ${r.knownAt}）预算执行率得分 ${r.totalScore ?? '-'}`,
    sheets: [sheetOf('预算执行进度', rows)],
  };
}

function ratiosTables(r: RatiosResult): ExportTables {
  const figures = {
    asOf: r.asOf,
    initial: r.initial,
    adjusted: r.adjusted,
    adjustmentAmount: r.adjustmentAmount,
    adjustmentRatio: r.adjustmentRatio,
    transferAmount: r.transferAmount,
    routineTransferAmount: r.routineTransferAmount,
    transferRatio: r.transferRatio,
  };
  // One row per threshold check, the ratios beside each: one flat table that keeps every figure.
  const rows = r.checks.map((check) => flatten({ ...figures, checks: check }));
  return {
    report: 'ratios',
    fileName: `ratios-${r.department}-${r.fiscalYear}-${r.asOf}`,
    title: `${r.department} ${r.fiscalYear} 预算调整调剂比例 截至 ${r.asOf}（知悉时点 ${r.knownAt}）`,
    sheets: [sheetOf('调整调剂', rows)],
  };
}

function scorecardTables(r: ScorecardResult): ExportTables {
  return {
    report: 'scorecard',
    fileName: `scorecard-${r.department}-${r.fiscalYear}`,
    title: `${r.department} ${r.fiscalYear} 部门整体支出绩效评分表 ${r.points} / ${r.maxPoints}（知悉时点 ${r.knownAt}）`,
    sheets: [
      sheetOf(
        '评分表',
        r.items.map((i) => flatten(i)),
        ['item', 'name', 'value', 'band', 'points', 'maxPoints', 'note'],
      ),
      sheetOf(
        '项目支出绩效自评表',
        r.projects.map((p) => flatten(p)),
      ),
    ],
  };
}

/** The closing year's lines closed by their total (合计 in the first cell), and the next year's lines that receive 上年结转. */
function yearEndTables(r: YearEndResult): ExportTables {
  const lines = r.lines.map((l) => flatten(l));
  lines.push(flatten({ lineId: VIEW_TOTAL_LABEL, ...r.totals }));
  const next = r.nextYear.lines.map((l) => flatten(l));
  next.push(flatten({ lineId: VIEW_TOTAL_LABEL, ...r.nextYear.totals }));
  const state = r.closed ? `已于 ${r.closedAt ?? ''} 年结` : '未年结（结转、结余为现在年结的结果）';
  return {
    report: 'year-end',
    fileName: `year-end-${r.department}-${r.fiscalYear}`,
    title: `${r.department} ${r.fiscalYear} 年终结转 ${state}（知悉时点 ${r.knownAt}）`,
    sheets: [sheetOf(`${r.fiscalYear} 结转结余`, lines), sheetOf(`${r.nextYear.fiscalYear} 上年结转`, next)],
  };
}

/** The columns every trace export starts with; the entries' metadata fields follow, as found. */
export const TRACE_FIRST_FIELDS = ['position', 'eventId', 'type', 'effectiveDate', 'recordedAt', 'correction'] as const;

/**
 * A trace as one sheet of every entry, streamed page by page: the rows are read again page by
 * page as the file is written, so a line of a million entries is never in memory at once. The
 * columns must be known before the first row is written, and the metadata fields an entry carries
 * are free (documentNo, source, anything a poster sent): a first pass over the pages gathers them,
 * keeping only their names.
 */
async function traceTables(first: TraceResult): Promise<ExportTables> {
  const next = nextPagesOf(first);
  const fields = new Set<string>(TRACE_FIRST_FIELDS);
  for await (const page of pagesFrom(first, next)) {
    for (const entry of page.entries) for (const f of Object.keys(flatten(entry))) fields.add(f);
  }
  async function* rows(): AsyncGenerator<FlatRow> {
    for await (const page of pagesFrom(first, next)) for (const entry of page.entries) yield flatten(entry);
  }
  return {
    report: 'trace',
    fileName: `trace-${first.lineId}-${first.asOf}`,
    title: `${first.lineId} 明细 截至 ${first.asOf}（知悉时点 ${first.knownAt}）`,
    sheets: [
      { name: '明细', columns: [...fields].map((field) => ({ field, header: headerOf(field), kind: kindOf(field) })), rows: rows() },
    ],
  };
}
