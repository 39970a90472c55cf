-- Every append updates the totals of the lines it moves, a thousand rows per batch when payments
-- spread over many lines. With room left on each page the new row versions stay on the same page
-- (heap-only tuples): no index entry is written for them, and pruning reclaims the old ones without
-- waiting for VACUUM. A table of budget lines stays small, so doubling its pages costs little.
ALTER TABLE ledger_lines SET (fillfactor = 50);
