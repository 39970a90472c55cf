-- A sum of amounts in 分 that stays a bigint (int8 arithmetic; an overflow is an error, as with +).
-- sum(bigint) accumulates in numeric and converts every row it outputs: the rebuild's running
-- totals (a window sum per line, eight of them on each of every movement) spend a tenth of their
-- time on that conversion alone (issue 18, rebuild speed).
CREATE AGGREGATE ledger_sum_fen(bigint) (SFUNC = int8pl, STYPE = bigint, INITCOND = '0');
