import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { AuthError } from '@ledger/auth';
import { describeFailure } from '@ledger/ledger';

/** Every error leaves as application/problem+json (RFC 9457) with the ledger's stable `code`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
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
    res
      .status(body.status)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: 'about:blank',
          title: body.code,
          status: body.status,
          code: body.code,
          detail: body.message,
          field: body.field,
        }),
      );
  }
}
