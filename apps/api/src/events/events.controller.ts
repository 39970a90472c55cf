import { Controller, Get, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Ingestion, ndjsonLines, toPublishedEvent, type AppendSummary } from '@ledger/ingestion';
import { AppendEventsCommand, LEDGER_CONFIG, RequestError, type LedgerConfig } from '@ledger/ledger';
import { PgEventStore, READ_ALL_MAX_LIMIT } from '@ledger/event-store';

/** A JSON array body is parsed whole, so it has a size limit; NDJSON streams in any size. */
export const MAX_JSON_BODY_BYTES = 32 * 1024 * 1024;
const MAX_WAIT_SECONDS = 30;
/**
 * Bytes of data and metadata per page of `GET /v1/events` (default and most): a page always fits
 * in a response whatever the events hold, and always has at least one event.
 */
export const DEFAULT_PAGE_BYTES = 4 * 1024 * 1024;
export const MAX_PAGE_BYTES = 32 * 1024 * 1024;

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: PgEventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Store events: a JSON array, or NDJSON (Content-Type: application/x-ndjson) of any size. Answers {appended, duplicates, rejected}.',
  })
  @ApiConsumes('application/json', 'application/x-ndjson')
  @ApiBody({ schema: { type: 'array', items: { type: 'object' } } })
  async append(@Req() req: Request): Promise<AppendSummary> {
    const ingestion = new Ingestion({ append: (events) => this.commands.execute(new AppendEventsCommand(events)) }, this.config.batchSize);
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type === 'application/x-ndjson' || type === 'application/jsonl') {
      for await (const line of ndjsonLines(req)) await ingestion.addLine(line);
      return ingestion.finish();
    }
    if (type !== 'application/json')
      throw new RequestError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Type must be application/json (an array) or application/x-ndjson, not '${type ?? ''}'`,
      );
    const items = await readJsonArray(req);
    for (const [i, item] of items.entries()) await ingestion.addValue(i + 1, item);
    return ingestion.finish();
  }

  @Get()
  @ApiOperation({ summary: 'Follow the log: events with position > after, in order; never skips an event that commits late.' })
  @ApiQuery({ name: 'after', required: false, description: 'last position seen, as returned in lastPosition (default 0)' })
  @ApiQuery({ name: 'limit', required: false, description: `at most this many (default 1000, max ${READ_ALL_MAX_LIMIT})` })
  @ApiQuery({
    name: 'maxBytes',
    required: false,
    description: `stop the page before its events' data and metadata pass this many bytes (default ${DEFAULT_PAGE_BYTES}, max ${MAX_PAGE_BYTES}); a page always has at least one event`,
  })
  @ApiQuery({
    name: 'wait',
    required: false,
    description: `long-poll: wait up to this many seconds (max ${MAX_WAIT_SECONDS}) for an event`,
  })
  async follow(
    @Query('after') afterText?: string,
    @Query('limit') limitText?: string,
    @Query('wait') waitText?: string,
    @Query('maxBytes') maxBytesText?: string,
  ) {
    const after = parsePosition(afterText ?? '0');
    const limit = parseInteger(limitText ?? '1000', 'limit', 1, READ_ALL_MAX_LIMIT);
    const maxBytes = parseInteger(maxBytesText ?? String(DEFAULT_PAGE_BYTES), 'maxBytes', 1, MAX_PAGE_BYTES);
    const waitMs = parseInteger(waitText ?? '0', 'wait', 0, MAX_WAIT_SECONDS) * 1000;
    const deadline = Date.now() + waitMs;
    let events = await this.store.readAllWithin({ after, limit, maxBytes });
    while (events.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      events = await this.store.readAllWithin({ after, limit, maxBytes });
    }
    const last = events[events.length - 1];
    return {
      events: events.map(toPublishedEvent),
      lastPosition: (last === undefined ? after : last.position).toString(),
    };
  }
}

const MAX_POSITION = 2n ** 63n - 1n;

function parsePosition(text: string): bigint {
  if (!/^\d{1,19}$/.test(text) || BigInt(text) > MAX_POSITION)
    throw new RequestError('INVALID_QUERY', 'after: must be a position (an integer from 0 to 2^63-1)');
  return BigInt(text);
}

function parseInteger(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new RequestError('INVALID_QUERY', `${name}: must be an integer from ${min} to ${max}`);
  return Number(text);
}

async function readJsonArray(req: Request): Promise<unknown[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY_BYTES)
      throw new RequestError(
        'PAYLOAD_TOO_LARGE',
        `a JSON body is limited to ${MAX_JSON_BODY_BYTES} bytes; send NDJSON (application/x-ndjson) for bulk`,
      );
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new RequestError('INVALID_JSON', `the body is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(body)) throw new RequestError('INVALID_JSON', 'the body must be a JSON array of events');
  return body as unknown[];
}
