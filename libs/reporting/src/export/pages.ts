import type { TraceResult } from '../trace';

/**
 * Reads the page of a paged report that follows `after`, at the first page's asOf and knownAt:
 * pinned there, every page reads the same history (an entry recorded while the export runs does
 * not slip in between two pages, and the running totals continue from page to page).
 */
export type NextPage<R> = (page: { readonly after: string; readonly asOf: string; readonly knownAt: string }) => Promise<R>;

const NEXT_PAGE = Symbol('ledger.export.nextPage');

/**
 * The first page of a trace, with how to read the pages after it. JSON answers the page alone (the
 * reader is a symbol, which JSON leaves out); CSV and XLSX hold every entry from there on.
 */
export function withNextPages(first: TraceResult, next: NextPage<TraceResult>): TraceResult {
  Object.defineProperty(first, NEXT_PAGE, { value: next, enumerable: false });
  return first;
}

export function nextPagesOf(result: TraceResult): NextPage<TraceResult> | undefined {
  return (result as TraceResult & { [NEXT_PAGE]?: NextPage<TraceResult> })[NEXT_PAGE];
}

/** Every page of the trace from `first` on, read one at a time. */
export async function* pagesFrom(first: TraceResult, next: NextPage<TraceResult> | undefined): AsyncGenerator<TraceResult> {
  let page = first;
  yield page;
  while (page.nextAfter !== null && next !== undefined) {
    page = await next({ after: page.nextAfter, asOf: first.asOf, knownAt: first.knownAt });
    yield page;
  }
}
