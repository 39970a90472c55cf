import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { AuthConfig } from '@ledger/auth';
import { Ingestion, ndjsonLines, type AppendSummary } from '@ledger/ingestion';
import { AppendEventsCommand, LEDGER_CONFIG, MAX_BATCH_EVENTS, RequestError, type LedgerConfig } from '@ledger/ledger';
import { AUTH_CONFIG } from '../auth/auth.tokens';
import { AppendQuery } from '../contract/schemas';
import { ZodQueryPipe } from '../contract/zod-pipe';

/** POST /v1/events's query string, validated as the contract documents it (400 INVALID_QUERY otherwise). */
export const APPEND_QUERY_PIPE = new ZodQueryPipe(AppendQuery);
export type AppendQueryValue = { dryRun?: 'true' | 'false' };

/**
 * The work of POST /v1/events once the caller is admitted and the query read: the body, a JSON
 * array or NDJSON streamed, within the body and event limits, through Ingestion and the
 * AppendEventsCommand. EventsController.append and the lean path (lean-append.handler.ts) both call it.
 */
@Injectable()
export class EventsIntake {
  constructor(
    private readonly commands: CommandBus,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(AUTH_CONFIG) private readonly auth: AuthConfig,
  ) {}

  async append(req: IncomingMessage, query: AppendQueryValue, recordedBy: string | undefined): Promise<AppendSummary> {
    const dryRun = query.dryRun === 'true';
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
}

function tooLarge(message: string): RequestError {
  return new RequestError('PAYLOAD_TOO_LARGE', message);
}

/** The request's chunks, refused once more than `maxBytes` have come (a body without Content-Length). */
async function* countingBytes(req: IncomingMessage, maxBytes: number): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(`a body is limited to ${maxBytes} bytes (LEDGER_MAX_BODY_BYTES)`);
    yield chunk;
  }
}

async function readJsonArray(req: IncomingMessage, maxBytes: number): Promise<unknown[]> {
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
