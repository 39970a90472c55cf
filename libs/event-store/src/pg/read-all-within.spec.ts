import { PgEventStore } from './pg-event-store';
import type { StoredEvent } from '../event-store';
import { describeEachEngine } from '../testing/test-databases';
import { newEvent } from '../testing/events';

describeEachEngine('PgEventStore.readAllWithin: pages bounded by bytes', (get) => {
  const MB = 1024 * 1024;
  let store: PgEventStore;
  beforeAll(async () => {
    store = new PgEventStore(get().db);
    // Events stored before any size limit existed: some of a megabyte, some small.
    const events = Array.from({ length: 12 }, (_, i) =>
      newEvent(`e-${i}`, { metadata: { note: (i % 3 === 0 ? 'x' : 'y').repeat(i % 3 === 0 ? MB : 100) } }),
    );
    await store.append([{ streamId: 'budget-B-2021', events }]);
    // A follower reads below the oldest transaction still running on the whole server (decision
    // 0002): while other suites' transactions run there, it waits, as a follower does.
    const deadline = Date.now() + 60_000;
    while ((await store.readAllWithin({ after: 0n, limit: 1000, maxBytes: 100 * MB })).length < events.length) {
      if (Date.now() > deadline) throw new Error('the events never became readable to a follower');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 90_000);

  const size = (e: StoredEvent) => JSON.stringify(e.data).length + JSON.stringify(e.metadata).length;

  it('stops a page before the event that would pass the budget, never below one event, and follows the whole log', async () => {
    const seen: string[] = [];
    let after = 0n;
    let pages = 0;
    for (;;) {
      const page = await store.readAllWithin({ after, limit: 1000, maxBytes: 1.5 * MB });
      if (page.length === 0) break;
      pages += 1;
      const bytes = page.reduce((sum, e) => sum + size(e), 0);
      if (page.length > 1) expect(bytes).toBeLessThanOrEqual(1.5 * MB);
      seen.push(...page.map((e) => e.eventId));
      after = (page[page.length - 1] as StoredEvent).position;
    }
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `e-${i}`));
    expect(pages).toBe(4);
    // A budget smaller than one event still delivers it, alone.
    const [first, ...rest] = await store.readAllWithin({ after: 0n, limit: 1000, maxBytes: 10 });
    expect(first?.eventId).toBe('e-0');
    expect(rest).toEqual([]);
    // The count still bounds a page of small events.
    expect(await store.readAllWithin({ after: 0n, limit: 2, maxBytes: 100 * MB })).toHaveLength(2);
  });
});
