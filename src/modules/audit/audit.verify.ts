import type { Database } from '../../db/connect.js';
import { type ChainedFields, eventHash, GENESIS_HASH } from './audit.chain.js';

export type ChainBreak = 'edited' | 'removed_before' | 'chain_cut';

export type VerifyResult =
  | { ok: true; count: number }
  | { ok: false; count: number; brokenId: number; reason: ChainBreak; message: string };

const BATCH = 1000;

const MESSAGES: Record<ChainBreak, string> = {
  edited: 'its content does not match its hash (the row was edited)',
  removed_before: 'its previous-hash does not match the event before it (an event before it was removed or altered)',
  chain_cut: 'the first event does not start the chain (events before it were removed)',
};

/**
 * Walks the audit trail in id order and re-computes every hash. Ids may have gaps (a rolled-back
 * transaction spends an id on both databases), so the links between hashes, not the ids, decide.
 * Cutting events off the end leaves a valid, shorter chain: that is what off-site copies of the
 * latest hash are for (see SECURITY.md).
 */
export async function verifyAuditChain(db: Database): Promise<VerifyResult> {
  let expectedPrev = GENESIS_HASH;
  let lastId = 0;
  let count = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_events').selectAll().where('id', '>', lastId).orderBy('id', 'asc').limit(BATCH).execute();
    for (const row of rows) {
      const fields: ChainedFields = {
        created_at: row.created_at,
        user_id: row.user_id == null ? null : Number(row.user_id),
        user_type: row.user_type,
        action: row.action,
        resource_type: row.resource_type,
        resource_id: row.resource_id,
        patient_id: row.patient_id == null ? null : Number(row.patient_id),
        outcome: row.outcome,
        client_ip: row.client_ip,
        request_id: row.request_id,
        details: row.details,
      };
      if (eventHash(row.prev_hash, fields) !== row.hash) return broken(count, row.id, 'edited');
      if (row.prev_hash !== expectedPrev) return broken(count, row.id, count === 0 ? 'chain_cut' : 'removed_before');
      expectedPrev = row.hash;
      lastId = row.id;
      count += 1;
    }
    if (rows.length < BATCH) return { ok: true, count };
  }
}

function broken(count: number, id: number, reason: ChainBreak): VerifyResult {
  return { ok: false, count, brokenId: id, reason, message: `event ${id}: ${MESSAGES[reason]}` };
}
