import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { verifyAuditChain } from '../modules/audit/audit.verify.js';

/**
 * `npm run audit:verify`: proves the audit trail has not been edited or cut. Exit 0 when every
 * event's hash and link check out, 1 naming the first broken event.
 */
const config = loadConfig();
const db = openDatabase(config.databaseUrl);
try {
  const result = await verifyAuditChain(db);
  if (result.ok) {
    console.log(`OK: ${result.count} events verified`);
  } else {
    console.error(`BROKEN: ${result.message} (${result.count} events before it verified)`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`audit:verify failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
} finally {
  await db.destroy();
}
