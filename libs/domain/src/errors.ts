/**
 * Stable codes of every refusal. They are a public contract: HTTP problem+json `code`, CLI
 * `rejected[].error`, Kafka dead-letter `reason.code`. Add codes; never rename one.
 */
export const ERROR_CODES = [
  // The input's form (validation).
  'INVALID_JSON',
  'INVALID_EVENT',
  'UNKNOWN_EVENT_TYPE',
  'LINE_TOO_LONG',
  'EVENT_TOO_LARGE',
  // Idempotency.
  'EVENT_ID_CONFLICT',
  // Budget rules.
  'LINE_NOT_FOUND',
  'LINE_ALREADY_OPENED',
  'LINE_OVERDRAWN',
  'TRANSFER_EXCEEDS_AVAILABLE',
  'TRANSFER_OUTSIDE_DEPARTMENT_YEAR',
  'ADJUSTMENT_BELOW_EXECUTED',
  'PAYMENT_NOT_FOUND',
  'REVERSAL_EXCEEDS_PAYMENT',
  'PERIOD_CLOSED',
  'PERIOD_ALREADY_CLOSED',
  'PERIOD_OUT_OF_ORDER',
  'OUTSIDE_FISCAL_YEAR',
  'DEPARTMENT_YEAR_NOT_FOUND',
  'PERIOD_NOT_ENDED',
  // Plans, commitments and the year end (DESIGN.md §11, decision 0014).
  'PLAN_OUTSIDE_FISCAL_YEAR',
  'COMMITMENT_EXCEEDS_AVAILABLE',
  'COMMITMENT_NOT_FOUND',
  'COMMITMENT_OF_OTHER_LINE',
  'RELEASE_EXCEEDS_COMMITMENT',
  'QUARTER_NOT_CLOSED',
  'YEAR_ALREADY_CLOSED',
  'YEAR_CLOSED',
  'DERIVED_EVENT_ONLY',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * A refusal of one event: a business rule or a malformed field. The message names the event and
 * the field: `event pay-1: data.amount: must be a decimal string with at most 2 decimals`.
 */
export class LedgerError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** Path of the offending field, e.g. 'data.amount', 'effectiveDate'; undefined when the whole event is at fault. */
    readonly field: string | undefined,
    /** The reason alone, without the event and field prefix. */
    readonly reason: string,
    readonly eventId?: string,
  ) {
    super(describe(eventId, field, reason));
    this.name = 'LedgerError';
  }

  /** The same refusal attributed to an event (validation learns the eventId late). */
  forEvent(eventId: string | undefined): LedgerError {
    return new LedgerError(this.code, this.field, this.reason, eventId);
  }
}

function describe(eventId: string | undefined, field: string | undefined, reason: string): string {
  const subject = eventId === undefined ? 'event' : `event ${eventId}`;
  return field === undefined ? `${subject}: ${reason}` : `${subject}: ${field}: ${reason}`;
}
