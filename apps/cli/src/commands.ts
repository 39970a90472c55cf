import 'reflect-metadata';
import * as fs from 'node:fs';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
// Subpaths rather than the index, which would load kafkajs and pino for every command.
import { ingestLines, type AppendSummary } from '@ledger/ingestion/ingest';
import { ndjsonLines } from '@ledger/ingestion/ndjson-lines';
import { createHash } from 'node:crypto';
import {
  AppendEventsCommand,
  DEMO_DEPARTMENT,
  DEMO_YEAR,
  describeFailure,
  GetProgressQuery,
  GetRatiosQuery,
  GetScorecardQuery,
  GetTraceQuery,
  GetViewQuery,
  GetWarningsQuery,
  seed002Phases,
  LEDGER_CONFIG,
  LedgerModule,
  RebuildProjectionsCommand,
  VerifyLedgerQuery,
  type FailureBody,
  type LedgerConfig,
} from '@ledger/ledger';
import type {
  ExportableReport,
  ProgressResult,
  RatiosResult,
  ReportResult,
  ScorecardResult,
  TraceResult,
  ViewResult,
  WarningsResult,
} from '@ledger/reporting';
import { withNextPages } from '@ledger/reporting';
import { parseEvent } from '@ledger/domain';
import type { VerifyReport } from '@ledger/event-store';
import { authConfigFromEnv, cliIdentity } from '@ledger/auth';
import { keysCommand } from './commands/keys.command';
import type { CliArgs } from './args';
import { cliLedgerConfig } from './owner';
import { money, pct, renderTable } from './table';
import * as audit from './commands/audit.command';
import { dbCommand } from './commands/db.command';
import { exportFormatOf, writeExport } from './commands/export-output';

/** What the CLI reports when a command could not run. */
export class CliFailure extends Error {
  constructor(readonly body: FailureBody | { code: string; message: string }) {
    super(body.message);
  }

  static from(error: unknown): CliFailure {
    if (error instanceof CliFailure) return error;
    const body = describeFailure(error);
    // Unknown errors keep their own message on the command line: the operator needs it.
    return new CliFailure(body.code === 'INTERNAL' ? { code: 'INTERNAL', message: (error as Error)?.message ?? String(error) } : body);
  }
}

const usage = (message: string) => new CliFailure({ code: 'USAGE', message });

/** The command being run, named in the owner lock of an embedded store (set by runCommand). */
let running = 'command';

async function withLedger<T>(fn: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  // abortOnError false: a failure to start (no database, or a store another process owns) is
  // thrown to main, which prints it as every other failure (one line, exit 2), instead of Nest
  // logging a stack and exiting 1. Nest's own logger stays quiet: whatever it would log about a
  // failed start is that same error.
  const app = await NestFactory.createApplicationContext(LedgerModule.forRoot(cliLedgerConfig(running, false)), {
    logger: false,
    abortOnError: false,
  });
  app.useLogger(['error']);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

function print(args: CliArgs, json: unknown, text: () => string): void {
  process.stdout.write(args.json ? `${JSON.stringify(json, null, 2)}\n` : `${text()}\n`);
}

/** A report: --format csv|xlsx writes the API's file, otherwise as print(). */
async function printReport<R extends ExportableReport>(
  args: CliArgs,
  report: R,
  result: ReportResult<R>,
  text: () => string,
): Promise<void> {
  const format = exportFormatOf(args);
  if (format === undefined) print(args, result, text);
  else await writeExport(args, format, report, result);
}

function unitOf(args: CliArgs): 'yuan' | 'wan' {
  if (args.unit === undefined || args.unit === 'yuan') return 'yuan';
  if (args.unit === 'wan') return 'wan';
  throw usage(`--unit is 'yuan' or 'wan', not '${args.unit}'`);
}

export async function runCommand(args: CliArgs): Promise<void> {
  running = String(args.command);
  switch (args.command) {
    case 'append':
      return append(args);
    case 'view':
      return view(args);
    case 'trace':
      return trace(args);
    case 'progress':
      return progress(args);
    case 'ratios':
      return ratios(args);
    case 'scorecard':
      return scorecard(args);
    case 'warnings':
      return warnings(args);
    case 'close-period':
      return closePeriod(args);
    case 'demo':
      return demo(args);
    case 'verify':
      return args.checkpoint === undefined ? verify(args) : audit.verifyCheckpointCommand(args);
    case 'checkpoint':
      return audit.checkpointCommand(args);
    case 'prove':
      return audit.proveCommand(args);
    case 'db':
      return dbCommand(args);
    case 'rebuild':
      return rebuild(args);
    case 'serve':
      return serve(args);
    case 'keys':
      return keysCommand(args, { withLedger, fail: (code, message) => new CliFailure({ code, message }) });
    case 'consume':
      return consume({ consume: true, publish: true });
    case 'publish':
      return consume({ consume: false, publish: true });
    default:
      throw usage(`unknown command '${String(args.command)}' (see --help)`);
  }
}

async function append(args: CliArgs): Promise<void> {
  const file = args.positionals[0];
  if (file === undefined) throw usage('append needs a file, or - for standard input');
  if (file !== '-' && !fs.existsSync(file)) throw usage(`no such file: ${file}`);
  const input = file === '-' ? process.stdin : fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  const summary: AppendSummary = await withLedger(async (app) => {
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
  print(args, summary, () => {
    const lines = [
      `appended ${summary.appended}, duplicates ${summary.duplicates}, rejected ${summary.rejected.length + summary.rejectedNotListed}`,
    ];
    for (const r of summary.rejected.slice(0, 50)) lines.push(`  line ${r.line}: ${r.error} [${r.code}]`);
    if (summary.rejected.length > 50) lines.push(`  … ${summary.rejected.length - 50} more (use --json)`);
    for (const w of summary.warnings.slice(0, 50)) lines.push(`  line ${w.line}: warning: ${w.warning}`);
    return lines.join('\n');
  });
}

async function view(args: CliArgs): Promise<void> {
  if (args.department === undefined) throw usage('view needs --department');
  const unit = unitOf(args);
  const result: ViewResult = await withLedger((app) =>
    app.get(QueryBus).execute(
      new GetViewQuery({
        department: args.department as string,
        asOf: args.asOf,
        knownAt: args.knownAt,
        groupBy: args.groupBy,
        fiscalYear: args.year,
      }),
    ),
  );
  await printReport(args, 'view', result, () => {
    const dims = result.rows[0] === undefined ? [] : Object.keys(result.rows[0].key);
    const headers = [...dims, '年初预算数', '调整', '调剂转入', '调剂转出', '调整预算数', '执行数', '可用余额', '执行率'];
    const figures = (f: ViewResult['total']) =>
      [f.initial, f.adjustments, f.transfersIn, f.transfersOut, f.adjusted, f.executed, f.available]
        .map((v) => money(v, unit))
        .concat(pct(f.executionRate));
    const rows = result.groupBy.length === 0 ? [] : result.rows.map((r) => [...dims.map((d) => r.key[d] ?? '(none)'), ...figures(r)]);
    rows.push([...dims.map((_, i) => (i === 0 ? '合计' : '')), ...figures(result.total)]);
    const title = `${result.department} ${result.fiscalYear} as of ${result.asOf}, known at ${result.knownAt} (${unit === 'wan' ? '万元' : '元'})`;
    return `${title}\n${renderTable(headers, rows)}`;
  });
}

async function trace(args: CliArgs): Promise<void> {
  if (args.line === undefined) throw usage('trace needs --line');
  const unit = unitOf(args);
  // Within the ledger's lifetime: --format csv|xlsx reads the pages after the first as it writes them.
  await withLedger(async (app) => {
    const page = (p: { asOf?: string; knownAt?: string; after?: string }): Promise<TraceResult> =>
      app
        .get(QueryBus)
        .execute(new GetTraceQuery({ lineId: args.line as string, asOf: p.asOf, knownAt: p.knownAt, limit: args.limit, after: p.after }));
    const result = withNextPages(await page(args), page);
    await printTrace(args, unit, result);
  });
}

async function printTrace(args: CliArgs, unit: 'yuan' | 'wan', result: TraceResult): Promise<void> {
  await printReport(args, 'trace', result, () => {
    const rows = result.entries.map((e) => {
      const doc = e.metadata !== null && typeof e.metadata.documentNo === 'string' ? e.metadata.documentNo : '';
      return [
        e.position,
        e.effectiveDate,
        e.recordedAt,
        e.type + (e.correction ? ' (correction)' : ''),
        e.eventId,
        doc,
        money(e.running.adjusted, unit),
        money(e.running.executed, unit),
      ];
    });
    const t = result.totals;
    return [
      `line ${result.lineId} as of ${result.asOf}, known at ${result.knownAt}`,
      renderTable(['position', 'effective', 'recorded', 'type', 'eventId', 'documentNo', '调整预算数', '执行数'], rows),
      `年初 ${money(t.initial, unit)}  调整预算数 ${money(t.adjusted, unit)}  执行数 ${money(t.executed, unit)}  可用余额 ${money(t.available, unit)}`,
    ].join('\n');
  });
}

async function verify(args: CliArgs): Promise<void> {
  const [report, projections] = await withLedger(async (app) => {
    const chain: VerifyReport = await app.get(QueryBus).execute(new VerifyLedgerQuery());
    return [chain, await audit.verifyProjectionsCommand(app)] as const;
  });
  print(args, { ...report, projections }, () =>
    [
      report.ok
        ? `ok: ${report.events} events, hash chain intact`
        : [
            `BROKEN: ${report.breaks?.length ?? 1}${report.truncated === true ? ' or more' : ''} breaks (${report.events} events read)`,
            ...(report.breaks ?? [{ position: report.firstBrokenPosition, reason: report.reason ?? '' }]).map(
              (b) => `  ${b.position === undefined ? '' : `position ${b.position}: `}${b.reason}`,
            ),
          ].join('\n'),
      audit.projectionReportText(projections),
    ].join('\n'),
  );
  if (!report.ok) process.exitCode = 1;
}

async function rebuild(args: CliArgs): Promise<void> {
  const report = await withLedger((app) => app.get(CommandBus).execute(new RebuildProjectionsCommand()));
  const rate = report.elapsedMs > 0 ? Math.round((report.events * 1000) / report.elapsedMs) : report.events;
  print(
    args,
    { events: report.events, elapsedMs: Math.round(report.elapsedMs), eventsPerSecond: rate },
    () => `rebuilt projections from ${report.events} events in ${Math.round(report.elapsedMs)} ms (${rate} events/s)`,
  );
}

async function serve(args: CliArgs): Promise<void> {
  const port = Number(args.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`--port must be a TCP port, not '${args.port}'`);
  // The HTTP stack (Express, Swagger) and the Kafka client load only for the commands that use them.
  const { startApi, startupMessage } = await import('../../api/src/start-api');
  const auth = authConfigFromEnv();
  const started = await startApi(port, cliLedgerConfig('serve', true), auth);
  const app = started.app;
  process.stderr.write(startupMessage(started, auth));
  await new Promise<void>((resolve) => {
    const stop = () => void app.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function requireDepartmentYear(args: CliArgs, command: string): { department: string; year: string } {
  if (args.department === undefined || args.year === undefined) throw usage(`${command} needs --department and --year`);
  return { department: args.department, year: args.year };
}

function progressTable(result: ProgressResult, unit: 'yuan' | 'wan'): string {
  const rows = result.quarters.map((q) => [
    q.period,
    q.date,
    money(q.executed, unit),
    money(q.adjusted, unit),
    pct(q.progress),
    pct(q.schedule),
    pct(q.quarterRate),
    q.quarterScore ?? '-',
    q.closed ? (q.difference && q.difference.executed !== '0.00' ? `closed; reported ${pct(q.reported?.progress ?? null)}` : 'closed') : '',
  ]);
  rows.push(['全年平均', '', '', '', '', '', pct(result.averageRate), result.averageScore ?? '-', '']);
  return [
    `${result.department} ${result.fiscalYear} 预算执行率 (known at ${result.knownAt}; ${unit === 'wan' ? '万元' : '元'}) — total score ${result.totalScore ?? '-'} of 6`,
    renderTable(['季度', '截至', '累计支出数', '调整预算数', '支出进度', '序时进度', '当季度执行率', '得分', ''], rows),
  ].join('\n');
}

function ratiosTable(r: RatiosResult, unit: 'yuan' | 'wan'): string {
  const checks = r.checks.map(
    (c) => `${c.rule}: ${pct(c.value)} against ${pct(c.threshold)} → ${c.passed ? 'pass' : 'FAIL'}, ${c.points} points`,
  );
  return [
    `${r.department} ${r.fiscalYear} as of ${r.asOf} (known at ${r.knownAt})`,
    renderTable(
      ['年初预算数', '调整预算数', '调整资金', '调整比例', '调剂资金', '正常调剂', '调剂比例'],
      [
        [
          money(r.initial, unit),
          money(r.adjusted, unit),
          money(r.adjustmentAmount, unit),
          pct(r.adjustmentRatio),
          money(r.transferAmount, unit),
          money(r.routineTransferAmount, unit),
          pct(r.transferRatio),
        ],
      ],
    ),
    ...checks,
  ].join('\n');
}

function scorecardTable(r: ScorecardResult, unit: 'yuan' | 'wan'): string {
  const items = r.items.map((i) => [i.name, pct(i.value), i.band ?? '', i.points ?? '-', i.maxPoints]);
  const projects = r.projects.map((p) => [
    p.project,
    money(p.initial, unit),
    money(p.adjusted, unit),
    money(p.executed, unit),
    p.executionRate ?? '-',
    p.points ?? '-',
  ]);
  return [
    `${r.department} ${r.fiscalYear} 部门整体支出绩效评分表 (items the ledger derives): ${r.points} of ${r.maxPoints}`,
    renderTable(['指标', '值', '标准', '得分', '分值'], items),
    ...r.items.filter((i) => i.note !== undefined).map((i) => `  note (${i.name}): ${i.note}`),
    '',
    '项目支出绩效自评表',
    renderTable(['项目', '年初预算数', '全年预算数', '全年执行数', '执行率', '得分'], projects),
  ].join('\n');
}

async function progress(args: CliArgs): Promise<void> {
  const { department, year } = requireDepartmentYear(args, 'progress');
  const unit = unitOf(args);
  const result: ProgressResult = await withLedger((app) =>
    app.get(QueryBus).execute(new GetProgressQuery({ department, fiscalYear: year, knownAt: args.knownAt })),
  );
  await printReport(args, 'progress', result, () => progressTable(result, unit));
}

async function ratios(args: CliArgs): Promise<void> {
  const { department, year } = requireDepartmentYear(args, 'ratios');
  const unit = unitOf(args);
  const result: RatiosResult = await withLedger((app) =>
    app.get(QueryBus).execute(new GetRatiosQuery({ department, fiscalYear: year, asOf: args.asOf, knownAt: args.knownAt })),
  );
  await printReport(args, 'ratios', result, () => ratiosTable(result, unit));
}

async function scorecard(args: CliArgs): Promise<void> {
  const { department, year } = requireDepartmentYear(args, 'scorecard');
  const unit = unitOf(args);
  const result: ScorecardResult = await withLedger((app) =>
    app.get(QueryBus).execute(new GetScorecardQuery({ department, fiscalYear: year, knownAt: args.knownAt })),
  );
  await printReport(args, 'scorecard', result, () => scorecardTable(result, unit));
}

async function warnings(args: CliArgs): Promise<void> {
  if (args.department === undefined) throw usage('warnings needs --department');
  const unit = unitOf(args);
  const result: WarningsResult = await withLedger((app) =>
    app.get(QueryBus).execute(
      new GetWarningsQuery({
        department: args.department as string,
        asOf: args.asOf,
        knownAt: args.knownAt,
        by: args.by,
        margin: args.margin,
      }),
    ),
  );
  print(args, result, () =>
    [
      `${result.department} as of ${result.asOf}: ${result.flagged.length} of ${result.rows.length} ${result.by}s lag 序时进度 by more than ${pct(result.margin)}`,
      renderTable(
        [result.by, '执行数', '调整预算数', '支出进度', '序时进度', '落后', '预计全年执行', '预计执行率', ''],
        result.rows.map((r) => [
          r.key,
          money(r.executed, unit),
          money(r.adjusted, unit),
          pct(r.progress),
          pct(r.expected),
          pct(r.lag),
          r.projectedExecuted === null ? '-' : money(r.projectedExecuted, unit),
          pct(r.projectedRate),
          r.flagged ? 'WARNING' : '',
        ]),
      ),
    ].join('\n'),
  );
}

async function closePeriod(args: CliArgs): Promise<void> {
  const { department, year } = requireDepartmentYear(args, 'close-period');
  if (args.period === undefined) throw usage('close-period needs --period Q1..Q4');
  const quarterEnds: Record<string, string> = { Q1: '03-31', Q2: '06-30', Q3: '09-30', Q4: '12-31' };
  const end = quarterEnds[args.period];
  if (end === undefined) throw usage(`--period is Q1, Q2, Q3 or Q4, not '${args.period}'`);
  // eventIds are ASCII; the department is hashed in. The instant makes a second close a new event,
  // which the ledger refuses (PERIOD_ALREADY_CLOSED) rather than acknowledging as a duplicate.
  const departmentKey = createHash('sha256').update(department).digest('hex').slice(0, 12);
  const raw = {
    eventId: `close.${year}.${args.period}.${departmentKey}.${Date.now()}`,
    type: 'PeriodClosed',
    effectiveDate: `${year}-${end}`,
    data: { department, fiscalYear: year, period: args.period },
    metadata: { source: 'cli', actor: process.env.USER ?? 'unknown' },
  };
  const parsed = parseEvent(raw);
  if (!parsed.ok) throw parsed.error;
  const [result] = await withLedger((app) =>
    app.get(CommandBus).execute(new AppendEventsCommand([parsed.event], { recordedBy: cliIdentity() })),
  );
  if (result === undefined || result.status === 'rejected') throw result?.error ?? usage('nothing was stored');
  print(
    args,
    { closed: `${year}-${args.period}`, department, eventId: result.eventId, position: result.position.toString() },
    () => `closed ${department} ${year}-${args.period} (position ${result.position})`,
  );
}

/** The newcomer's first command: seed 002's department-year into the configured store, then its tables. */
async function demo(args: CliArgs): Promise<void> {
  const unit = args.unit === undefined ? 'wan' : unitOf(args);
  const output = await withLedger(async (app) => {
    const commands = app.get(CommandBus);
    const queries = app.get(QueryBus);
    const summary = { appended: 0, duplicates: 0, rejected: 0 };
    for (const phase of seed002Phases()) {
      const events = phase.map((raw) => {
        const parsed = parseEvent(raw);
        if (!parsed.ok) throw parsed.error;
        return parsed.event;
      });
      for (const result of await commands.execute(new AppendEventsCommand(events, { recordedBy: cliIdentity() }))) {
        if (result.status === 'appended') summary.appended += 1;
        else if (result.status === 'duplicate') summary.duplicates += 1;
        else throw result.error;
      }
    }
    const department = DEMO_DEPARTMENT;
    const fiscalYear = DEMO_YEAR;
    return {
      loaded: summary,
      view: await queries.execute(new GetViewQuery({ department, asOf: `${fiscalYear}-12-31`, groupBy: 'kind' })),
      progress: await queries.execute(new GetProgressQuery({ department, fiscalYear })),
      ratios: await queries.execute(new GetRatiosQuery({ department, fiscalYear })),
      scorecard: await queries.execute(new GetScorecardQuery({ department, fiscalYear })),
    };
  });
  print(args, output, () => {
    const t = output.view.total;
    return [
      `Loaded seed 002 (${DEMO_DEPARTMENT} ${DEMO_YEAR}): ${output.loaded.appended} events stored, ${output.loaded.duplicates} already there.`,
      `年初预算数 ${money(t.initial, unit)}  调整预算数 ${money(t.adjusted, unit)}  执行数 ${money(t.executed, unit)}  预算执行率 ${pct(t.executionRate)}${unit === 'wan' ? '  (万元)' : ''}`,
      '',
      progressTable(output.progress, unit),
      '',
      ratiosTable(output.ratios, unit),
      '',
      scorecardTable(output.scorecard, unit),
      '',
      `Try: npm run --silent ledger -- trace --line MY2021-B-301 --unit wan    (the Q1 correction after the close)`,
      `     npm run --silent ledger -- view --department ${DEMO_DEPARTMENT} --as-of 2021-06-30 --group-by tag --unit wan`,
    ].join('\n');
  });
}

/**
 * `consume`: treasury payments from Kafka into the ledger, and the ledger's events and alerts out
 * to Kafka; `publish`: the publisher alone. Both run until SIGTERM/SIGINT, finishing the batch in hand.
 */
async function consume(mode: { consume: boolean; publish: boolean }): Promise<void> {
  const { kafkaConfigFromEnv } = await import('@ledger/ingestion');
  const { metricsPortFromEnv, runUntilSignal, startConsumer } = await import('../../consumer/src/start-consumer');
  const kafka = kafkaConfigFromEnv();
  if (kafka === undefined) {
    throw new CliFailure({
      code: 'KAFKA_NOT_CONFIGURED',
      message: 'Kafka is not configured: set KAFKA_BROKERS (host:port[,host:port…]); see docs/kafka.md',
    });
  }
  const consumer = await startConsumer({
    kafka,
    ...mode,
    metricsPort: metricsPortFromEnv(),
    ledger: cliLedgerConfig(mode.consume ? 'consume' : 'publish', true),
  });
  process.stderr.write(
    `ledger ${mode.consume ? 'consuming' : 'publishing'} (brokers ${kafka.brokers.join(',')}); SIGTERM or Ctrl-C stops after the batch in hand\n`,
  );
  await runUntilSignal(consumer);
}
