import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { queryTrace, type TraceResult } from './trace';
import { requireIdentifierParam } from '../departments';
import { REPORTS_DATABASE } from '../reporting.tokens';
import { GetTraceQuery } from './query-trace.query';

@QueryHandler(GetTraceQuery)
export class GetTraceHandler implements IQueryHandler<GetTraceQuery, TraceResult> {
  constructor(@Inject(REPORTS_DATABASE) private readonly db: Database) {}

  execute(query: GetTraceQuery): Promise<TraceResult> {
    requireIdentifierParam('lineId', query.params.lineId);
    return queryTrace(this.db, query.params);
  }
}
