import { Query } from '@nestjs/cqrs';
import type { WarningsQuery, WarningsResult } from './warnings';

/** Lines or projects lagging 序时进度 (前快后慢), with their projected year-end execution. */
export class GetWarningsQuery extends Query<WarningsResult> {
  constructor(readonly params: WarningsQuery) {
    super();
  }
}
