import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('lets a burst through, then asks to wait, then refills at the rate', () => {
    const limiter = new RateLimiter(60, 3); // one a second, three at once
    expect([0, 1, 2].map(() => limiter.take('k', 0))).toEqual([0, 0, 0]);
    expect(limiter.take('k', 0)).toBe(1);
    expect(limiter.take('k', 500)).toBe(1);
    expect(limiter.take('k', 1_000)).toBe(0);
    expect(limiter.take('k', 1_000)).toBe(1);
  });

  it('keeps a bucket per identity', () => {
    const limiter = new RateLimiter(60, 1);
    expect(limiter.take('a', 0)).toBe(0);
    expect(limiter.take('a', 0)).toBe(1);
    expect(limiter.take('b', 0)).toBe(0);
  });

  it('says how many whole seconds to wait at a slow rate', () => {
    const limiter = new RateLimiter(6, 1); // one every 10 s
    limiter.take('k', 0);
    expect(limiter.take('k', 0)).toBe(10);
  });

  it('follows at most maxTracked identities, forgetting the oldest', () => {
    const limiter = new RateLimiter(60, 1, 2);
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('c', 0); // forgets a
    expect(limiter.take('a', 0)).toBe(0);
    expect(limiter.take('c', 0)).toBe(1);
  });
});
