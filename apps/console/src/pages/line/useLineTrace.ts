import { useState } from 'react';
import { enc, getJson, query, type EventResult, type ProgressResult, type TraceEntry, type TraceResult } from '../../api';
import { useFetch, type Loaded } from '../../useFetch';
import { isDerived } from './traceColumns';

export interface LineTrace {
  trace: Loaded<TraceResult>;
  /** The entries of every page read so far. */
  entries: TraceEntry[];
  /** Reads the next page (the API gives 1,000 entries a page); undefined on the last. */
  loadMore?: () => void;
  department?: string;
  year?: string;
  name: string;
  /** Whether an entry was recorded after the close of a quarter it is dated in: a restatement. */
  restates: (e: TraceEntry) => boolean;
}

/**
 * A line's history, page by page, and what the page needs around it: the opening event names the
 * department-year, whose quarter closes tell which entries restate a closed quarter.
 */
export function useLineTrace(lineId: string, asOf: string | undefined, knownAt: string | undefined, version: number): LineTrace {
  const trace = useFetch<TraceResult>(`/v1/lines/${enc(lineId)}/trace${query({ asOf, knownAt })}`, version);
  const { entries, loadMore } = useTracePages(lineId, trace.data);
  const opening = useFetch<EventResult>(trace.data?.entries[0] ? `/v1/events/${enc(trace.data.entries[0].eventId)}` : null, version);
  const department = typeof opening.data?.data.department === 'string' ? opening.data.data.department : undefined;
  const fiscalYear = opening.data?.data.fiscalYear;
  const year = typeof fiscalYear === 'number' || typeof fiscalYear === 'string' ? String(fiscalYear) : undefined;
  const progress = useFetch<ProgressResult>(
    department && year ? `/v1/departments/${enc(department)}/years/${year}/progress` : null,
    version,
  );
  const closes = (progress.data?.quarters ?? []).filter((q) => q.closed && q.reported !== undefined);
  // The ledger's own year-end entries come after the Q4 close by design: they restate nothing.
  const restates = (e: TraceEntry) =>
    !isDerived(e) && closes.some((q) => e.effectiveDate <= q.date && e.recordedAt > (q.reported?.knownAt ?? ''));
  const name = typeof opening.data?.data.name === 'string' ? opening.data.data.name : '';
  return { trace, entries, loadMore, department, year, name, restates };
}

/**
 * The first page and those read after it. Later pages are read at the first page's asOf and
 * knownAt, so that their running totals continue the first page's and no entry recorded since
 * slips in between.
 */
function useTracePages(lineId: string, first: TraceResult | undefined): { entries: TraceEntry[]; loadMore?: () => void } {
  const [more, setMore] = useState<{ first?: TraceResult; pages: TraceResult[] }>({ pages: [] });
  const pages = more.first === first ? more.pages : [];
  const last = pages.at(-1) ?? first;
  const entries = first === undefined ? [] : [first, ...pages].flatMap((p) => p.entries);
  if (first === undefined || last?.nextAfter === null || last?.nextAfter === undefined) return { entries };
  const next = `/v1/lines/${enc(lineId)}/trace${query({ asOf: first.asOf, knownAt: first.knownAt, after: last.nextAfter })}`;
  const loadMore = () =>
    void getJson<TraceResult>(next).then((page) => setMore((m) => ({ first, pages: [...(m.first === first ? m.pages : []), page] })));
  return { entries, loadMore };
}
