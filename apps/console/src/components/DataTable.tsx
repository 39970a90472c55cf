import { useRef, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useSettings } from '../i18n';

export interface Column<R> {
  key: string;
  header: ReactNode;
  render: (row: R) => ReactNode;
  /** Figures align right, as in published tables. */
  numeric?: boolean;
  /** The narrowest the column gets, in em (default 8.5 for figures, 8 for text). */
  minEm?: number;
  /** Its share of the room left over (CSS fr; default 1 for figures, 2 for text; 0 keeps it at minEm). */
  grow?: number;
}

export interface Download {
  /** API path without format=; the button adds format=csv or format=xlsx. */
  path: string;
}

export interface DataTableProps<R> {
  testId: string;
  columns: Column<R>[];
  rows: R[];
  rowKey: (row: R, index: number) => string;
  rowClass?: (row: R) => string | undefined;
  footer?: ReactNode[];
  download?: Download;
  caption?: ReactNode;
  maxBodyHeightPx?: number;
}

const ROW_HEIGHT_PX = 30;
const DEFAULT_MAX_BODY_HEIGHT_PX = 520;

/** The grid's columns, and the width below which it scrolls sideways instead of squeezing them. */
function layoutOf<R>(columns: Column<R>[]): { template: string; minWidth: string } {
  const widths = columns.map((c) => ({ min: c.minEm ?? (c.numeric ? 8.5 : 8), grow: c.grow ?? (c.numeric ? 1 : 2) }));
  return {
    template: widths.map((w) => (w.grow === 0 ? `${w.min}em` : `minmax(${w.min}em, ${w.grow}fr)`)).join(' '),
    minWidth: `${widths.reduce((s, w) => s + w.min, 0)}em`,
  };
}

/**
 * A table whose body is virtualized: only the rows in view are in the DOM, so a department with
 * 10,000 lines scrolls as fast as one with ten. Rows are CSS grid rows of a fixed height. Header,
 * body and footer share one sideways scroll, so that a narrow screen scrolls the table, never clips it.
 */
export function DataTable<R>(props: DataTableProps<R>) {
  const { t } = useSettings();
  const { template, minWidth } = layoutOf(props.columns);
  const scrolls = props.rows.length * ROW_HEIGHT_PX > (props.maxBodyHeightPx ?? DEFAULT_MAX_BODY_HEIGHT_PX);
  return (
    <div className="table" data-testid={props.testId}>
      {(props.caption !== undefined || props.download !== undefined) && (
        <div className="table-bar">
          <div className="table-caption">{props.caption}</div>
          {props.download !== undefined && <DownloadButtons path={props.download.path} label={t.download} testId={props.testId} />}
        </div>
      )}
      <div className="grid-scroll">
        <div className={scrolls ? 'grid-inner scrolls' : 'grid-inner'} style={{ minWidth }}>
          <div className="grid-row grid-head" style={{ gridTemplateColumns: template }} role="row">
            {props.columns.map((c) => (
              <div key={c.key} className={c.numeric ? 'cell num' : 'cell'} role="columnheader" data-col={c.key}>
                {c.header}
              </div>
            ))}
          </div>
          <VirtualRows {...props} template={template} />
          {props.footer !== undefined && (
            <div className="grid-row grid-foot" style={{ gridTemplateColumns: template }} role="row" data-row="total">
              {props.footer.map((f, i) => (
                <div key={i} className={i === 0 ? 'cell' : 'cell num'} role="cell" data-col={props.columns[i]?.key}>
                  {f}
                </div>
              ))}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

/** The rows in view (and a few around them), absolutely placed in a body as tall as all of them. */
function VirtualRows<R>(props: DataTableProps<R> & { template: string }) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: props.rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT_PX,
    overscan: 12,
  });
  const bodyHeight = Math.min(props.maxBodyHeightPx ?? DEFAULT_MAX_BODY_HEIGHT_PX, props.rows.length * ROW_HEIGHT_PX);
  return (
    <div ref={scroller} className="grid-body" style={{ height: bodyHeight }}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = props.rows[item.index] as R;
          const key = props.rowKey(row, item.index);
          return (
            <div
              key={key}
              className={`grid-row ${props.rowClass?.(row) ?? ''}`}
              role="row"
              data-row={key}
              style={{ gridTemplateColumns: props.template, height: ROW_HEIGHT_PX, transform: `translateY(${item.start}px)` }}
            >
              {props.columns.map((c) => (
                <div key={c.key} className={c.numeric ? 'cell num' : 'cell'} role="cell" data-col={c.key}>
                  {c.render(row)}
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}

export function DownloadButtons(props: { path: string; label: string; testId: string }) {
  const sep = props.path.includes('?') ? '&' : '?';
  return (
    <span className="downloads">
      {props.label}
      <a className="button" href={`${props.path}${sep}format=csv`} download data-testid={`${props.testId}-csv`}>
        CSV
      </a>
      <a className="button" href={`${props.path}${sep}format=xlsx`} download data-testid={`${props.testId}-xlsx`}>
        XLSX
      </a>
    </span>
  );
}
