import type { Compilable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../db/connect.js';
import { likePattern } from '../../db/portable.js';
import { numberMark, preparedQuery, textMark } from '../../db/prepared.js';
import type { UsersTable } from '../../db/schema.js';

export type UserRow = {
  id: number;
  name: string;
  email: string;
  password: string;
  contactnumber: string;
  role: string;
  status: boolean;
  user_type: 'staff' | 'provider' | 'patient';
  linked_patient: number | null;
  linked_clinician: number | null;
  is_superuser: boolean;
  token_version: number;
  date_joined: string;
  last_login: string | null;
};

type RawUser = Omit<UserRow, 'status' | 'is_superuser' | 'user_type'> & {
  status: boolean | number;
  is_superuser: boolean | number;
  user_type: string;
};

function toUserRow(raw: RawUser): UserRow {
  return { ...raw, status: Boolean(raw.status), is_superuser: Boolean(raw.is_superuser), user_type: raw.user_type as UserRow['user_type'] };
}

const columns = [
  'id',
  'name',
  'email',
  'password',
  'contactnumber',
  'role',
  'status',
  'user_type',
  'linked_patient',
  'linked_clinician',
  'is_superuser',
  'token_version',
  'date_joined',
  'last_login',
] as const;

/** Emails are one account whatever their case: stored trimmed and lower-cased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserById(db: Database, id: number): Promise<UserRow | undefined> {
  const row = await db.selectFrom('users').select(columns).where('id', '=', id).executeTakeFirst();
  return row ? toUserRow(row as RawUser) : undefined;
}

function guardQuery(db: Database, id: number, sessionId: string | null) {
  let q = db.selectFrom('users').select(columns).where('id', '=', id);
  if (sessionId !== null) {
    q = q.select((eb) =>
      eb
        .selectFrom('refresh_tokens')
        .select(sql<number>`1`.as('live'))
        .where('family_id', '=', sessionId)
        .whereRef('refresh_tokens.user_id', '=', 'users.id')
        .where('revoked_at', 'is', null)
        .limit(1)
        .as('session_live'),
    ) as typeof q;
  }
  return q;
}

type GuardRow = RawUser & { session_live?: number | null };

const guardWithSession = preparedQuery(
  { id: numberMark(), session: textMark('session') },
  (db, a) => guardQuery(db, a.id, a.session) as unknown as Compilable<GuardRow>,
);
const guardWithoutSession = preparedQuery({ id: numberMark() }, (db, a) => guardQuery(db, a.id, null) as unknown as Compilable<GuardRow>);

/**
 * The bearer guard's one query, on every authenticated request: the user and, when the token
 * names its login, whether that login (refresh-token family) is still live. Prepared: built and
 * compiled once, only bound per request.
 */
export async function findUserWithSession(db: Database, id: number, sessionId: string | null) {
  const rows =
    sessionId === null ? await guardWithoutSession.execute(db, { id }) : await guardWithSession.execute(db, { id, session: sessionId });
  const row = rows[0];
  if (!row) return undefined;
  const { session_live, ...user } = row;
  return { user: toUserRow(user), sessionLive: sessionId === null ? null : session_live != null };
}

export async function findUserByEmail(db: Database, email: string): Promise<UserRow | undefined> {
  const row = await db.selectFrom('users').select(columns).where(sql<string>`lower(email)`, '=', normaliseEmail(email)).executeTakeFirst();
  return row ? toUserRow(row as RawUser) : undefined;
}

export async function emailTaken(db: Database, email: string, exceptId?: number): Promise<boolean> {
  let q = db.selectFrom('users').select('id').where(sql<string>`lower(email)`, '=', normaliseEmail(email));
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function userLinkedTo(db: Database, link: 'linked_patient' | 'linked_clinician', targetId: number, exceptId?: number) {
  let q = db.selectFrom('users').select('id').where(link, '=', targetId);
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export type NewUser = Omit<UsersTable, 'id' | 'token_version' | 'password_changed_at'>;

export async function insertUser(db: Database, user: NewUser): Promise<UserRow> {
  const row = await db.insertInto('users').values(user).returning(columns).executeTakeFirstOrThrow();
  return toUserRow(row as RawUser);
}

export async function updateUser(db: Database, id: number, changes: Updateable<UsersTable>): Promise<UserRow | undefined> {
  const row = await db.updateTable('users').set(changes).where('id', '=', id).returning(columns).executeTakeFirst();
  return row ? toUserRow(row as RawUser) : undefined;
}

/** Bumping the version invalidates every access token already issued to the user. */
export async function bumpTokenVersion(db: Database, id: number): Promise<void> {
  await db.updateTable('users').set({ token_version: sql`token_version + 1` }).where('id', '=', id).execute();
}

export interface UserListFilter {
  search?: string;
  user_type?: string;
  status?: boolean;
  role?: string;
  ordering?: string;
  limit: number;
  offset: number;
}

const ORDERABLE = new Set(['id', 'name', 'email', 'date_joined', 'last_login', 'user_type']);

export async function listUsers(db: Database, f: UserListFilter): Promise<{ count: number; rows: UserRow[] }> {
  let q = db.selectFrom('users');
  if (f.user_type) q = q.where('user_type', '=', f.user_type);
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.role !== undefined) q = q.where('role', '=', f.role);
  if (f.search) {
    const pattern = likePattern(f.search);
    q = q.where((eb) =>
      eb.or([eb(sql`lower(name)`, 'like', sql`${pattern} escape '\\'`), eb(sql`lower(email)`, 'like', sql`${pattern} escape '\\'`)]),
    );
  }
  const countRow = await q.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const ordering = f.ordering ?? 'id';
  const desc = ordering.startsWith('-');
  const field = ordering.replace(/^-/, '');
  const orderField = (ORDERABLE.has(field) ? field : 'id') as 'id';
  let rq = q.select(columns).orderBy(orderField, desc ? 'desc' : 'asc');
  if (orderField !== 'id') rq = rq.orderBy('id', 'asc');
  const rows = await rq.limit(f.limit).offset(f.offset).execute();
  return { count: Number(countRow.count), rows: rows.map((r) => toUserRow(r as RawUser)) };
}
