import { Query } from '@nestjs/cqrs';
import type { ProgressQuery, ProgressResult } from './progress';

/** 支出进度 against 序时进度 at each checkpoint, reported and restated for closed quarters. */
export class GetProgressQuery extends Query<ProgressResult> {
  constructor(readonly params: ProgressQuery) {
    super();
  }
}
