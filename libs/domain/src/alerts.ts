import type { ThresholdCheck } from './calculations';

/**
 * Alert events are recorded by the ledger itself (never accepted from outside: parseEvent does
 * not know the type) when an append makes a department-year cross a threshold. They move no
 * figure; projections skip them; the publisher sends them to the alerts topic.
 */
export const THRESHOLD_CROSSED = 'ThresholdCrossed';

/** The figures that crossed: all amounts yuan strings, the check as computed after the append. */
export interface ThresholdCrossedData {
  readonly department: string;
  readonly fiscalYear: number;
  readonly rule: string;
  readonly value: string | null;
  readonly threshold: string;
  readonly points: string;
  readonly previousValue: string | null;
  readonly initial: string;
  readonly adjustmentAmount: string;
  readonly transferAmount: string;
  /** The event whose append made the check fail. */
  readonly triggeredBy: string;
}

/** A crossing is a check that passed before the append and fails after it. */
export function crossed(before: ThresholdCheck, after: ThresholdCheck): boolean {
  return before.passed && !after.passed;
}

/** Deterministic id, so that a retried append cannot record the same crossing twice. */
export function thresholdCrossedEventId(rule: string, triggeredBy: string): string {
  return `alert:${rule}:${triggeredBy}`.slice(0, 128);
}
