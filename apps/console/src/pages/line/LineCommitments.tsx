import type { TraceCommitment } from '../../api';
import { DataTable } from '../../components/DataTable';
import { money } from '../../format';
import { useSettings } from '../../i18n';

/** The line's commitments (预留) as of the page's cut: what each reserved, what was released and paid, what is left reserved. */
export function LineCommitments(props: { commitments: TraceCommitment[] }) {
  const { t, unit } = useSettings();
  const fig = (v: string) => money(v, unit);
  return (
    <section className="card" data-testid="commitments-section">
      <h2>{t.commitments}</h2>
      {props.commitments.length === 0 ? (
        <p className="muted">{t.noCommitments}</p>
      ) : (
        <DataTable
          testId="commitments-table"
          columns={[
            { key: 'eventId', header: 'eventId', minEm: 11, grow: 1, render: (c) => c.eventId },
            { key: 'reference', header: t.reference, minEm: 12, grow: 3, render: (c) => c.reference ?? '' },
            { key: 'effectiveDate', header: t.effectiveDate, minEm: 7, grow: 0, render: (c) => c.effectiveDate },
            { key: 'amount', header: t.amount, numeric: true, render: (c) => fig(c.amount) },
            { key: 'released', header: t.released, numeric: true, render: (c) => fig(c.released) },
            { key: 'consumed', header: t.consumed, numeric: true, render: (c) => fig(c.consumed) },
            { key: 'left', header: t.left, numeric: true, render: (c) => fig(c.left) },
          ]}
          rows={props.commitments}
          rowKey={(c) => c.eventId}
        />
      )}
    </section>
  );
}
