import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';
import type { AccessLog, Role } from '@ledger/auth';
import { AccessCheck } from '../auth/access-check';
import { recordAccessOnFinish } from '../auth/record-access';
import { problemOf } from '../problem';
import { APPEND_QUERY_PIPE, EventsIntake } from './events-intake';

/** What the lean path of POST /v1/events shares with the app (lean-dispatch.ts gathers it). */
export interface LeanAppendContext {
  readonly access: AccessCheck;
  readonly intake: EventsIntake;
  readonly accessLog: AccessLog;
  /** The role EventsController.append declares with @Allow. */
  readonly role: Role;
  /** express's own query parser (its 'query parser fn'), so that the query reads as req.query would. */
  readonly parseQuery: (query: string | null) => unknown;
  /** What the header middlewares (helmet; CORS for a request without Origin) set on every answer, in their order. */
  readonly headers: ReadonlyArray<readonly [string, OutgoingHttpHeader]>;
}

// The Content-Types express writes for res.json and for the ProblemFilter's type('application/problem+json').send(text).
const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/**
 * POST /v1/events on plain node:http: what NestJS and express do for this one route (the access
 * log, the security headers, AuthGuard's checks, the query pipe, the controller, ProblemFilter),
 * done by the same functions they call, without the framework's per-request work (decision 0007).
 */
export function leanAppendHandler(context: LeanAppendContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    recordAccessOnFinish(context.accessLog, req, res, req.url ?? '');
    for (const [name, value] of context.headers) res.setHeader(name, value);
    answer(context, req, res).catch((error: unknown) => res.destroy(error as Error));
  };
}

/** Admits the caller, reads the query, appends; the summary or the problem, as the framework answers them. */
async function answer(context: LeanAppendContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let status = 200;
  let type = JSON_TYPE;
  let body: string;
  try {
    // The socket's address, as express's req.ip without a trusted proxy (the lean path is not installed behind one).
    const identity = await context.access.admit(req, res, context.role, () => req.socket.remoteAddress ?? '');
    const query = APPEND_QUERY_PIPE.transform(context.parseQuery(queryString(req.url ?? '')));
    body = JSON.stringify(await context.intake.append(req, query, identity.subject));
  } catch (error) {
    const problem = problemOf(error);
    status = problem.status;
    type = PROBLEM_TYPE;
    body = problem.json;
  }
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** The query string as express's parseurl gives it to the query parser: after the first '?', or null. */
function queryString(url: string): string | null {
  const at = url.indexOf('?');
  return at === -1 ? null : url.slice(at + 1);
}
