import { Query } from '@nestjs/cqrs';
import type { TraceQuery, TraceResult } from './trace';

/** Every event behind a line's figures, with running totals. */
export class GetTraceQuery extends Query<TraceResult> {
  constructor(readonly params: TraceQuery) {
    super();
  }
}
