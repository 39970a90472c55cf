/**
 * A position is `tx_id * 2^20 + index of the event in its transaction`. Numbering by the writing
 * transaction's id is what lets a follower that reads below pg_snapshot_xmin never pass a lower
 * position that is still uncommitted: every transaction still running has a tx_id ≥ that xmin, so
 * all of its positions lie above everything the follower can read. (Positions from a sequence are
 * handed out in a different order than transaction ids, which leaves that hole open.) Decision 0002.
 */
export const POSITION_TX_SHIFT = 20n;
export const MAX_EVENTS_PER_TRANSACTION = 1 << 20;
