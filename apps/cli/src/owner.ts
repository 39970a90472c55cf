import type { OwnerRecord } from '@ledger/event-store';
import { ledgerConfigFromEnv, withOwner, type LedgerConfig } from '@ledger/ledger';

/**
 * The ledger's configuration for a CLI command: the command is named in the owner lock of an
 * embedded store, and a long-running one (`serve`, `consume`, `publish`) serves the store to the
 * other commands while it runs (DESIGN.md §10).
 */
export function cliLedgerConfig(command: string, share: boolean): LedgerConfig {
  const config = ledgerConfigFromEnv();
  return withOwner(config, { command: `ledger ${command}`, share, onWait: (owner) => tellWaiting(config, owner) });
}

function tellWaiting(config: LedgerConfig, owner: OwnerRecord): void {
  const seconds = Math.round((config.database.owner?.waitMs ?? 0) / 1000);
  process.stderr.write(
    `ledger: LEDGER_DATA_DIR is in use by PID ${owner.pid} (${owner.command}); waiting up to ${seconds} s for it to finish…\n`,
  );
}
