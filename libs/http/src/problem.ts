import { HttpException } from '@nestjs/common';
import { AuthError } from '@ledger/auth';
import { describeFailure } from '@ledger/ledger';

/** An error as the API answers it: its status and its application/problem+json body. */
export interface Problem {
  readonly status: number;
  /** The body, JSON text (RFC 9457 with the ledger's stable `code`). */
  readonly json: string;
}

/**
 * The answer to an error, for ProblemFilter and the lean POST /v1/events path alike: a refusal of
 * the caller (AuthError), one of Nest's own (a route that does not exist), or what the ledger's
 * one mapping of codes to statuses says. An unexpected error (500) leaves its stack on stderr.
 */
export function problemOf(error: unknown): Problem {
  let body: { status: number; code: string; field?: string; message: string };
  if (error instanceof AuthError) {
    body = { status: error.status, code: error.code, message: error.message };
  } else if (error instanceof HttpException) {
    const status = error.getStatus();
    body = { status, code: status === 404 ? 'NOT_FOUND' : `HTTP_${status}`, message: error.message };
  } else {
    body = describeFailure(error);
    if (body.status === 500) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  }
  return {
    status: body.status,
    json: JSON.stringify({
      type: 'about:blank',
      title: body.code,
      status: body.status,
      code: body.code,
      detail: body.message,
      field: body.field,
    }),
  };
}
