import {
  enc,
  query,
  viewPath,
  type Catalog,
  type ProgressResult,
  type RatiosResult,
  type ScorecardResult,
  type ViewResult,
  type WarningsResult,
} from '../../api';
import { FIRST_LEVELS } from '../../components/view-tree';
import { settled, useFetch, useOnceTrue, type Loaded } from '../../useFetch';

export interface DepartmentYearParams {
  department: string;
  year: number;
  asOf: string;
  knownAt?: string;
  version: number;
}

export interface DepartmentYearData {
  /** The headline figures: the view's total, from the same request as the view table's first level. */
  view: Loaded<ViewResult>;
  progress: Loaded<ProgressResult>;
  /** The cutoffs of every quarter closed so far, for the "as reported at the Qn cutoff" shortcuts. */
  closes: Loaded<ProgressResult>;
  ratios: Loaded<RatiosResult>;
  scorecard: Loaded<ScorecardResult>;
  /** Every line's 支出进度 against 序时进度 (10,000 rows in a large department): asked for last. */
  warnings: Loaded<WarningsResult>;
  catalog: Loaded<Catalog>;
  paths: { progress: string; ratios: string; scorecard: string };
  /** The first screen had its figures once: the requests for what lies below it may go (from then on, at once). */
  firstScreenDone: boolean;
}

/**
 * The department-year's reports, the first screen's first. An embedded store answers one query
 * at a time, so a request for the scorecard sent with the headline figures would only make them
 * wait: the scorecard is asked for once the headline figures, the quarters and the ratios are in,
 * and the warnings after it.
 */
export function useDepartmentYear(p: DepartmentYearParams): DepartmentYearData {
  const base = `/v1/departments/${enc(p.department)}/years/${p.year}`;
  const paths = {
    progress: `${base}/progress${query({ knownAt: p.knownAt })}`,
    ratios: `${base}/ratios${query({ asOf: p.asOf, knownAt: p.knownAt })}`,
    scorecard: `${base}/scorecard${query({ knownAt: p.knownAt })}`,
  };
  const view = useFetch<ViewResult>(viewPath({ ...p, groupBy: FIRST_LEVELS[0] }), p.version);
  const progress = useFetch<ProgressResult>(paths.progress, p.version);
  // Known now (no knownAt), this is the same request as the progress table's, and shares it.
  const closes = useFetch<ProgressResult>(`${base}/progress`, p.version);
  const ratios = useFetch<RatiosResult>(paths.ratios, p.version);
  const catalog = useFetch<Catalog>('/v1/classification', p.version);
  const firstScreenDone = useOnceTrue(settled(view, progress, closes, ratios));
  const scorecard = useFetch<ScorecardResult>(firstScreenDone ? paths.scorecard : null, p.version);
  const warningsPath = `/v1/departments/${enc(p.department)}/warnings${query({ asOf: p.asOf, knownAt: p.knownAt })}`;
  const warnings = useFetch<WarningsResult>(useOnceTrue(firstScreenDone && settled(scorecard)) ? warningsPath : null, p.version);
  return { view, progress, closes, ratios, scorecard, warnings, catalog, paths, firstScreenDone };
}
