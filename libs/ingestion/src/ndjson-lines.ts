import { StringDecoder } from 'node:string_decoder';

/** One line of an NDJSON input, numbered from 1. `text` is undefined when the line was too long. */
export interface NdjsonLine {
  readonly lineNo: number;
  readonly text: string | undefined;
}

/** A line longer than this is refused (LINE_TOO_LONG) without being held in memory. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/**
 * Splits a byte stream into lines, pulling chunks only as fast as the consumer takes lines, so a
 * file of any size streams through in bounded memory: at most one chunk plus one line. Multi-byte
 * UTF-8 characters split across chunks are decoded whole; '\r\n' endings are accepted.
 */
export async function* ndjsonLines(
  source: AsyncIterable<Buffer | string>,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<NdjsonLine> {
  const decoder = new StringDecoder('utf8');
  let lineNo = 0;
  let pending = '';
  let pendingBytes = 0;
  let overflow = false;
  const finish = (text: string): NdjsonLine => {
    lineNo += 1;
    const line = overflow ? { lineNo, text: undefined } : { lineNo, text: text.endsWith('\r') ? text.slice(0, -1) : text };
    pending = '';
    pendingBytes = 0;
    overflow = false;
    return line;
  };
  const take = function* (chunk: string): Generator<NdjsonLine> {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf('\n', start);
      const piece = newline === -1 ? chunk.slice(start) : chunk.slice(start, newline);
      if (!overflow) {
        pendingBytes += Buffer.byteLength(piece);
        if (pendingBytes > maxLineBytes) overflow = true;
        else pending += piece;
      }
      if (newline === -1) return;
      yield finish(pending);
      start = newline + 1;
    }
  };
  for await (const chunk of source) {
    yield* take(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  }
  yield* take(decoder.end());
  if (pending !== '' || overflow) yield finish(pending);
}
