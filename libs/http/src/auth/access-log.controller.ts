import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AccessLog, ACCESS_LOG_MAX_LIMIT, AuthError } from '@ledger/auth';
import { ApiContract } from '../contract/openapi';
import { AccessLogQuery } from '../contract/schemas';
import { ZodQueryPipe } from '../contract/zod-pipe';
import { Allow } from './access.decorator';
import { identityOf } from './identity';

const QUERY = AccessLogQuery(ACCESS_LOG_MAX_LIMIT);

@ApiTags('audit')
@Controller('v1/access-log')
export class AccessLogController {
  constructor(private readonly log: AccessLog) {}

  @Get()
  @Allow('auditor')
  @ApiContract({
    summary: 'Every request: when, who, method, path and status, in order',
    description: 'The log spans every department, so an identity limited to departments may not read it (403).',
    query: QUERY,
    ok: { schema: 'AccessLogPage', description: 'the next entries, and the id to continue after' },
    errors: [400],
  })
  async read(@Req() req: Request, @Query(new ZodQueryPipe(QUERY)) q: { after?: string; limit?: string }) {
    if (identityOf(req)?.departments != null) {
      throw new AuthError('FORBIDDEN', 403, 'the access log spans every department; an identity limited to departments may not read it');
    }
    return this.log.read(BigInt(q.after ?? '0'), Number(q.limit ?? '1000'));
  }
}
