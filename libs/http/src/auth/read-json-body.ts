import type { Request } from 'express';
import type { z } from 'zod';
import { RequestError } from '@ledger/ledger';
import { zodMessage } from '../contract/zod-pipe';

/** Small JSON bodies (sign-in, key requests): read whole, at most this many bytes. */
const MAX_SMALL_BODY_BYTES = 16 * 1024;

/** Reads and validates a small JSON body against its contract schema (the body parser is off for the events' sake). */
export async function readJsonBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new RequestError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, not '${type ?? ''}'`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_SMALL_BODY_BYTES) throw new RequestError('PAYLOAD_TOO_LARGE', `this body is limited to ${MAX_SMALL_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new RequestError('INVALID_JSON', `the body is not valid JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new RequestError('INVALID_JSON', zodMessage(parsed.error));
  return parsed.data;
}
