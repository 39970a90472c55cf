import { Query } from '@nestjs/cqrs';
import type { ScorecardQuery, ScorecardResult } from './scorecard';

/** The 评分表 items the ledger derives, and the project self-evaluation table. */
export class GetScorecardQuery extends Query<ScorecardResult> {
  constructor(readonly params: ScorecardQuery) {
    super();
  }
}
