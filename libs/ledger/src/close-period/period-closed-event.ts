import { createHash } from 'node:crypto';
import { parseEvent, quarterEndMonthDay, type LedgerEvent, type Quarter } from '@ledger/domain';

/** Someone closing a quarter (季度结账): `ledger close-period` or POST …/periods/{period}/close. */
export interface ClosePeriodRequest {
  readonly department: string;
  /** The fiscal year as given ('2021'); the event's own checks judge it. */
  readonly year: string;
  readonly period: Quarter;
  /** Where the request came from, kept in the event's metadata: 'cli' or 'http'. */
  readonly source: string;
  /** Who asked, kept in the event's metadata. */
  readonly actor: string;
  /** The instant of the request, in milliseconds since the epoch. */
  readonly nowMs: number;
}

/**
 * The PeriodClosed event for a request to close a quarter, dated the quarter's last day. eventIds
 * are ASCII, so the department is hashed in; the instant makes a second close a new event, which
 * the ledger refuses (PERIOD_ALREADY_CLOSED) rather than acknowledging as a duplicate. Throws the
 * parse error when the request does not make a valid event.
 */
export function periodClosedEvent(request: ClosePeriodRequest): LedgerEvent {
  const { department, year, period } = request;
  const departmentKey = createHash('sha256').update(department).digest('hex').slice(0, 12);
  const parsed = parseEvent({
    eventId: `close.${year}.${period}.${departmentKey}.${request.nowMs}`,
    type: 'PeriodClosed',
    effectiveDate: `${year}-${quarterEndMonthDay(period)}`,
    data: { department, fiscalYear: year, period },
    metadata: { source: request.source, actor: request.actor },
  });
  if (!parsed.ok) throw parsed.error;
  return parsed.event;
}
