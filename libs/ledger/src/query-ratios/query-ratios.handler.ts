import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Database } from '@ledger/event-store';
import { queryRatios, type RatiosResult } from '@ledger/reporting';
import type { LedgerConfig } from '../ledger.config';
import { DATABASE, LEDGER_CONFIG } from '../tokens';
import { GetRatiosQuery } from './query-ratios.query';

@QueryHandler(GetRatiosQuery)
export class GetRatiosHandler implements IQueryHandler<GetRatiosQuery, RatiosResult> {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  execute(query: GetRatiosQuery): Promise<RatiosResult> {
    return queryRatios(this.db, query.params, this.config.rules);
  }
}
