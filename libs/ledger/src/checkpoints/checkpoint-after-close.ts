import { Logger } from '@nestjs/common';
import type { LedgerEvent } from '@ledger/domain';
import type { AppendItemResult } from '../append/ledger-writer';
import type { Checkpoints } from './checkpoints';

const logger = new Logger('checkpoints');

/**
 * A closed quarter's figures are published: once a batch has stored a PeriodClosed, the log up to
 * it is signed (when a key is configured), so that every published quarterly figure has a
 * checkpoint behind it. The close is stored whatever happens here; a checkpoint that fails is
 * logged, and `ledger checkpoint` makes one later.
 */
export async function checkpointAfterClose(
  checkpoints: Checkpoints,
  events: readonly LedgerEvent[],
  results: readonly AppendItemResult[],
): Promise<void> {
  if (!checkpoints.hasKey()) return;
  const closed = results.some((result, i) => result.status === 'appended' && events[i]?.type === 'PeriodClosed');
  if (!closed) return;
  try {
    await checkpoints.create();
  } catch (error) {
    logger.error(`no checkpoint after closing a quarter: ${(error as Error).message}`);
  }
}
