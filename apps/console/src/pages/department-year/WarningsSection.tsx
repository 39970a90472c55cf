import { useMemo } from 'react';
import { enc, query, type WarningsResult } from '../../api';
import { DataTable } from '../../components/DataTable';
import { pct } from '../../format';
import { useSettings } from '../../i18n';
import { labelOf, type NameContext } from '../../names';
import { BASE, Link } from '../../router';

/** Lines whose 支出进度 lags 序时进度: the flagged ones first, in red, each a link to its history. */
export function WarningsSection(props: { warnings: WarningsResult | undefined; asOf: string; knownAt?: string; names: NameContext }) {
  const { t } = useSettings();
  const { asOf, knownAt, names } = props;
  const rows = useMemo(() => [...(props.warnings?.rows ?? [])].sort((a, b) => Number(b.flagged) - Number(a.flagged)), [props.warnings]);
  return (
    <section className="card" data-testid="warnings-section">
      <h2>
        {t.warnings}
        {props.warnings && props.warnings.flagged.length > 0 && <span className="badge warn">{props.warnings.flagged.length}</span>}
      </h2>
      {props.warnings === undefined && <p className="muted">{t.loading}</p>}
      {props.warnings && rows.length === 0 && <p className="muted">{t.noWarnings}</p>}
      {rows.length > 0 && (
        <DataTable
          testId="warnings-table"
          columns={[
            {
              key: 'key',
              header: t.line,
              minEm: 11,
              grow: 3,
              render: (r) => <Link href={`${BASE}/lines/${enc(r.key)}${query({ asOf, knownAt })}`}>{labelOf('line', r.key, names)}</Link>,
            },
            { key: 'progress', header: t.progress, numeric: true, minEm: 6, render: (r) => pct(r.progress) },
            { key: 'expected', header: t.expected, numeric: true, minEm: 6, render: (r) => pct(r.expected) },
            // Against the line's own spending plan, or the common 序时进度 (decision 0014).
            {
              key: 'plan',
              header: t.judgedBy,
              minEm: 6.5,
              grow: 0,
              render: (r) => (r.plan === 'own' ? t.planOwn : t.planCommon),
            },
            { key: 'lag', header: t.lag, numeric: true, minEm: 6, render: (r) => pct(r.lag) },
            { key: 'projectedRate', header: t.projected, numeric: true, minEm: 6.5, render: (r) => pct(r.projectedRate) },
          ]}
          rows={rows}
          rowKey={(r) => r.key}
          rowClass={(r) => (r.flagged ? 'failed-row' : undefined)}
        />
      )}
    </section>
  );
}
