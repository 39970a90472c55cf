import { OwnerLock } from '../db/owner/owner-lock';

/**
 * A process that tries to take a data directory's lock at a given instant (for the race test in
 * owner-lock.spec.ts): prints `acquired` or `owner <pid>`, and holds a lock it took for `holdMs`.
 */
const [dataDir, startAt, holdMs] = process.argv.slice(2);
const start = Number(startAt);
// Busy-wait rather than sleep: the racers should leave this loop within the same millisecond.
while (Date.now() < start);
const taken = OwnerLock.acquire(dataDir as string, 'race');
if (taken instanceof OwnerLock) {
  process.stdout.write('acquired\n');
  setTimeout(() => taken.release(), Number(holdMs));
} else {
  process.stdout.write(`owner ${taken.pid}\n`);
}
