import { createHash } from 'node:crypto';

/** The fields an event's hash covers, in a fixed order. */
export interface ChainedFields {
  created_at: string;
  user_id: number | null;
  user_type: string;
  action: string;
  resource_type: string;
  resource_id: string;
  patient_id: number | null;
  outcome: string;
  client_ip: string;
  request_id: string;
  details: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * Each event's hash covers its own fields and the previous event's hash, so editing any row or
 * removing one from the middle breaks every hash after it.
 */
export function eventHash(prevHash: string, e: ChainedFields): string {
  const canonical = JSON.stringify([
    prevHash,
    e.created_at,
    e.user_id,
    e.user_type,
    e.action,
    e.resource_type,
    e.resource_id,
    e.patient_id,
    e.outcome,
    e.client_ip,
    e.request_id,
    e.details,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
