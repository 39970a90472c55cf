import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AuthError, identitySeesDepartment, type Identity } from '@ledger/auth';
import type { Database } from '@ledger/event-store';
import { DATABASE } from '@ledger/ledger';
import { QueryError } from '@ledger/reporting';
import { ACCESS_METADATA, type RouteAccess } from './access.decorator';
import { AccessCheck } from './access-check';

/**
 * Every route's access, in one place: who is asking, whether they may (the route's declared
 * role) and how often (AccessCheck, which the lean POST /v1/events path shares), and which
 * departments they see (404 outside them, as if they did not exist; for line routes, by the
 * line's department).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessCheck,
    @Inject(DATABASE) private readonly db: Database,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_METADATA, [context.getHandler(), context.getClass()]);
    // A route nobody declared access for is a programmer error; refused rather than left open.
    if (access === undefined) throw new AuthError('FORBIDDEN', 403, 'this route declares no access');
    if (access.public) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const identity = await this.access.admit(req, res, access.role, () => req.ip ?? '');
    // The same answer as for a department or line that does not exist (the reports' own 404s).
    await this.checkDepartment(req, identity);
    return true;
  }

  private async checkDepartment(req: Request, identity: Identity): Promise<void> {
    if (identity.departments === null) return;
    const params = req.params as Record<string, string | undefined>;
    if (params.department !== undefined && !identitySeesDepartment(identity, params.department)) {
      throw new QueryError('NOT_FOUND', 'department', `no department '${params.department}'`);
    }
    if (params.lineId !== undefined) {
      const [line] = await this.db.query<{ department: string }>(
        'SELECT department FROM ledger_lines WHERE line_id = $1',
        [params.lineId],
        {
          prepare: true,
        },
      );
      if (line === undefined || !identitySeesDepartment(identity, line.department)) {
        throw new QueryError('LINE_NOT_FOUND', 'lineId', `no budget line '${params.lineId}'`);
      }
    }
  }
}
