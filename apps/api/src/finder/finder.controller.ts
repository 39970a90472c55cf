import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Database, VerifyReport } from '@ledger/event-store';
import { DATABASE, VerifyLedgerQuery } from '@ledger/ledger';
import { QueryBus } from '@nestjs/cqrs';
import {
  classificationCatalog,
  queryDepartments,
  queryEvent,
  queryLines,
  type ClassificationCatalog,
  type DepartmentsResult,
  type EventResult,
  type LinesResult,
} from '@ledger/reporting';

/**
 * Finding things (issue 13): the departments and years there are, a department-year's lines with
 * their names, one event by id, the classification names, and the log's integrity. They read
 * small projections directly; none has business rules of its own.
 */
@ApiTags('finder')
@Controller('v1')
export class FinderController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly queries: QueryBus,
  ) {}

  @Get('departments')
  @ApiOperation({ summary: 'Departments with their fiscal years and line counts' })
  departments(): Promise<DepartmentsResult> {
    return queryDepartments(this.db);
  }

  @Get('departments/:department/years/:year/lines')
  @ApiOperation({ summary: "A department-year's lines with their dimensions and names" })
  lines(@Param('department') department: string, @Param('year') year: string): Promise<LinesResult> {
    return queryLines(this.db, { department, fiscalYear: year });
  }

  @Get('events/:eventId')
  @ApiOperation({ summary: 'One stored event by its eventId' })
  event(@Param('eventId') eventId: string): Promise<EventResult> {
    return queryEvent(this.db, eventId);
  }

  @Get('classification')
  @ApiOperation({ summary: 'Names of 功能分类 / 经济分类 codes, kinds and tags' })
  classification(): ClassificationCatalog {
    return classificationCatalog();
  }

  @Get('verify')
  @ApiOperation({ summary: 'Recompute the hash chain of the log: the integrity status auditors see' })
  verify(): Promise<VerifyReport> {
    return this.queries.execute(new VerifyLedgerQuery());
  }
}
