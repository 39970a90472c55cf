import { Query } from '@nestjs/cqrs';
import type { ViewQuery, ViewResult } from './view';

/** The department's execution table as of a date, as known at an instant. */
export class GetViewQuery extends Query<ViewResult> {
  constructor(readonly params: ViewQuery) {
    super();
  }
}
