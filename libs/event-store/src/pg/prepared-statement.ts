import type { QueryOptions } from '../db/database';

/** The store's statements are fixed texts, run again and again: parsed and planned once per connection. */
export const PREPARED: QueryOptions = { prepare: true };
