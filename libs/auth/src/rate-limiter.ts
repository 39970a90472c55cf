/**
 * Requests per identity, as token buckets: each identity may make `burst` requests at once and
 * `perMinute` a minute over time. In memory, per process: a limit against a runaway client, not
 * an accounting. At most `maxTracked` identities are followed; past that the oldest are forgotten
 * (which can only let a forgotten one through sooner).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly maxTracked = 100_000,
  ) {
    if (!(perMinute > 0) || !(burst >= 1)) throw new RangeError('rate limit: perMinute > 0 and burst ≥ 1');
  }

  /** Takes one request for `who`: 0 when allowed, else the whole seconds to wait before the next. */
  take(who: string, nowMs: number): number {
    const ratePerMs = this.perMinute / 60_000;
    let bucket = this.buckets.get(who);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxTracked) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      bucket = { tokens: this.burst, updatedMs: nowMs };
      this.buckets.set(who, bucket);
    } else {
      bucket.tokens = Math.min(this.burst, bucket.tokens + (nowMs - bucket.updatedMs) * ratePerMs);
      bucket.updatedMs = nowMs;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000));
  }
}
