import { useRef, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useSettings } from '../i18n';

export interface Column<R> {
  key: string;
  header: ReactNode;
  render: (row: R) => ReactNode;
  /** Figures align right, as in published tables. */
  numeric?: boolean;
  width?: string;
}

export interface Download {
  /** API path without format=; the button adds format=csv or format=xlsx. */
  path: string;
}

const ROW_HEIGHT_PX = 30;
const DEFAULT_MAX_BODY_HEIGHT_PX = 520;

/**
 * A table whose body is virtualized: only the rows in view are in the DOM, so a department with
 * 10,000 lines scrolls as fast as one with ten. Rows are CSS grid rows of a fixed height.
 */
export function DataTable<R>(props: {
  testId: string;
  columns: Column<R>[];
  rows: R[];
  rowKey: (row: R, index: number) => string;
  rowClass?: (row: R) => string | undefined;
  footer?: ReactNode[];
  download?: Download;
  caption?: ReactNode;
  maxBodyHeightPx?: number;
}) {
  const { t } = useSettings();
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: props.rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT_PX,
    overscan: 12,
  });
  const template = props.columns.map((c) => c.width ?? (c.numeric ? 'minmax(9.5em, 1fr)' : 'minmax(8em, 2fr)')).join(' ');
  const bodyHeight = Math.min(props.maxBodyHeightPx ?? DEFAULT_MAX_BODY_HEIGHT_PX, props.rows.length * ROW_HEIGHT_PX);
  const items = virtualizer.getVirtualItems();
  return (
    <div className="table" data-testid={props.testId}>
      {(props.caption !== undefined || props.download !== undefined) && (
        <div className="table-bar">
          <div className="table-caption">{props.caption}</div>
          {props.download !== undefined && <DownloadButtons path={props.download.path} label={t.download} testId={props.testId} />}
        </div>
      )}
      <div className="grid-scroll">
        <div className="grid-row grid-head" style={{ gridTemplateColumns: template }} role="row">
          {props.columns.map((c) => (
            <div key={c.key} className={c.numeric ? 'cell num' : 'cell'} role="columnheader">
              {c.header}
            </div>
          ))}
        </div>
        <div ref={scroller} className="grid-body" style={{ height: bodyHeight, overflowY: 'auto' }}>
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const row = props.rows[item.index] as R;
              return (
                <div
                  key={props.rowKey(row, item.index)}
                  className={`grid-row ${props.rowClass?.(row) ?? ''}`}
                  role="row"
                  data-row={props.rowKey(row, item.index)}
                  style={{
                    gridTemplateColumns: template,
                    position: 'absolute',
                    top: 0,
                    left: 0,
                    right: 0,
                    height: ROW_HEIGHT_PX,
                    transform: `translateY(${item.start}px)`,
                  }}
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
