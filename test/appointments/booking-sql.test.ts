import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/connect.js';
import type { DB } from '../../src/db/schema.js';
import { claimSlotQuery, updateAppointmentIfQuery } from '../../src/modules/appointments/appointments.repository.js';
import { slotListQueries } from '../../src/modules/slots/slots.repository.js';

/**
 * The hard queries of booking, compiled for both dialects and kept in a snapshot so a change to
 * them shows in review: the conditional claim (its row count decides who gets a slot) and the
 * available_slots list (which should use the (provider, is_available, dateandtime) index).
 */
const sqlite = openSqlite(':memory:');
// Compiling needs no connection: the pool never connects.
const postgres = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) });

afterAll(async () => {
  await sqlite.destroy();
  await postgres.destroy();
});

const dialects = [
  ['sqlite', sqlite],
  ['postgres', postgres],
] as const;

describe('booking SQL', () => {
  it('claims a slot with one conditional update and no row lock', () => {
    const out: Record<string, unknown> = {};
    for (const [dialect, db] of dialects) {
      const q = claimSlotQuery(db, { id: 12, provider: 3, dateandtime: '2026-06-01T13:00:00.000Z' }, '2026-05-20T10:00:00.000Z').compile();
      out[dialect] = { sql: q.sql, parameters: q.parameters };
      expect(q.sql).toMatch(/^update "appointment_slots" set .* where "id" = .* and "is_available" = /);
      expect(q.sql.toLowerCase()).not.toContain('for update');
    }
    expect(out).toMatchSnapshot();
  });

  it('changes an appointment only while it has the status and slot it was read with', () => {
    const out: Record<string, unknown> = {};
    for (const [dialect, db] of dialects) {
      for (const slot of [12, null]) {
        const q = updateAppointmentIfQuery(db, 41, { status: 'scheduled', appointment_slot: slot }, { appointment_slot: 13 }).compile();
        out[`${dialect}, slot ${slot}`] = { sql: q.sql, parameters: q.parameters };
        expect(q.sql).toMatch(/where "id" = .* and "status" = .* and "appointment_slot" (=|is)/);
        expect(q.sql.toLowerCase()).not.toContain('for update');
      }
    }
    expect(out).toMatchSnapshot();
  });

  it('lists a provider’s available future slots in time order', () => {
    const out: Record<string, unknown> = {};
    for (const [dialect, db] of dialects) {
      const { countQuery, pageQuery } = slotListQueries(db, {
        provider: 3,
        is_available: true,
        after: '2026-05-20T10:00:00.000Z',
        range: { toExclusive: false },
        ordering: 'dateandtime',
        limit: 20,
        offset: 0,
      });
      const page = pageQuery.compile();
      out[dialect] = { count: countQuery.compile().sql, page: page.sql, parameters: page.parameters };
      expect(page.sql).toMatch(/order by "dateandtime" asc, "id" asc/);
    }
    expect(out).toMatchSnapshot();
  });
});
