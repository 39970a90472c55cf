import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { queryTrace, requireIdentifierParam, type TraceResult } from '@ledger/reporting';
import { DATABASE } from '../tokens';
import { GetTraceQuery } from './query-trace.query';

@QueryHandler(GetTraceQuery)
export class GetTraceHandler implements IQueryHandler<GetTraceQuery, TraceResult> {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  execute(query: GetTraceQuery): Promise<TraceResult> {
    requireIdentifierParam('lineId', query.params.lineId);
    return queryTrace(this.db, query.params);
  }
}
