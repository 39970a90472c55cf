import { LedgerError } from '@ledger/domain';
import { DataDirInUseError, StreamVersionConflictError } from '@ledger/event-store';
import { QueryError } from '@ledger/reporting';
import { CheckpointError } from './checkpoints/checkpoints';

/** A failure as both faces show it: HTTP problem+json and the CLI's error output. */
export interface FailureBody {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  readonly message: string;
}

const STATUS_BY_CODE: Record<string, number> = {
  INVALID_QUERY: 400,
  INVALID_JSON: 400,
  INVALID_EVENT: 400,
  UNKNOWN_EVENT_TYPE: 400,
  LINE_TOO_LONG: 413,
  EVENT_TOO_LARGE: 413,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  LINE_NOT_FOUND: 404,
  PAYMENT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  STREAM_VERSION_CONFLICT: 409,
  EVENT_ID_CONFLICT: 409,
  DEPARTMENT_NOT_FOUND: 404,
  DATABASE_UNAVAILABLE: 503,
  SIGNING_KEY_MISSING: 503,
  LOG_BROKEN: 409,
  CHECKPOINT_MISMATCH: 409,
  EVENT_NOT_COVERED: 404,
};

// Network errors of the driver, and the server's refusals of a connection (no such database,
// authentication, starting up or shutting down): the database cannot be reached as configured.
const UNREACHABLE_ERRNO = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);
const UNREACHABLE_SQLSTATE = new Set(['3D000', '28000', '28P01', '57P01', '57P02', '57P03', '08001', '08004', '08006']);

/** Whether an error says that the database could not be reached (as opposed to a failed statement). */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return UNREACHABLE_ERRNO.has(code) || UNREACHABLE_SQLSTATE.has(code) || code === 'CONNECT_TIMEOUT' || code === 'CONNECTION_CLOSED';
}

/** The one mapping from errors to codes and statuses; anything unknown is a 500 that hides its details. */
export function describeFailure(error: unknown): FailureBody {
  if (error instanceof QueryError || error instanceof LedgerError) {
    return { status: STATUS_BY_CODE[error.code] ?? 422, code: error.code, field: error.field, message: error.message };
  }
  if (error instanceof StreamVersionConflictError) return { status: 409, code: error.code, message: error.message };
  if (error instanceof DataDirInUseError) return { status: 503, code: error.code, message: error.message };
  if (error instanceof CheckpointError) return { status: STATUS_BY_CODE[error.code] ?? 409, code: error.code, message: error.message };
  if (error instanceof RequestError) return { status: STATUS_BY_CODE[error.code] ?? 400, code: error.code, message: error.message };
  if (isDatabaseUnreachable(error)) {
    return { status: 503, code: 'DATABASE_UNAVAILABLE', message: `the database cannot be reached: ${(error as Error).message}` };
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error' };
}

/** A refusal of a request as a whole (not of one event in it): wrong media type, too large. */
export class RequestError extends Error {
  constructor(
    readonly code: 'INVALID_JSON' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'INVALID_QUERY',
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}
