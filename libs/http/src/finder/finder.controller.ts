import { Controller, Get, Inject, Param, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { identitySeesDepartment } from '@ledger/auth';
import type { Database } from '@ledger/event-store';
import { DATABASE } from '@ledger/ledger';
import {
  QueryError,
  classificationCatalog,
  queryDepartments,
  queryEvent,
  queryLines,
  type ClassificationCatalog,
  type DepartmentsResult,
  type EventResult,
  type LinesResult,
} from '@ledger/reporting';
import { Allow } from '../auth/access.decorator';
import { identityOf } from '../auth/identity';
import { departmentOfStream } from '../events/events.controller';

/**
 * Finding things (issue 13): the departments and years there are, a department-year's lines with
 * their names, one event by id and the classification names. They read small projections
 * directly; none has business rules of its own. An identity limited to departments finds only theirs.
 */
@ApiTags('finder')
@Controller('v1')
export class FinderController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  @Get('departments')
  @Allow('analyst')
  @ApiOperation({ summary: 'Departments with their fiscal years and line counts' })
  async departments(@Req() req: Request): Promise<DepartmentsResult> {
    const result = await queryDepartments(this.db);
    const identity = identityOf(req);
    if (identity === undefined || identity.departments === null) return result;
    return { departments: result.departments.filter((d) => identitySeesDepartment(identity, d.department)) };
  }

  @Get('departments/:department/years/:year/lines')
  @Allow('analyst')
  @ApiOperation({ summary: "A department-year's lines with their dimensions and names" })
  lines(@Param('department') department: string, @Param('year') year: string): Promise<LinesResult> {
    return queryLines(this.db, { department, fiscalYear: year });
  }

  @Get('events/:eventId')
  @Allow('auditor')
  @ApiOperation({ summary: 'One stored event by its eventId' })
  async event(@Req() req: Request, @Param('eventId') eventId: string): Promise<EventResult> {
    const event = await queryEvent(this.db, eventId);
    const identity = identityOf(req);
    // Outside the identity's departments an event answers as one that does not exist.
    if (identity !== undefined && !identitySeesDepartment(identity, departmentOfStream(event.streamId))) {
      throw new QueryError('NOT_FOUND', 'eventId', `no event '${eventId}'`);
    }
    return event;
  }

  @Get('classification')
  @Allow('analyst')
  @ApiOperation({ summary: 'Names of 功能分类 / 经济分类 codes, kinds and tags' })
  classification(): ClassificationCatalog {
    return classificationCatalog();
  }
}
