import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { type ChainHead, verifyAuditChain } from '../modules/audit/audit.verify.js';
import { parseArgs } from './args.js';

const USAGE = `Usage: npm run audit:verify -- [--expect ID:HASH]

Re-computes the audit trail's hash chain. Exit 0 when every event's hash and link check out,
1 naming the first broken event, 2 when the check could not run.

  --expect ID:HASH   a checkpoint printed by an earlier run and kept off this server: the trail
                     must still hold that event with that hash (nothing up to it was cut).`;

function parseCheckpoint(raw: string | true | undefined): ChainHead | undefined {
  if (raw === undefined) return undefined;
  const m = typeof raw === 'string' ? /^(\d+):([0-9a-f]{64})$/.exec(raw.trim()) : null;
  if (!m) throw new Error('--expect must be ID:HASH as printed by an earlier run (e.g. 1042:9f86d0…)');
  return { id: Number(m[1]), hash: m[2] };
}

/**
 * `npm run audit:verify`: proves the audit trail has not been edited or cut, and prints the head
 * to keep as the next checkpoint.
 */
const args = parseArgs(process.argv.slice(2));
if (args.help) {
  console.log(USAGE);
} else {
  let db: ReturnType<typeof openDatabase> | null = null;
  try {
    const checkpoint = parseCheckpoint(args.expect);
    db = openDatabase(loadConfig().databaseUrl);
    const result = await verifyAuditChain(db, checkpoint);
    if (result.ok) {
      console.log(`OK: ${result.count} events verified${checkpoint ? `, checkpoint ${checkpoint.id} found intact` : ''}`);
      if (result.head) {
        console.log(`Checkpoint for the next run (keep it off this server): --expect ${result.head.id}:${result.head.hash}`);
      }
    } else {
      console.error(`BROKEN: ${result.message} (${result.count} events before it verified)`);
      process.exitCode = 1;
    }
  } catch (err) {
    console.error(`audit:verify failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  } finally {
    await db?.destroy();
  }
}
