import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { GetTraceQuery } from '@ledger/ledger';
import type { TraceResult } from '@ledger/reporting';

@ApiTags('reports')
@Controller('v1/lines/:lineId')
export class LinesController {
  constructor(private readonly queries: QueryBus) {}

  @Get('trace')
  @ApiOperation({ summary: "Every event behind a line's figures, with the change to each figure and running totals" })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'knownAt', required: false })
  @ApiQuery({ name: 'limit', required: false, description: 'entries per page, 1 to 10,000 (default 1,000)' })
  @ApiQuery({ name: 'after', required: false, description: "the previous page's nextAfter" })
  trace(
    @Param('lineId') lineId: string,
    @Query('asOf') asOf?: string,
    @Query('knownAt') knownAt?: string,
    @Query('limit') limit?: string,
    @Query('after') after?: string,
  ): Promise<TraceResult> {
    return this.queries.execute(new GetTraceQuery({ lineId, asOf, knownAt, limit, after }));
  }
}
