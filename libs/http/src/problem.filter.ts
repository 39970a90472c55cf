import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { problemOf } from './problem';

/** Every error leaves as application/problem+json (RFC 9457) with the ledger's stable `code`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const problem = problemOf(error);
    host.switchToHttp().getResponse<Response>().status(problem.status).type('application/problem+json').send(problem.json);
  }
}
