import type { ScorecardResult } from '../../api';
import { DataTable } from '../../components/DataTable';
import { money, pct } from '../../format';
import { useSettings } from '../../i18n';

/** 部门整体支出绩效评分表 items the ledger derives, and the project self-evaluation table. */
export function ScorecardSection(props: { scorecard: ScorecardResult | undefined; path: string }) {
  const { t } = useSettings();
  const s = props.scorecard;
  return (
    <section className="card" data-testid="scorecard-section">
      <h2>
        {t.scorecard}
        {s && (
          <span className="badge">
            {s.points} / {s.maxPoints}
          </span>
        )}
      </h2>
      {s === undefined && <p className="muted">{t.loading}</p>}
      {s && (
        <>
          <DataTable
            testId="scorecard-table"
            columns={[
              {
                key: 'name',
                header: t.item,
                minEm: 10,
                grow: 2,
                render: (i) => (
                  <span title={i.note}>
                    {i.name}
                    {i.note ? ' *' : ''}
                  </span>
                ),
              },
              { key: 'value', header: t.value, numeric: true, minEm: 6, render: (i) => pct(i.value) },
              { key: 'band', header: t.band, minEm: 12, grow: 3, render: (i) => i.band ?? '' },
              { key: 'points', header: t.points, numeric: true, minEm: 4.5, render: (i) => i.points ?? '-' },
              { key: 'maxPoints', header: t.maxPoints, numeric: true, minEm: 4.5, render: (i) => i.maxPoints },
            ]}
            rows={s.items}
            rowKey={(i) => i.item}
            rowClass={(i) => (i.points !== null && i.points === '0.00' ? 'failed-row' : undefined)}
            download={{ path: props.path }}
          />
          <ProjectsTable projects={s.projects} />
        </>
      )}
    </section>
  );
}

function ProjectsTable(props: { projects: ScorecardResult['projects'] }) {
  const { t, unit } = useSettings();
  const fig = (v: string) => money(v, unit);
  return (
    <DataTable
      testId="projects-table"
      caption={t.projects}
      columns={[
        { key: 'project', header: t.project, minEm: 10, grow: 2, render: (p) => p.project },
        { key: 'initial', header: t.initial, numeric: true, render: (p) => fig(p.initial) },
        { key: 'adjusted', header: t.adjusted, numeric: true, render: (p) => fig(p.adjusted) },
        { key: 'executed', header: t.executed, numeric: true, render: (p) => fig(p.executed) },
        { key: 'executionRate', header: t.rate, numeric: true, minEm: 6, render: (p) => pct(p.executionRate) },
        { key: 'points', header: t.points, numeric: true, minEm: 4.5, render: (p) => p.points ?? '-' },
        ...(props.projects.some((p) => p.plan !== undefined && p.plan.length > 0)
          ? [{ key: 'plan', header: `${t.plan}（${t.planned} / ${t.actual}）`, minEm: 22, grow: 4, render: PlanCell }]
          : []),
      ]}
      rows={props.projects}
      rowKey={(p) => p.project}
    />
  );
}

/** "1.0000" → "100%", "0.8200" → "82%", "0.9636" → "96.36%": the plan cell's room is short. */
const shortPct = (ratio: string | null): string => pct(ratio).replace(/\.00%$/, '%');

/** Planned against actual 支出进度 at each checkpoint of the project's plan; a checkpoint missed in red. */
function PlanCell(p: ScorecardResult['projects'][number]) {
  return (
    <span>
      {(p.plan ?? []).map((c, i) => (
        <span key={c.date} className={c.met ? undefined : 'fail'} title={c.date}>
          {i > 0 ? ' · ' : ''}
          {c.date.slice(5)} {shortPct(c.planned)}/{shortPct(c.progress)}
        </span>
      ))}
    </span>
  );
}
