import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { GetTraceQuery } from '@ledger/reporting';
import { ApiExport, Exportable } from '../export/export.decorators';
import { withNextPages, type TraceResult } from '@ledger/reporting';
import { Allow } from '../auth/access.decorator';
import { ApiContract } from '../contract/openapi';
import { TraceQuery } from '../contract/schemas';
import { ZodQueryPipe } from '../contract/zod-pipe';

@ApiTags('audit')
@Controller('v1/lines/:lineId')
export class LinesController {
  constructor(private readonly queries: QueryBus) {}

  @Get('trace')
  @Exportable('trace')
  @ApiExport()
  @Allow('auditor')
  @ApiContract({
    summary: "Every event behind a line's figures, with who recorded it, the change to each figure and running totals",
    query: TraceQuery,
    ok: { schema: 'TraceResult', description: 'the entries in log order and the totals' },
    errors: [400, 404],
  })
  async trace(@Param('lineId') lineId: string, @Query(new ZodQueryPipe(TraceQuery)) q: z.infer<typeof TraceQuery>): Promise<TraceResult> {
    const page = (p: { asOf?: string; knownAt?: string; after?: string }): Promise<TraceResult> =>
      this.queries.execute(new GetTraceQuery({ lineId, asOf: p.asOf, knownAt: p.knownAt, limit: q.limit, after: p.after }));
    // JSON is this page; a CSV or XLSX export goes on to the last page (DESIGN.md §9).
    return withNextPages(await page(q), page);
  }
}
