import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { isQuarter } from '@ledger/domain';
import { AppendEventsCommand, periodClosedEvent } from '@ledger/ledger';
import { QueryError } from '@ledger/reporting';
import { Allow } from '../auth/access.decorator';
import { identityOf } from '../auth/identity';
import { ApiContract } from '../contract/openapi';

/** Closing a quarter (季度结账) over HTTP: admins only (DESIGN.md §8), as `ledger close-period` does on the CLI. */
@ApiTags('periods')
@Controller('v1/departments/:department/years/:year/periods/:period')
export class PeriodsController {
  constructor(private readonly commands: CommandBus) {}

  @Post('close')
  @HttpCode(200)
  @Allow('admin')
  @ApiContract({
    summary: 'Close a quarter (季度结账): later events dated in it are refused, corrections excepted',
    ok: { schema: 'ClosedPeriod', description: 'the PeriodClosed event stored' },
    errors: [400, 404, 409],
  })
  async close(@Req() req: Request, @Param('department') department: string, @Param('year') year: string, @Param('period') period: string) {
    if (!isQuarter(period)) throw new QueryError('INVALID_QUERY', 'period', `must be Q1, Q2, Q3 or Q4, not '${period}'`);
    if (!/^\d{4}$/.test(year)) throw new QueryError('INVALID_QUERY', 'year', 'must be a year of 4 digits');
    const identity = identityOf(req)?.subject ?? 'anonymous';
    const event = periodClosedEvent({ department, year, period, source: 'http', actor: identity, nowMs: Date.now() });
    const [result] = await this.commands.execute(new AppendEventsCommand([event], { recordedBy: identity }));
    if (result === undefined) throw new Error('close: nothing was stored');
    if (result.status === 'rejected') throw result.error;
    return { closed: `${year}-${period}`, department, eventId: result.eventId, position: result.position.toString() };
  }
}
