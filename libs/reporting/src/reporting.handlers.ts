import { GetProgressHandler } from './progress/query-progress.handler';
import { GetRatiosHandler } from './ratios/query-ratios.handler';
import { GetScorecardHandler } from './scorecard/query-scorecard.handler';
import { GetTraceHandler } from './trace/query-trace.handler';
import { GetViewHandler } from './view/query-view.handler';
import { GetWarningsHandler } from './warnings/query-warnings.handler';
import { GetYearEndHandler } from './year-end/query-year-end.handler';

/** The query handlers of the reports, for the module that binds REPORTS_DATABASE and REPORTS_RULES (LedgerModule). */
export const REPORTING_HANDLERS = [
  GetViewHandler,
  GetTraceHandler,
  GetProgressHandler,
  GetRatiosHandler,
  GetScorecardHandler,
  GetWarningsHandler,
  GetYearEndHandler,
];
