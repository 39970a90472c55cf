import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { GetTraceQuery } from '@ledger/ledger';
import { ApiExport, Exportable } from '../export/export.decorators';
import type { TraceResult } from '@ledger/reporting';

@ApiTags('reports')
@Controller('v1/lines/:lineId')
export class LinesController {
  constructor(private readonly queries: QueryBus) {}

  @Get('trace')
  @Exportable('trace')
  @ApiExport()
  @ApiOperation({ summary: "Every event behind a line's figures, with the change to each figure and running totals" })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'knownAt', required: false })
  trace(@Param('lineId') lineId: string, @Query('asOf') asOf?: string, @Query('knownAt') knownAt?: string): Promise<TraceResult> {
    return this.queries.execute(new GetTraceQuery({ lineId, asOf, knownAt }));
  }
}
