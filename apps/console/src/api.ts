/** The ledger's JSON, fetched from the same origin with the session cookie (DESIGN.md §8). */
export class Unauthorized extends Error {}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const signInListeners = new Set<Listener>();
export function onSignInNeeded(listener: Listener): () => void {
  signInListeners.add(listener);
  return () => signInListeners.delete(listener);
}

/**
 * Requests in flight, by path: two parts of a page asking for the same report (the headline
 * figures and the view table's first level, the progress table and its cutoff shortcuts) share
 * one request. Only while it runs: a later call fetches afresh.
 */
const inFlight = new Map<string, Promise<unknown>>();

export function getJson<T>(path: string): Promise<T> {
  const running = inFlight.get(path);
  if (running !== undefined) return running as Promise<T>;
  const request = fetchJson<T>(path).finally(() => inFlight.delete(path));
  inFlight.set(path, request);
  return request;
}

async function fetchJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.status === 401) {
    signInListeners.forEach((l) => l());
    throw new Unauthorized('sign in needed');
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
    throw new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.detail ?? res.statusText);
  }
  return (await res.json()) as T;
}

/** POST /v1/session {key}: the API sets an HttpOnly cookie that later fetches carry. */
export async function signIn(key: string): Promise<boolean> {
  const res = await fetch('/v1/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key }),
  });
  return res.ok;
}

export function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export const enc = encodeURIComponent;

/** One spelling of a view's URL, so that equal requests are equal strings (and shared). */
export function viewPath(p: { department: string; year: number; asOf: string; knownAt?: string; groupBy?: string }): string {
  return `/v1/departments/${enc(p.department)}/view${query({ asOf: p.asOf, knownAt: p.knownAt, year: String(p.year), groupBy: p.groupBy })}`;
}

export interface Figures {
  initial: string;
  adjustments: string;
  transfersIn: string;
  transfersOut: string;
  adjusted: string;
  executed: string;
  /** 已预留: open commitments (decision 0014); available = adjusted − executed − committed. */
  committed?: string;
  /** 上年结转 received from the previous year's closing (part of adjusted). */
  broughtForward?: string;
  /** 结转下年: carried to the next year when this year was closed. */
  carriedForward?: string;
  available: string;
  executionRate: string | null;
}
export interface ViewResult {
  department: string;
  fiscalYear: number;
  asOf: string;
  knownAt: string;
  groupBy: string[];
  rows: (Figures & { key: Record<string, string | null> })[];
  total: Figures;
}
export interface Snapshot {
  executed: string;
  adjusted: string;
  progress: string | null;
  quarterRate: string | null;
}
export interface Quarter {
  period: string;
  date: string;
  executed: string;
  adjusted: string;
  progress: string | null;
  schedule: string;
  quarterRate: string | null;
  quarterScore: string | null;
  closed: boolean;
  reported?: Snapshot & { knownAt: string };
  restated?: Snapshot;
  difference?: Snapshot;
}
export interface ProgressResult {
  department: string;
  fiscalYear: number;
  knownAt: string;
  quarters: Quarter[];
  averageRate: string | null;
  averageScore: string | null;
  totalScore: string | null;
}
export interface RatiosResult {
  asOf: string;
  knownAt: string;
  initial: string;
  adjusted: string;
  adjustmentAmount: string;
  adjustmentRatio: string | null;
  transferAmount: string;
  routineTransferAmount: string;
  transferRatio: string | null;
  checks: { rule: string; value: string | null; threshold: string; passed: boolean; points: string }[];
}
export interface ScorecardResult {
  items: { item: string; name: string; value: string | null; band?: string; points: string | null; maxPoints: string; note?: string }[];
  points: string;
  maxPoints: string;
  projects: {
    project: string;
    initial: string;
    adjusted: string;
    executed: string;
    executionRate: string | null;
    points: string | null;
    maxPoints: string;
    /** The project's spending plan: planned against actual 支出进度 at each checkpoint. */
    plan?: { date: string; planned: string; progress: string | null; met: boolean }[];
  }[];
}
export interface WarningsResult {
  asOf: string;
  by: string;
  margin: string;
  rows: {
    key: string;
    executed: string;
    adjusted: string;
    progress: string | null;
    expected: string | null;
    lag: string | null;
    projectedExecuted: string | null;
    projectedRate: string | null;
    flagged: boolean;
    /** Judged against the line's own spending plan, or the common 序时进度. */
    plan?: 'own' | 'common';
  }[];
  flagged: unknown[];
}
export interface TraceEntry {
  position: string;
  eventId: string;
  type: string;
  effectiveDate: string;
  recordedAt: string;
  correction: boolean;
  recordedBy?: string | null;
  metadata: Record<string, unknown> | null;
  /** The commitment a payment consumes or a release releases. */
  commitmentEventId?: string | null;
  delta: {
    initial: string;
    adjustments: string;
    transfersIn: string;
    transfersOut: string;
    executed: string;
    committed?: string;
    broughtForward?: string;
    carriedForward?: string;
  };
  running: { initial: string; adjusted: string; executed: string; committed?: string; available?: string };
}
export interface TraceCommitment {
  eventId: string;
  reference: string | null;
  effectiveDate: string;
  amount: string;
  released: string;
  consumed: string;
  left: string;
}
export interface PlanCheckpoint {
  date: string;
  share: string;
}
export interface TracePlan {
  position: string;
  eventId: string;
  effectiveDate: string;
  recordedAt: string;
  checkpoints: PlanCheckpoint[];
}
export interface TraceResult {
  lineId: string;
  asOf: string;
  knownAt: string;
  entries: TraceEntry[];
  totals: {
    initial: string;
    adjusted: string;
    executed: string;
    available: string;
    committed?: string;
    broughtForward?: string;
    carriedForward?: string;
  };
  commitments?: TraceCommitment[];
  plans?: TracePlan[];
  limit: number;
  /** The `after` of the next page; null on the last. */
  nextAfter: string | null;
}
export interface LineRow {
  lineId: string;
  name: string | null;
  unit: string | null;
  project: string | null;
  functionCode: string | null;
  economicCode: string | null;
  fundingSource: string | null;
  kind: string;
  tags: string[];
}
export interface Catalog {
  functionCodes: Record<string, string>;
  economicCodes: Record<string, string>;
  kinds: Record<string, { zh: string; en: string }>;
  tags: Record<string, { zh: string; en: string }>;
}
export interface DepartmentsResult {
  departments: { department: string; years: { fiscalYear: number; lines: number }[] }[];
}
export interface VerifyReport {
  ok: boolean;
  events: number;
  firstBrokenPosition?: string | null;
  reason?: string | null;
}
export interface EventResult {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
}
export interface YearEndLine {
  lineId: string;
  name: string | null;
  kind: string;
  project: string | null;
  fundingSource: string | null;
  adjusted: string;
  executed: string;
  committed: string;
  available: string;
  carriedForward: string;
  lapsed: string;
  toLineId: string | null;
}
export interface NextYearLine {
  lineId: string;
  name: string | null;
  project: string | null;
  fromLineIds: string[];
  initial: string;
  broughtForward: string;
  adjusted: string;
}
/** GET /v1/departments/{d}/years/{y}/year-end (decision 0014): 结转 and 结余, closed or if closed now. */
export interface YearEndResult {
  department: string;
  fiscalYear: number;
  knownAt: string;
  closed: boolean;
  closedAt: string | null;
  yearClosedEventId: string | null;
  lines: YearEndLine[];
  totals: { adjusted: string; executed: string; committed: string; available: string; carriedForward: string; lapsed: string };
  nextYear: {
    fiscalYear: number;
    lines: NextYearLine[];
    totals: { initial: string; broughtForward: string; adjusted: string };
  };
}
