import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DEMO_DEPARTMENT, DEMO_YEAR, seed002Phases } from '@ledger/ledger';
import {
  GetProgressQuery,
  GetRatiosQuery,
  GetScorecardQuery,
  GetViewQuery,
  type ProgressResult,
  type RatiosResult,
  type ScorecardResult,
  type ViewResult,
} from '@ledger/reporting';
import type { CliArgs } from '../args';
import { print, unitOf } from '../output';
import { money, pct, type Unit } from '../table';
import { withLedger } from '../with-ledger';
import { loadPhases, type DemoLoaded } from './demo-load';
import { yearEndDemoCommand } from './demo-year-end';
import { progressTable } from './progress.renderer';
import { ratiosTable } from './ratios.renderer';
import { scorecardTable } from './scorecard.renderer';

interface DemoOutput {
  readonly loaded: DemoLoaded;
  readonly view: ViewResult;
  readonly progress: ProgressResult;
  readonly ratios: RatiosResult;
  readonly scorecard: ScorecardResult;
}

/** The newcomer's first command: seed 002's department-year into the configured store, then its tables (--year-end: seed 004's year end). */
export async function demoCommand(args: CliArgs): Promise<void> {
  if (args.yearEnd) return yearEndDemoCommand(args);
  const unit = args.unit === undefined ? 'wan' : unitOf(args);
  const output = await withLedger(args, async (app): Promise<DemoOutput> => {
    const queries = app.get(QueryBus);
    const summary = await loadPhases(app.get(CommandBus), seed002Phases());
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
  print(args, output, () => demoText(output, unit));
}

function demoText(output: DemoOutput, unit: Unit): string {
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
    `     npm run --silent ledger -- demo --year-end    (commitments, a spending plan and a year closed with its 结转)`,
    `See every figure in the console: npm start, then open http://127.0.0.1:3000/console/ (serve prints its address and a first key).`,
  ].join('\n');
}
