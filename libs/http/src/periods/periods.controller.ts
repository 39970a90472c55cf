import { createHash } from 'node:crypto';
import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { parseEvent } from '@ledger/domain';
import { AppendEventsCommand } from '@ledger/ledger';
import { QueryError } from '@ledger/reporting';
import { Allow } from '../auth/access.decorator';
import { identityOf } from '../auth/identity';
import { ApiContract } from '../contract/openapi';

const QUARTER_ENDS: Record<string, string> = { Q1: '03-31', Q2: '06-30', Q3: '09-30', Q4: '12-31' };

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
    const end = QUARTER_ENDS[period];
    if (end === undefined) throw new QueryError('INVALID_QUERY', 'period', `must be Q1, Q2, Q3 or Q4, not '${period}'`);
    if (!/^\d{4}$/.test(year)) throw new QueryError('INVALID_QUERY', 'year', 'must be a year of 4 digits');
    const identity = identityOf(req)?.subject ?? 'anonymous';
    // The same eventId scheme as the CLI's close-period: the department hashed in, and the instant,
    // so that a second close is refused (PERIOD_ALREADY_CLOSED) rather than taken as a duplicate.
    const departmentKey = createHash('sha256').update(department).digest('hex').slice(0, 12);
    const parsed = parseEvent({
      eventId: `close.${year}.${period}.${departmentKey}.${Date.now()}`,
      type: 'PeriodClosed',
      effectiveDate: `${year}-${end}`,
      data: { department, fiscalYear: year, period },
      metadata: { source: 'http', actor: identity },
    });
    if (!parsed.ok) throw parsed.error;
    const [result] = await this.commands.execute(new AppendEventsCommand([parsed.event], { recordedBy: identity }));
    if (result === undefined) throw new Error('close: nothing was stored');
    if (result.status === 'rejected') throw result.error;
    return { closed: `${year}-${period}`, department, eventId: result.eventId, position: result.position.toString() };
  }
}
