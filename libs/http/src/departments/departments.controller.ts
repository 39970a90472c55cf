import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { GetProgressQuery, GetRatiosQuery, GetScorecardQuery, GetViewQuery, GetWarningsQuery, GetYearEndQuery } from '@ledger/reporting';
import { ApiExport, Exportable } from '../export/export.decorators';
import type { ProgressResult, RatiosResult, ScorecardResult, ViewResult, WarningsResult, YearEndResult } from '@ledger/reporting';
import { Allow } from '../auth/access.decorator';
import { ApiContract } from '../contract/openapi';
import { KnownAtQuery, RatiosQuery, ViewQuery, WarningsQuery } from '../contract/schemas';
import { ZodQueryPipe } from '../contract/zod-pipe';

const REPORT_ERRORS = [400, 404] as const;

@ApiTags('reports')
@Controller('v1/departments/:department')
export class DepartmentsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('view')
  @Exportable('view')
  @ApiExport()
  @Allow('analyst')
  @ApiContract({
    summary: '年初预算数 / 调整 / 调剂 / 调整预算数 / 执行数 / 可用余额 / 执行率, as of a date, as known at an instant',
    query: ViewQuery,
    ok: { schema: 'ViewResult', description: 'the rows of groupBy and their total' },
    errors: REPORT_ERRORS,
  })
  view(@Param('department') department: string, @Query(new ZodQueryPipe(ViewQuery)) q: z.infer<typeof ViewQuery>): Promise<ViewResult> {
    return this.queries.execute(new GetViewQuery({ department, asOf: q.asOf, knownAt: q.knownAt, groupBy: q.groupBy, fiscalYear: q.year }));
  }

  @Get('years/:year/progress')
  @Exportable('progress')
  @ApiExport()
  @Allow('analyst')
  @ApiContract({
    summary: '支出进度 against 序时进度 per quarter; closed quarters show reported (at the close) and restated figures',
    query: KnownAtQuery,
    ok: { schema: 'ProgressResult', description: 'the quarters, their rates and scores' },
    errors: REPORT_ERRORS,
  })
  progress(
    @Param('department') department: string,
    @Param('year') year: string,
    @Query(new ZodQueryPipe(KnownAtQuery)) q: z.infer<typeof KnownAtQuery>,
  ): Promise<ProgressResult> {
    return this.queries.execute(new GetProgressQuery({ department, fiscalYear: year, knownAt: q.knownAt }));
  }

  @Get('years/:year/ratios')
  @Exportable('ratios')
  @ApiExport()
  @Allow('analyst')
  @ApiContract({
    summary: 'Adjustment and transfer ratios with the adjustment-transfer-10pct check',
    query: RatiosQuery,
    ok: { schema: 'RatiosResult', description: 'the ratios and every threshold check' },
    errors: REPORT_ERRORS,
  })
  ratios(
    @Param('department') department: string,
    @Param('year') year: string,
    @Query(new ZodQueryPipe(RatiosQuery)) q: z.infer<typeof RatiosQuery>,
  ): Promise<RatiosResult> {
    return this.queries.execute(new GetRatiosQuery({ department, fiscalYear: year, asOf: q.asOf, knownAt: q.knownAt }));
  }

  @Get('years/:year/scorecard')
  @Exportable('scorecard')
  @ApiExport()
  @Allow('analyst')
  @ApiContract({
    summary: '部门整体支出绩效评分表 items the ledger derives, and the project self-evaluation table',
    query: KnownAtQuery,
    ok: { schema: 'ScorecardResult', description: 'the items and the projects' },
    errors: REPORT_ERRORS,
  })
  scorecard(
    @Param('department') department: string,
    @Param('year') year: string,
    @Query(new ZodQueryPipe(KnownAtQuery)) q: z.infer<typeof KnownAtQuery>,
  ): Promise<ScorecardResult> {
    return this.queries.execute(new GetScorecardQuery({ department, fiscalYear: year, knownAt: q.knownAt }));
  }

  @Get('years/:year/year-end')
  @Exportable('year-end')
  @ApiExport()
  @Allow('analyst')
  @ApiContract({
    summary:
      '年终结转: each line carried (结转下年) or lapsed (结余), and the next year’s lines receiving 上年结转; while open, what closing now would do',
    query: KnownAtQuery,
    ok: { schema: 'YearEndResult', description: 'the closing year’s lines and totals, the next year’s receiving lines' },
    errors: REPORT_ERRORS,
  })
  yearEnd(
    @Param('department') department: string,
    @Param('year') year: string,
    @Query(new ZodQueryPipe(KnownAtQuery)) q: z.infer<typeof KnownAtQuery>,
  ): Promise<YearEndResult> {
    return this.queries.execute(new GetYearEndQuery({ department, fiscalYear: year, knownAt: q.knownAt }));
  }

  @Get('warnings')
  @Allow('analyst')
  @ApiContract({
    summary: 'Lines or projects whose 支出进度 lags 序时进度 by more than a margin, with projected year-end execution',
    query: WarningsQuery,
    ok: { schema: 'WarningsResult', description: 'every line or project, the flagged ones listed' },
    errors: REPORT_ERRORS,
  })
  warnings(
    @Param('department') department: string,
    @Query(new ZodQueryPipe(WarningsQuery)) q: z.infer<typeof WarningsQuery>,
  ): Promise<WarningsResult> {
    return this.queries.execute(new GetWarningsQuery({ department, asOf: q.asOf, knownAt: q.knownAt, by: q.by, margin: q.margin }));
  }
}
