import { Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AppendSummary } from '@ledger/ingestion';
import { toPublishedEvent } from '@ledger/kafka';
import { PgEventStore, READ_ALL_MAX_LIMIT, type StoredEvent } from '@ledger/event-store';
import { Allow } from '../auth/access.decorator';
import { identityOf } from '../auth/identity';
import { ApiContract } from '../contract/openapi';
import { AppendQuery, FollowQuery } from '../contract/schemas';
import { ZodQueryPipe } from '../contract/zod-pipe';
import { APPEND_EXAMPLES, SUMMARY_EXAMPLES } from './event-examples';
import { APPEND_QUERY_PIPE, EventsIntake, type AppendQueryValue } from './events-intake';

const MAX_WAIT_SECONDS = 30;
/**
 * Bytes of data and metadata per page of `GET /v1/events` (default and most): a page always fits
 * in a response whatever the events hold, and always has at least one event.
 */
export const DEFAULT_PAGE_BYTES = 4 * 1024 * 1024;
export const MAX_PAGE_BYTES = 32 * 1024 * 1024;
const FOLLOW_QUERY = FollowQuery(READ_ALL_MAX_LIMIT, MAX_WAIT_SECONDS, DEFAULT_PAGE_BYTES, MAX_PAGE_BYTES);

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly intake: EventsIntake,
    private readonly store: PgEventStore,
  ) {}

  @Post()
  @HttpCode(200)
  @Allow('writer')
  @ApiContract({
    summary: 'Store events: a JSON array, or NDJSON (Content-Type: application/x-ndjson). Answers {appended, duplicates, rejected}.',
    description:
      'Each event is accepted or refused on its own; refusals never stop the rest. The identity that posts is kept beside each accepted event (recordedBy). ' +
      'dryRun=true decides every event as if it were stored and answers the same summary, storing nothing (at most 10,000 events). The event format: docs/events.md.',
    query: AppendQuery,
    body: { schema: 'NewEvents', contentTypes: ['application/json', 'application/x-ndjson'], examples: APPEND_EXAMPLES },
    ok: { schema: 'AppendSummary', description: 'what became of each event', examples: SUMMARY_EXAMPLES },
    errors: [400, 413, 415],
  })
  append(@Req() req: Request, @Query(APPEND_QUERY_PIPE) query: AppendQueryValue): Promise<AppendSummary> {
    return this.intake.append(req, query, identityOf(req)?.subject);
  }

  @Get()
  @Allow('auditor')
  @ApiContract({
    summary: 'Follow the log: events with position > after, in order; never skips an event that commits late.',
    description: 'A key or token limited to departments sees only their events; lastPosition still advances past the others.',
    query: FOLLOW_QUERY,
    ok: { schema: 'EventsPage', description: 'the next events, and the position to continue after' },
    errors: [400],
  })
  async follow(
    @Req() req: Request,
    @Query(new ZodQueryPipe(FOLLOW_QUERY)) query: { after?: string; limit?: string; wait?: string; maxBytes?: string },
  ) {
    const after = BigInt(query.after ?? '0');
    const limit = Number(query.limit ?? '1000');
    const maxBytes = Number(query.maxBytes ?? String(DEFAULT_PAGE_BYTES));
    const waitMs = Number(query.wait ?? '0') * 1000;
    const deadline = Date.now() + waitMs;
    let events = await this.store.readAllWithin({ after, limit, maxBytes });
    while (events.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      events = await this.store.readAllWithin({ after, limit, maxBytes });
    }
    const last = events[events.length - 1];
    const departments = identityOf(req)?.departments ?? null;
    const visible = departments === null ? events : events.filter((e) => departments.includes(departmentOfStream(e.streamId)));
    return {
      events: visible.map((e) => ({ ...toPublishedEvent(e), recordedBy: e.recordedBy ?? null })),
      lastPosition: (last === undefined ? after : last.position).toString(),
    };
  }
}

/** The department of a stream id `budget-<department>-<fiscalYear>`. */
export function departmentOfStream(streamId: StoredEvent['streamId']): string {
  return streamId.slice('budget-'.length, streamId.lastIndexOf('-'));
}
