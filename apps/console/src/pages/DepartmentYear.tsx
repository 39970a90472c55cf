import { useMemo, useState } from 'react';
import { enc, query } from '../api';
import { TimeControls } from '../components/TimeControls';
import { ViewExplorer } from '../components/ViewExplorer';
import { useSettings } from '../i18n';
import type { NameContext } from '../names';
import { BASE, Link, setSearch } from '../router';
import { Kpis } from './department-year/Kpis';
import { ProgressSection } from './department-year/ProgressSection';
import { RatiosSection } from './department-year/RatiosSection';
import { ScorecardSection } from './department-year/ScorecardSection';
import { useDepartmentYear } from './department-year/useDepartmentYear';
import { useLineNames } from './department-year/useLineNames';
import { WarningsSection } from './department-year/WarningsSection';

/** The department-year at a glance: headline figures, quarters, ratios, warnings, scorecard, the view. */
export function DepartmentYear(props: { department: string; year: number; search: URLSearchParams; version: number }) {
  const { t, lang } = useSettings();
  const { department, year, version } = props;
  const asOf = props.search.get('asOf') ?? `${year}-12-31`;
  const knownAt = props.search.get('knownAt') ?? undefined;
  const data = useDepartmentYear({ department, year, asOf, knownAt, version });
  // Line names only once a table shows lines: the warnings, or the view grouped by line.
  const [explorerShowsLines, setExplorerShowsLines] = useState(false);
  const lines = useLineNames(department, year, explorerShowsLines || (data.warnings.data?.rows.length ?? 0) > 0, version);
  const names: NameContext = useMemo(() => ({ catalog: data.catalog.data, lines, lang, t }), [data.catalog.data, lines, lang, t]);
  const failed = [data.view, data.progress, data.ratios, data.scorecard, data.warnings].find((r) => r.error)?.error;
  return (
    <main>
      <nav className="crumbs">
        <Link href={`${BASE}/`}>{t.departments}</Link> / <span>{department}</span> / <span>{year}</span>
      </nav>
      <h1>
        {department} · {year}
        <Link
          href={`${BASE}/departments/${enc(department)}/years/${year}/year-end${query({ knownAt })}`}
          className="button h1-link"
          testId="year-end-link"
        >
          {t.yearEnd} →
        </Link>
      </h1>
      <TimeControls asOf={asOf} knownAt={knownAt} year={year} closes={data.closes.data?.quarters ?? []} onChange={(p) => setSearch(p)} />
      <Kpis view={data.view.data} asOf={asOf} />
      <ProgressSection progress={data.progress.data} path={data.paths.progress} />
      <div className="two">
        <RatiosSection ratios={data.ratios.data} path={data.paths.ratios} />
        <WarningsSection warnings={data.warnings.data} asOf={asOf} knownAt={knownAt} names={names} />
      </div>
      <ScorecardSection scorecard={data.scorecard.data} path={data.paths.scorecard} />
      <ViewExplorer
        department={department}
        year={year}
        asOf={asOf}
        knownAt={knownAt}
        names={names}
        version={version}
        onShowsLines={setExplorerShowsLines}
      />
      {failed && <p className="error">{failed.message}</p>}
    </main>
  );
}
