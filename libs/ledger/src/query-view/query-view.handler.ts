import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { queryView, type ViewResult } from '@ledger/reporting';
import { DATABASE } from '../tokens';
import { GetViewQuery } from './query-view.query';

@QueryHandler(GetViewQuery)
export class GetViewHandler implements IQueryHandler<GetViewQuery, ViewResult> {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  execute(query: GetViewQuery): Promise<ViewResult> {
    return queryView(this.db, query.params);
  }
}
