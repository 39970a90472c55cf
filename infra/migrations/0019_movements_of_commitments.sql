-- A line's commitments in its trace are read from the few movements that change `committed` (a
-- commitment, a release, a payment against a commitment). Found through the line's key alone,
-- every movement of the line was read to find them: 51,150 rows and 11 ms for a line of 50,000
-- payments, growing with the line's history (issue 18, trace). This index holds only those rows,
-- so that finding them costs what they are, and an append of a plain payment does not touch it.
CREATE INDEX ledger_movements_commitments ON ledger_movements (line_id, position) WHERE committed_fen <> 0;
