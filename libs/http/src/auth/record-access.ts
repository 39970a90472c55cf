import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessLog } from '@ledger/auth';
import { identityOf } from './identity';

/**
 * Records a request in the access log once its answer is sent ('finish'): when it came, who (the
 * identity access control set on it by then, or null), its method, `path` (with the query, as it
 * came) and its status. The express middleware and the lean POST /v1/events path both call it.
 */
export function recordAccessOnFinish(log: AccessLog, req: IncomingMessage, res: ServerResponse, path: string): void {
  const at = new Date();
  res.on('finish', () =>
    log.record({
      at,
      identity: identityOf(req)?.subject ?? null,
      method: req.method ?? '',
      path,
      status: res.statusCode,
    }),
  );
}
