import type { JsonObject } from './json';
import type { Fen } from './money';

/**
 * The event types of DESIGN.md §3. These strings are a public contract (files, Kafka, the
 * HTTP API): they are written out here, never derived from class names.
 */
export const EVENT_TYPES = [
  'BudgetLineOpened',
  'InitialBudgetApproved',
  'BudgetAdjusted',
  'BudgetTransferred',
  'PaymentRecorded',
  'PaymentReversed',
  'PeriodClosed',
  // DESIGN.md §11 (decision 0014).
  'SpendingPlanSet',
  'CommitmentMade',
  'CommitmentReleased',
  'YearClosed',
  'BalanceCarriedForward',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type LineKind = 'basic' | 'project';
export type Quarter = 'Q1' | 'Q2' | 'Q3' | 'Q4';

/** Well-known tags of DESIGN.md §3; other tags are allowed. */
export const KNOWN_TAGS = {
  /** 政府采购 */
  procurement: 'procurement',
  /** 三公经费 */
  threeCosts: 'three-costs',
  /** 日常公用经费 */
  dailyPublic: 'daily-public',
} as const;

interface Envelope<T extends EventType, D> {
  /** Idempotency key: 1..128 characters of [A-Za-z0-9._:-]. */
  readonly eventId: string;
  readonly type: T;
  /** Business date (valid time), 'YYYY-MM-DD', a calendar day in Asia/Shanghai. */
  readonly effectiveDate: string;
  /** A correction may be dated inside a closed period; it shows as a restatement. */
  readonly correction: boolean;
  readonly data: D;
  /** Kept verbatim (source, documentNo, actor, …). */
  readonly metadata: JsonObject | null;
}

export interface BudgetLineOpenedData {
  readonly lineId: string;
  readonly department: string;
  readonly fiscalYear: number;
  readonly name?: string;
  readonly unit?: string;
  readonly project?: string;
  /** 功能分类科目: 3, 5 or 7 digits. */
  readonly functionCode?: string;
  /** 经济分类科目: 3 or 5 digits. */
  readonly economicCode?: string;
  readonly fundingSource?: string;
  readonly kind: LineKind;
  readonly tags: readonly string[];
}

export interface AmountData {
  readonly lineId: string;
  readonly amountFen: Fen;
}

export interface BudgetTransferredData {
  readonly fromLineId: string;
  readonly toLineId: string;
  readonly amountFen: Fen;
  /** 增人增资正常调剂: excluded from the transfer ratio. */
  readonly routine: boolean;
}

export interface PaymentRecordedData {
  readonly lineId: string;
  readonly amountFen: Fen;
  readonly payee?: string;
  /** The commitment (CommitmentMade eventId) this payment consumes, by min(amount, what is left of it). */
  readonly commitmentEventId?: string;
}

export interface PaymentReversedData {
  readonly paymentEventId: string;
  readonly amountFen: Fen;
}

export interface PeriodClosedData {
  readonly department: string;
  readonly fiscalYear: number;
  readonly period: Quarter;
}

/** One checkpoint of a spending plan: the cumulative share ('0.2500', 4 decimals) due by a date. */
export interface PlanCheckpoint {
  readonly date: string;
  readonly share: string;
}

export interface SpendingPlanSetData {
  readonly lineId: string;
  /** Dates strictly increasing inside the line's fiscal year, shares non-decreasing, the last '1.0000'. */
  readonly checkpoints: readonly PlanCheckpoint[];
}

export interface CommitmentMadeData {
  readonly lineId: string;
  readonly amountFen: Fen;
  /** The contract or procurement reference. */
  readonly reference?: string;
}

export interface CommitmentReleasedData {
  readonly commitmentEventId: string;
  readonly amountFen: Fen;
}

export interface YearClosedData {
  readonly department: string;
  readonly fiscalYear: number;
}

export interface BalanceCarriedForwardData {
  readonly fromLineId: string;
  readonly toLineId: string;
  readonly amountFen: Fen;
}

/** 预算指标: open a budget line with its classifications. */
export type BudgetLineOpened = Envelope<'BudgetLineOpened', BudgetLineOpenedData>;
/** 年初预算: approve a line's initial budget. */
export type InitialBudgetApproved = Envelope<'InitialBudgetApproved', AmountData>;
/** 调整 (追加/追减): a signed budget adjustment. */
export type BudgetAdjusted = Envelope<'BudgetAdjusted', AmountData>;
/** 调剂: move budget between two lines of one department-year. */
export type BudgetTransferred = Envelope<'BudgetTransferred', BudgetTransferredData>;
/** 支付: a payment against a line. */
export type PaymentRecorded = Envelope<'PaymentRecorded', PaymentRecordedData>;
/** 支付冲销: reverse (part of) an earlier payment. */
export type PaymentReversed = Envelope<'PaymentReversed', PaymentReversedData>;
/** 季度结账: close a quarter of a department-year. */
export type PeriodClosed = Envelope<'PeriodClosed', PeriodClosedData>;

/** 资金支出计划: a line's cumulative spending plan, replacing its previous one from its effectiveDate on. */
export type SpendingPlanSet = Envelope<'SpendingPlanSet', SpendingPlanSetData>;
/** 预留/冻结: budget reserved for a signed contract or a procurement. */
export type CommitmentMade = Envelope<'CommitmentMade', CommitmentMadeData>;
/** 解除预留: (part of) a commitment released back to available. */
export type CommitmentReleased = Envelope<'CommitmentReleased', CommitmentReleasedData>;
/** 年结: close a department-year once its Q4 is closed; the ledger then carries project balances forward. */
export type YearClosed = Envelope<'YearClosed', YearClosedData>;
/** 结转: a project line's unspent balance moved to a line of the next year (written by the ledger at YearClosed). */
export type BalanceCarriedForward = Envelope<'BalanceCarriedForward', BalanceCarriedForwardData>;

export type LedgerEvent =
  | BudgetLineOpened
  | InitialBudgetApproved
  | BudgetAdjusted
  | BudgetTransferred
  | PaymentRecorded
  | PaymentReversed
  | PeriodClosed
  | SpendingPlanSet
  | CommitmentMade
  | CommitmentReleased
  | YearClosed
  | BalanceCarriedForward;

/** The fundingSource (资金来源) of the lines that receive a previous year's carried-forward balances. */
export const CARRIED_FORWARD_FUNDING_SOURCE = '上年结转';

/** The stream (unit of consistency) of a department-year. */
export function streamIdOf(department: string, fiscalYear: number): string {
  return `budget-${department}-${fiscalYear}`;
}
