import { Logger } from '@nestjs/common';
import type { LedgerEvent } from '@ledger/domain';
import type { AppendItemResult } from '../append/ledger-writer';
import type { Checkpoints } from './checkpoints';

const logger = new Logger('checkpoints');

/**
 * A closed quarter's figures are published, and so are a closed year's: once a batch has stored a
 * PeriodClosed or a YearClosed (with the events the ledger derived from it), the log up to it is
 * signed (when a key is configured), so that every published quarterly and year-end figure has a
 * checkpoint behind it. The close is stored whatever happens here; a checkpoint that fails is
 * logged, and `ledger checkpoint` makes one later.
 */
export async function checkpointAfterClose(
  checkpoints: Checkpoints,
  events: readonly LedgerEvent[],
  results: readonly AppendItemResult[],
): Promise<void> {
  if (!checkpoints.hasKey()) return;
  const closed = results.some(
    (result, i) => result.status === 'appended' && (events[i]?.type === 'PeriodClosed' || events[i]?.type === 'YearClosed'),
  );
  if (!closed) return;
  try {
    await checkpoints.create();
  } catch (error) {
    logger.error(`no checkpoint after closing a quarter or a year: ${(error as Error).message}`);
  }
}
