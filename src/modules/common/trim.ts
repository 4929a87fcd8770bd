import type { FastifyRequest } from 'fastify';

/**
 * Trims the top-level string fields of a JSON body before the schema validates it, so
 * `minLength: 1` means "not blank", `format: email` accepts " a@b.example " as DRF does, and
 * what is stored carries no stray whitespace. Only the ends are trimmed: the text itself
 * (Unicode names included) is kept exactly as sent.
 */
export async function trimBodyStrings(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const record = body as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string') record[key] = value.trim();
  }
}
