import type { Database } from '../../db/connect.js';
import { type ChainedFields, eventHash, GENESIS_HASH } from './audit.chain.js';

export type ChainBreak = 'edited' | 'removed_before' | 'chain_cut' | 'checkpoint';

/** The latest event: keep (id, hash) somewhere the server cannot write, to check later. */
export interface ChainHead {
  id: number;
  hash: string;
}

export type VerifyResult =
  | { ok: true; count: number; head: ChainHead | null }
  | { ok: false; count: number; brokenId: number; reason: ChainBreak; message: string };

const BATCH = 1000;

const MESSAGES: Record<ChainBreak, string> = {
  edited: 'its content does not match its hash (the row was edited)',
  removed_before: 'its previous-hash does not match the event before it (an event before it was removed or altered)',
  chain_cut: 'the first event does not start the chain (events before it were removed)',
  checkpoint: 'the checkpoint event is missing or has another hash (the trail was cut or rewritten after it)',
};

/**
 * Walks the audit trail in id order and re-computes every hash. Ids may have gaps (a rolled-back
 * transaction spends an id on both databases), so the links between hashes, not the ids, decide.
 * Cutting events off the end leaves a valid, shorter chain: that is what a checkpoint is for, the
 * head of an earlier run kept off the server (`--expect ID:HASH`, see SECURITY.md): the chain
 * must still hold that very event, so nothing up to it was cut or rewritten.
 */
export async function verifyAuditChain(db: Database, checkpoint?: ChainHead): Promise<VerifyResult> {
  let checkpointSeen = checkpoint === undefined;
  let head: ChainHead | null = null;
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
      if (checkpoint && row.id === checkpoint.id) {
        if (row.hash !== checkpoint.hash) return broken(count, row.id, 'checkpoint');
        checkpointSeen = true;
      }
      expectedPrev = row.hash;
      head = { id: row.id, hash: row.hash };
      lastId = row.id;
      count += 1;
    }
    if (rows.length < BATCH) {
      if (!checkpointSeen && checkpoint) return broken(count, checkpoint.id, 'checkpoint');
      return { ok: true, count, head };
    }
  }
}

function broken(count: number, id: number, reason: ChainBreak): VerifyResult {
  return { ok: false, count, brokenId: id, reason, message: `event ${id}: ${MESSAGES[reason]}` };
}
