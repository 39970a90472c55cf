import { Query } from '@nestjs/cqrs';
import type { RatiosQuery, RatiosResult } from './ratios';

/** Adjustment and transfer ratios of a department-year with the threshold checks. */
export class GetRatiosQuery extends Query<RatiosResult> {
  constructor(readonly params: RatiosQuery) {
    super();
  }
}
