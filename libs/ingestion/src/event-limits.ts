import { EVENT_LIMITS, type ParseOptions } from '@ledger/domain';

/**
 * `LEDGER_MAX_EVENT_BYTES`: the largest event accepted, in bytes of its JSON, metadata included
 * (default 64 KiB). One limit for every way in: NDJSON, JSON arrays and Kafka all parse through
 * parseEvent with it.
 */
export function eventParseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ParseOptions {
  const text = env.LEDGER_MAX_EVENT_BYTES?.trim();
  if (text === undefined || text === '') return { maxEventBytes: EVENT_LIMITS.eventBytes };
  const bytes = Number(text);
  if (!Number.isInteger(bytes) || bytes < 1024 || bytes > 16 * 1024 * 1024) {
    throw new Error(`LEDGER_MAX_EVENT_BYTES must be an integer from 1024 to 16777216, not '${text}'`);
  }
  return { maxEventBytes: bytes };
}
