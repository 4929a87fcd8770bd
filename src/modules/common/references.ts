/**
 * Deletion safety. Clinical records are never cascaded away: the restricting foreign keys are the
 * guarantee, and these helpers turn "what still points at this record" into the 409 message.
 */

export interface ReferenceCount {
  /** Singular noun, e.g. "user account". */
  singular: string;
  plural: string;
  count: number;
}

function phrase(r: ReferenceCount): string {
  return `${r.count} ${r.count === 1 ? r.singular : r.plural}`;
}

/** "1 user account and 3 appointments"; null when nothing references the record. */
export function describeReferences(refs: ReferenceCount[]): string | null {
  const parts = refs.filter((r) => r.count > 0).map(phrase);
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0];
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The 409 detail for a record that cannot be deleted, e.g. "Cannot delete this patient: …". */
export function referencedMessage(resource: string, refs: ReferenceCount[]): string | null {
  const described = describeReferences(refs);
  return described === null ? null : `Cannot delete this ${resource}: it is referenced by ${described}.`;
}
