import { ratio, weightedSchedule, type ScheduleConfig, type ScheduleWeight } from '@ledger/domain';
import type { Sql } from '@ledger/event-store';
import { LINES_AS_OF_SQL, linesAsOfParams } from '../as-of';
import { adjustedSql, linesAsOfColumns } from '../figures';
import { planAsOfSql, planSchedule, type PlanCheckpoint } from '../plans';

/** A project's progress at a checkpoint of its plan. */
export interface ProjectPlanCheckpoint {
  readonly date: string;
  /** The adjusted-weighted share of its lines' plans due by the date (lines without one: the common schedule), 4 decimals. */
  readonly planned: string;
  /** executed ÷ adjusted of its lines as of the date, known at knownAt; null when adjusted = 0. */
  readonly progress: string | null;
  /** progress ≥ planned. */
  readonly met: boolean;
}

interface Cut {
  readonly department: string;
  readonly fiscalYear: number;
  readonly yearEnd: string;
  readonly knownAtSql: string;
}

/**
 * The plan checkpoints of each project that has a plan (one of its lines has one in force at the
 * year end, as known at knownAt): at each checkpoint date of its lines' plans, its progress as of
 * that date against the adjusted-weighted plan due by then.
 */
export async function projectPlans(sql: Sql, cut: Cut, common: ScheduleConfig): Promise<Map<string, ProjectPlanCheckpoint[]>> {
  const lines = await sql.query<{ line_id: string; project: string; plan: PlanCheckpoint[] | null }>(
    `SELECT l.line_id, l.project, pl.plan FROM ledger_lines l
     LEFT JOIN LATERAL (${planAsOfSql('l.line_id', '$3::date', '$4::timestamptz')}) pl ON true
     WHERE l.department = $1 AND l.fiscal_year = $2::integer AND l.project IS NOT NULL`,
    [cut.department, String(cut.fiscalYear), cut.yearEnd, cut.knownAtSql],
  );
  const planned = new Map<string, { dates: Set<string>; plans: Map<string, ScheduleConfig | undefined> }>();
  for (const l of lines) {
    const p = planned.get(l.project) ?? { dates: new Set<string>(), plans: new Map() };
    p.plans.set(l.line_id, l.plan === null ? undefined : planSchedule(cut.fiscalYear, l.plan));
    for (const c of l.plan ?? []) p.dates.add(c.date);
    planned.set(l.project, p);
  }
  const allDates = [...new Set([...planned.values()].flatMap((p) => [...p.dates]))].sort();
  const projects = [...planned.entries()].filter(([, p]) => p.dates.size > 0).map(([project]) => project);
  const figures = new Map<string, Map<string, { executed: bigint; adjusted: bigint }>>();
  for (const date of allDates) figures.set(date, await lineFigures(sql, { ...cut, asOf: date }, projects));
  const result = new Map<string, ProjectPlanCheckpoint[]>();
  for (const [project, p] of planned) {
    if (p.dates.size === 0) continue;
    result.set(
      project,
      [...p.dates].sort().map((date) => {
        const byLine = figures.get(date) as Map<string, { executed: bigint; adjusted: bigint }>;
        let executed = 0n;
        let adjusted = 0n;
        const parts: ScheduleWeight[] = [];
        for (const [lineId, schedule] of p.plans) {
          const f = byLine.get(lineId) ?? { executed: 0n, adjusted: 0n };
          executed += f.executed;
          adjusted += f.adjusted;
          parts.push({ weightFen: f.adjusted, schedule });
        }
        const due = weightedSchedule(date, cut.fiscalYear, parts, common);
        const progress = ratio(executed, adjusted);
        return { date, planned: due, progress, met: progress !== null && ten4(progress) >= ten4(due) };
      }),
    );
  }
  return result;
}

/** The figures of the lines of the given projects as of the cut's date. */
async function lineFigures(
  sql: Sql,
  cut: Cut & { readonly asOf: string },
  projects: readonly string[],
): Promise<Map<string, { executed: bigint; adjusted: bigint }>> {
  const rows = await sql.query<{ line_id: string; executed: bigint; adjusted: bigint }>(
    `SELECT x.line_id, x."executedFen" AS executed, (${adjustedSql(linesAsOfColumns('x'))})::bigint AS adjusted
     FROM (${LINES_AS_OF_SQL}) x WHERE x.project IN (SELECT unnest($8::text[]))`,
    [
      ...linesAsOfParams({ department: cut.department, fiscalYear: cut.fiscalYear, asOf: cut.asOf, knownAtSql: cut.knownAtSql }),
      `{${projects.map((p) => `"${p.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`,
    ],
  );
  return new Map(rows.map((r) => [r.line_id, { executed: BigInt(r.executed), adjusted: BigInt(r.adjusted) }]));
}

/** A 4-decimal ratio string ('0.2500', '-0.0100') in ten-thousandths, to compare exactly. */
const ten4 = (fixed4: string): bigint => BigInt(fixed4.replace('.', ''));
