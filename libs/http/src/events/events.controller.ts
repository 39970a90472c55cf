import { Controller, Get, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AuthConfig } from '@ledger/auth';
import { Ingestion, ndjsonLines, type AppendSummary } from '@ledger/ingestion';
import { toPublishedEvent } from '@ledger/kafka';
import { AppendEventsCommand, LEDGER_CONFIG, MAX_BATCH_EVENTS, RequestError, type LedgerConfig } from '@ledger/ledger';
import { PgEventStore, READ_ALL_MAX_LIMIT, type StoredEvent } from '@ledger/event-store';
import { Allow } from '../auth/access.decorator';
import { AUTH_CONFIG } from '../auth/auth.tokens';
import { identityOf } from '../auth/identity';
import { ApiContract } from '../contract/openapi';
import { AppendQuery, FollowQuery } from '../contract/schemas';
import { ZodQueryPipe } from '../contract/zod-pipe';
import { APPEND_EXAMPLES, SUMMARY_EXAMPLES } from './event-examples';

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
    private readonly commands: CommandBus,
    private readonly store: PgEventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(AUTH_CONFIG) private readonly auth: AuthConfig,
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
  async append(@Req() req: Request, @Query(new ZodQueryPipe(AppendQuery)) query: { dryRun?: 'true' | 'false' }): Promise<AppendSummary> {
    const dryRun = query.dryRun === 'true';
    const recordedBy = identityOf(req)?.subject;
    // A dry run decides the whole request in one transaction that is rolled back, so that each
    // event is judged with the ones before it: the request must fit one batch.
    const maxEvents = dryRun ? Math.min(MAX_BATCH_EVENTS, this.auth.maxEventsPerRequest) : this.auth.maxEventsPerRequest;
    const batchSize = dryRun ? MAX_BATCH_EVENTS : this.config.batchSize;
    const ingestion = new Ingestion(
      { append: (events) => this.commands.execute(new AppendEventsCommand(events, { recordedBy, dryRun })) },
      batchSize,
    );
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.auth.maxBodyBytes) throw tooLarge(`a body is limited to ${this.auth.maxBodyBytes} bytes (LEDGER_MAX_BODY_BYTES)`);
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type === 'application/x-ndjson' || type === 'application/jsonl') {
      let count = 0;
      for await (const line of ndjsonLines(countingBytes(req, this.auth.maxBodyBytes))) {
        if (line.text !== undefined && line.text.trim() === '') continue;
        count += 1;
        if (count > maxEvents) {
          // The batches before have been stored (unless this is a dry run): the answer says how far it went.
          const done = await ingestion.finish();
          throw tooLarge(
            `at most ${maxEvents} events per request (LEDGER_MAX_EVENTS_PER_REQUEST${dryRun ? '; 10,000 for a dry run' : ''}); ` +
              `the first ${maxEvents} were taken: ${done.appended} appended, ${done.duplicates} duplicates, ${done.rejected.length + done.rejectedNotListed} rejected`,
          );
        }
        await ingestion.addLine(line);
      }
      return ingestion.finish();
    }
    if (type !== 'application/json') {
      throw new RequestError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Type must be application/json (an array) or application/x-ndjson, not '${type ?? ''}'`,
      );
    }
    const items = await readJsonArray(req, this.auth.maxBodyBytes);
    if (items.length > maxEvents) {
      throw tooLarge(
        `at most ${maxEvents} events per request (LEDGER_MAX_EVENTS_PER_REQUEST${dryRun ? '; 10,000 for a dry run' : ''}); this one has ${items.length}`,
      );
    }
    for (const [i, item] of items.entries()) await ingestion.addValue(i + 1, item);
    return ingestion.finish();
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

function tooLarge(message: string): RequestError {
  return new RequestError('PAYLOAD_TOO_LARGE', message);
}

/** The request's chunks, refused once more than `maxBytes` have come (a body without Content-Length). */
async function* countingBytes(req: Request, maxBytes: number): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(`a body is limited to ${maxBytes} bytes (LEDGER_MAX_BODY_BYTES)`);
    yield chunk;
  }
}

async function readJsonArray(req: Request, maxBytes: number): Promise<unknown[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of countingBytes(req, maxBytes)) chunks.push(chunk);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new RequestError('INVALID_JSON', `the body is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(body)) throw new RequestError('INVALID_JSON', 'the body must be a JSON array of events');
  return body as unknown[];
}
