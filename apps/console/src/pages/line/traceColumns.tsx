import type { TraceEntry } from '../../api';
import type { Column } from '../../components/DataTable';
import { dateTime, money, type Unit } from '../../format';
import type { Labels } from '../../i18n';

const DELTA_FIELDS = [
  'initial',
  'adjustments',
  'transfersIn',
  'transfersOut',
  'broughtForward',
  'executed',
  'committed',
  'carriedForward',
] as const;

/**
 * An event the ledger wrote itself when the year was closed (decision 0014): the 结转 balances
 * (`<yearClosedId>:cf:<n>`) and the 上年结转 lines it opened (`<yearClosedId>:open:<n>`).
 */
export const isDerived = (e: TraceEntry): boolean =>
  (e.type === 'BalanceCarriedForward' && /:cf:\d+$/.test(e.eventId)) || (e.type === 'BudgetLineOpened' && /:open:\d+$/.test(e.eventId));

/** The trace table's columns: when, what, which document, the change and the running totals. */
export function traceColumns(t: Labels, unit: Unit, entries: TraceEntry[], restates: (e: TraceEntry) => boolean): Column<TraceEntry>[] {
  const fig = (v: string) => money(v, unit);
  return [
    { key: 'position', header: t.position, minEm: 6.5, grow: 0, render: (e) => e.position },
    { key: 'effectiveDate', header: t.effectiveDate, minEm: 7, grow: 0, render: (e) => e.effectiveDate },
    {
      key: 'recordedAt',
      header: t.recordedAt,
      minEm: 12.5,
      grow: 0,
      render: (e) => <span title={e.recordedAt}>{dateTime(e.recordedAt)}</span>,
    },
    {
      key: 'type',
      header: t.type,
      minEm: 11,
      grow: 2,
      render: (e) => (
        <span>
          {t.types[e.type] ?? e.type}
          {e.correction && <span className="flag fail"> {t.correction}</span>}
          {restates(e) && <span className="flag restated"> {t.restatement}</span>}
          {isDerived(e) && <span className="flag derived"> {t.derived}</span>}
          {e.type === 'PaymentRecorded' && e.commitmentEventId && (
            <span className="muted" title={e.commitmentEventId}>
              {' '}
              {t.consumes}
            </span>
          )}
        </span>
      ),
    },
    {
      key: 'document',
      header: t.document,
      minEm: 9,
      grow: 1.5,
      render: (e) => <span title={e.eventId}>{typeof e.metadata?.documentNo === 'string' ? e.metadata.documentNo : ''}</span>,
    },
    {
      key: 'delta',
      header: t.delta,
      minEm: 12,
      grow: 2,
      render: (e) => {
        const text = DELTA_FIELDS.map((f) => [f, e.delta[f] ?? '0.00'] as const)
          .filter(([, v]) => v !== '0.00')
          .map(([f, v]) => `${t[f]} ${v.startsWith('-') ? '' : '+'}${fig(v)}`)
          .join('；');
        return <span title={text}>{text}</span>;
      },
    },
    { key: 'runningInitial', header: `${t.initial}（${t.running}）`, numeric: true, render: (e) => fig(e.running.initial) },
    { key: 'runningAdjusted', header: `${t.adjusted}（${t.running}）`, numeric: true, render: (e) => fig(e.running.adjusted) },
    { key: 'runningExecuted', header: `${t.executed}（${t.running}）`, numeric: true, render: (e) => fig(e.running.executed) },
    // Who recorded each event, once the API keeps it (DESIGN.md §8); no empty column before that.
    ...(entries.some((e) => e.recordedBy !== undefined && e.recordedBy !== null)
      ? [{ key: 'recordedBy', header: t.recordedBy, minEm: 8, grow: 0, render: (e: TraceEntry) => e.recordedBy ?? '' }]
      : []),
  ];
}
