import { Controller, Get, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthError } from '@ledger/auth';
import type { VerifyReport } from '@ledger/event-store';
import { VerifyLedgerQuery } from '@ledger/ledger';
import { Allow } from '../auth/access.decorator';
import { identityOf } from '../auth/identity';
import { ApiContract } from '../contract/openapi';

@ApiTags('audit')
@Controller('v1/verify')
export class VerifyController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Allow('auditor')
  @ApiContract({
    summary: 'Recompute the tamper-evidence hash chain of the whole log (as `ledger verify`)',
    description: 'The chain spans every department, so an identity limited to departments may not run it (403).',
    ok: { schema: 'VerifyReport', description: 'ok, or the first broken position and why' },
  })
  async verify(@Req() req: Request): Promise<VerifyReport> {
    if (identityOf(req)?.departments != null) {
      throw new AuthError('FORBIDDEN', 403, 'verify reads every department; an identity limited to departments may not run it');
    }
    return this.queries.execute(new VerifyLedgerQuery());
  }
}
