import type { RatiosResult } from '../../api';
import { DataTable } from '../../components/DataTable';
import { money, pct } from '../../format';
import { useSettings } from '../../i18n';

/** Adjustment and transfer ratios with every threshold check; a failed check stands out. */
export function RatiosSection(props: { ratios: RatiosResult | undefined; path: string }) {
  const { t, unit } = useSettings();
  const r = props.ratios;
  const fig = (v: string) => money(v, unit);
  return (
    <section className="card" data-testid="ratios-section">
      <h2>{t.ratios}</h2>
      {r && (
        <>
          <dl className="figures">
            <Fig label={t.initial} value={fig(r.initial)} />
            <Fig label={t.adjusted} value={fig(r.adjusted)} />
            <Fig label={t.adjustmentAmount} value={fig(r.adjustmentAmount)} />
            <Fig label={t.adjustmentRatio} value={pct(r.adjustmentRatio)} testId="adjustment-ratio" />
            <Fig label={t.transferAmount} value={fig(r.transferAmount)} />
            <Fig label={t.routineTransferAmount} value={fig(r.routineTransferAmount)} />
            <Fig label={t.transferRatio} value={pct(r.transferRatio)} testId="transfer-ratio" />
          </dl>
          <DataTable
            testId="checks-table"
            caption={t.checks}
            columns={[
              { key: 'rule', header: t.rule, minEm: 12, grow: 3, render: (c) => c.rule },
              { key: 'value', header: t.value, numeric: true, minEm: 6, render: (c) => pct(c.value) },
              { key: 'threshold', header: t.threshold, numeric: true, minEm: 6, render: (c) => pct(c.threshold) },
              {
                key: 'passed',
                header: '',
                minEm: 5,
                grow: 1,
                render: (c) => <span className={c.passed ? 'pass' : 'flag fail'}>{c.passed ? t.passed : t.failed}</span>,
              },
              { key: 'points', header: t.points, numeric: true, minEm: 4.5, render: (c) => c.points },
            ]}
            rows={r.checks}
            rowKey={(c) => c.rule}
            rowClass={(c) => (c.passed ? undefined : 'failed-row')}
            download={{ path: props.path }}
          />
        </>
      )}
    </section>
  );
}

function Fig(props: { label: string; value: string; testId?: string }) {
  return (
    <div data-testid={props.testId}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}
