import { openDatabase } from '@ledger/event-store';
import { rebuildProjections } from '@ledger/projections';

// Runs one rebuild in a process of its own, so that its peak RSS is the rebuild's alone.
async function main(): Promise<void> {
  const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, maxConnections: 2 });
  try {
    const report = await rebuildProjections(db);
    process.stdout.write(`${JSON.stringify({ ...report, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  } finally {
    await db.close();
  }
}
void main();
