import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { GetProgressQuery, GetRatiosQuery, GetScorecardQuery, GetViewQuery, GetWarningsQuery } from '@ledger/ledger';
import { ApiExport, Exportable } from '../export/export.decorators';
import type { ProgressResult, RatiosResult, ScorecardResult, ViewResult, WarningsResult } from '@ledger/reporting';

@ApiTags('reports')
@Controller('v1/departments/:department')
export class DepartmentsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('view')
  @Exportable('view')
  @ApiExport()
  @ApiOperation({ summary: '年初预算数 / 调整 / 调剂 / 调整预算数 / 执行数 / 可用余额 / 执行率, as of a date, as known at an instant' })
  @ApiQuery({ name: 'asOf', required: false, description: 'business date YYYY-MM-DD (default today, Asia/Shanghai)' })
  @ApiQuery({ name: 'knownAt', required: false, description: 'instant, ISO-8601 (default now)' })
  @ApiQuery({
    name: 'groupBy',
    required: false,
    description: 'unit, project, functionCode[:3|5|7], economicCode[:3|5], fundingSource, kind, tag, line',
  })
  @ApiQuery({ name: 'year', required: false, description: 'fiscal year (default the year of asOf)' })
  view(
    @Param('department') department: string,
    @Query('asOf') asOf?: string,
    @Query('knownAt') knownAt?: string,
    @Query('groupBy') groupBy?: string,
    @Query('year') year?: string,
  ): Promise<ViewResult> {
    return this.queries.execute(new GetViewQuery({ department, asOf, knownAt, groupBy, fiscalYear: year }));
  }

  @Get('years/:year/progress')
  @Exportable('progress')
  @ApiExport()
  @ApiOperation({ summary: '支出进度 against 序时进度 per quarter; closed quarters show reported (at the close) and restated figures' })
  @ApiQuery({ name: 'knownAt', required: false })
  progress(
    @Param('department') department: string,
    @Param('year') year: string,
    @Query('knownAt') knownAt?: string,
  ): Promise<ProgressResult> {
    return this.queries.execute(new GetProgressQuery({ department, fiscalYear: year, knownAt }));
  }

  @Get('years/:year/ratios')
  @Exportable('ratios')
  @ApiExport()
  @ApiOperation({ summary: 'Adjustment and transfer ratios with the adjustment-transfer-10pct check' })
  @ApiQuery({ name: 'asOf', required: false, description: "default the fiscal year's last day" })
  @ApiQuery({ name: 'knownAt', required: false })
  ratios(
    @Param('department') department: string,
    @Param('year') year: string,
    @Query('asOf') asOf?: string,
    @Query('knownAt') knownAt?: string,
  ): Promise<RatiosResult> {
    return this.queries.execute(new GetRatiosQuery({ department, fiscalYear: year, asOf, knownAt }));
  }

  @Get('years/:year/scorecard')
  @Exportable('scorecard')
  @ApiExport()
  @ApiOperation({ summary: '部门整体支出绩效评分表 items the ledger derives, and the project self-evaluation table' })
  @ApiQuery({ name: 'knownAt', required: false })
  scorecard(
    @Param('department') department: string,
    @Param('year') year: string,
    @Query('knownAt') knownAt?: string,
  ): Promise<ScorecardResult> {
    return this.queries.execute(new GetScorecardQuery({ department, fiscalYear: year, knownAt }));
  }

  @Get('warnings')
  @ApiOperation({ summary: 'Lines or projects whose 支出进度 lags 序时进度 by more than a margin, with projected year-end execution' })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'knownAt', required: false })
  @ApiQuery({ name: 'by', required: false, description: "'line' (default) or 'project'" })
  @ApiQuery({ name: 'margin', required: false, description: 'fraction, default 0.10' })
  warnings(
    @Param('department') department: string,
    @Query('asOf') asOf?: string,
    @Query('knownAt') knownAt?: string,
    @Query('by') by?: string,
    @Query('margin') margin?: string,
  ): Promise<WarningsResult> {
    return this.queries.execute(new GetWarningsQuery({ department, asOf, knownAt, by, margin }));
  }
}
