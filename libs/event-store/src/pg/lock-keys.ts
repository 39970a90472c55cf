import { createHash } from 'node:crypto';

/** Advisory lock key of a stream: the first 8 bytes of sha256(streamId) as a signed int8. A collision only costs some waiting. */
export function streamLockKey(streamId: string): bigint {
  return createHash('sha256').update(streamId, 'utf8').digest().readBigInt64BE(0);
}

/** The lock keys of the streams a store has appended to lately, as decimal digits (a store appends to the same streams again and again). */
export class LockKeys {
  private static readonly MAX_ENTRIES = 10_000;
  private readonly byStream = new Map<string, string>();

  digits(streamId: string): string {
    let key = this.byStream.get(streamId);
    if (key === undefined) {
      if (this.byStream.size >= LockKeys.MAX_ENTRIES) this.byStream.clear();
      key = streamLockKey(streamId).toString();
      this.byStream.set(streamId, key);
    }
    return key;
  }
}
