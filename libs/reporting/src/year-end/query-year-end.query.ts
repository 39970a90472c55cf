import { Query } from '@nestjs/cqrs';
import type { YearEndQuery, YearEndResult } from './year-end';

/** 年终结转: each line's carried (结转下年) or lapsed (结余) balance, and the next year's lines that receive it. */
export class GetYearEndQuery extends Query<YearEndResult> {
  constructor(readonly params: YearEndQuery) {
    super();
  }
}
