import type { FastifyRequest } from 'fastify';
import type { Database } from '../../db/connect.js';
import { constraintViolation } from '../../db/portable.js';
import { FieldErrorCollector, NotFoundError, ValidationError } from '../../errors.js';
import { absoluteUrl } from '../../http/pagination.js';
import type { CurrentUser } from '../../plugins/auth.js';
import { type AuditContext, changedFields, recordAudit } from '../audit/audit.service.js';
import { checkPasswordPolicy } from '../auth/password-policy.js';
import { hashPassword } from '../auth/passwords.js';
import { revokeAllForUser } from '../auth/tokens.service.js';
import {
  bumpTokenVersion,
  emailTaken,
  findUserById,
  insertUser,
  normaliseEmail,
  type UserRow,
  updateUser,
  userLinkedTo,
} from './users.repository.js';
import type { UserWrite } from './users.schemas.js';

/** The API shape of a user: never the password hash or internal counters. */
export function presentUser(request: FastifyRequest, u: CurrentUser | UserRow) {
  return {
    id: u.id,
    url: absoluteUrl(request, `/api/users/${u.id}/`),
    name: u.name,
    email: u.email,
    contactnumber: u.contactnumber,
    role: u.role,
    status: u.status,
    user_type: u.user_type,
    linked_patient: u.linked_patient,
    linked_clinician: u.linked_clinician,
    date_joined: u.date_joined,
    last_login: u.last_login,
  };
}

type Resolved = {
  name: string;
  email: string;
  contactnumber: string;
  role: string;
  status: boolean;
  user_type: UserRow['user_type'];
  linked_patient: number | null;
  linked_clinician: number | null;
};

/**
 * The link rules of the contract: a patient user needs linked_patient, a provider needs
 * linked_clinician, staff neither; each patient or clinician has at most one account.
 */
async function checkUser(db: Database, u: Resolved, password: string | undefined, exceptId?: number) {
  const errors = new FieldErrorCollector();
  if (u.name.trim() === '') errors.add('name', 'This field may not be blank.');
  if (await emailTaken(db, u.email, exceptId)) errors.add('email', 'user with this email already exists.');

  if (u.user_type === 'patient') {
    if (u.linked_patient == null) errors.add('linked_patient', 'A patient user must be linked to a patient record.');
    if (u.linked_clinician != null) errors.add('linked_clinician', 'A patient user cannot be linked to a clinician.');
  } else if (u.user_type === 'provider') {
    if (u.linked_clinician == null) errors.add('linked_clinician', 'A provider user must be linked to a clinician record.');
    if (u.linked_patient != null) errors.add('linked_patient', 'A provider user cannot be linked to a patient.');
  } else {
    if (u.linked_patient != null) errors.add('linked_patient', 'A staff user cannot be linked to a patient.');
    if (u.linked_clinician != null) errors.add('linked_clinician', 'A staff user cannot be linked to a clinician.');
  }
  if (u.linked_patient != null && errors.empty) {
    const exists = await db.selectFrom('patients').select('id').where('id', '=', u.linked_patient).executeTakeFirst();
    if (!exists) errors.add('linked_patient', `Invalid pk "${u.linked_patient}" - object does not exist.`);
    else if (await userLinkedTo(db, 'linked_patient', u.linked_patient, exceptId))
      errors.add('linked_patient', 'This patient already has a user account.');
  }
  if (u.linked_clinician != null && errors.empty) {
    const exists = await db.selectFrom('clinician_users').select('id').where('id', '=', u.linked_clinician).executeTakeFirst();
    if (!exists) errors.add('linked_clinician', `Invalid pk "${u.linked_clinician}" - object does not exist.`);
    else if (await userLinkedTo(db, 'linked_clinician', u.linked_clinician, exceptId)) {
      errors.add('linked_clinician', 'This clinician already has a user account.');
    }
  }
  if (password !== undefined) {
    for (const message of checkPasswordPolicy(password, u.email)) errors.add('password', message);
  }
  errors.throwIfAny();
}

/** A race between the check and the write ends here: the database's unique indexes decide. */
function mapUniqueRace(err: unknown): never {
  const v = constraintViolation(err);
  if (v?.kind === 'unique') {
    if (v.detail.includes('email')) throw ValidationError.field('email', 'user with this email already exists.');
    if (v.detail.includes('linked_patient')) throw ValidationError.field('linked_patient', 'This patient already has a user account.');
    if (v.detail.includes('linked_clinician'))
      throw ValidationError.field('linked_clinician', 'This clinician already has a user account.');
  }
  if (v?.kind === 'foreign_key') throw ValidationError.field('non_field_errors', 'A linked record does not exist.');
  throw err;
}

export async function createUser(db: Database, ctx: AuditContext, body: UserWrite & { name: string; email: string; password: string }) {
  const resolved: Resolved = {
    name: body.name.trim(),
    email: normaliseEmail(body.email),
    contactnumber: (body.contactnumber ?? '').trim(),
    role: body.role ?? '',
    status: body.status ?? true,
    user_type: body.user_type ?? 'staff',
    linked_patient: body.linked_patient ?? null,
    linked_clinician: body.linked_clinician ?? null,
  };
  await checkUser(db, resolved, body.password);
  const passwordHash = await hashPassword(body.password);
  try {
    return await db.transaction().execute(async (trx) => {
      const user = await insertUser(trx, {
        ...resolved,
        password: passwordHash,
        is_superuser: false,
        date_joined: new Date().toISOString(),
        last_login: null,
      });
      await recordAudit(trx, ctx, {
        action: 'create',
        resourceType: 'user',
        resourceId: user.id,
        details: {
          fields: Object.keys(body)
            .filter((k) => k !== 'password')
            .sort(),
          password_set: true,
        },
      });
      return user;
    });
  } catch (err) {
    mapUniqueRace(err);
  }
}

/**
 * PUT and PATCH: the same rules; PUT's schema requires name and email. Fields left out keep
 * their values, as in Django REST Framework.
 */
export async function changeUser(db: Database, ctx: AuditContext, actor: CurrentUser, id: number, body: UserWrite) {
  const existing = await findUserById(db, id);
  if (!existing) throw new NotFoundError();
  const pick = <K extends keyof Resolved>(key: K): Resolved[K] =>
    (body[key as keyof UserWrite] as Resolved[K] | undefined) ?? existing[key];
  const resolved: Resolved = {
    name: (body.name ?? existing.name).trim(),
    email: normaliseEmail(body.email ?? existing.email),
    contactnumber: pick('contactnumber').trim(),
    role: pick('role'),
    status: pick('status'),
    user_type: pick('user_type'),
    linked_patient: 'linked_patient' in body ? (body.linked_patient ?? null) : existing.linked_patient,
    linked_clinician: 'linked_clinician' in body ? (body.linked_clinician ?? null) : existing.linked_clinician,
  };
  if (actor.id === id && (resolved.status === false || resolved.user_type !== 'staff')) {
    // A staff member locking themselves out is almost always a mistake, and unrecoverable
    // without another staff account.
    throw ValidationError.field('non_field_errors', 'You cannot deactivate your own account or change your own user type.');
  }
  await checkUser(db, resolved, body.password, id);
  const passwordHash = body.password !== undefined ? await hashPassword(body.password) : undefined;
  const changed = changedFields(existing, resolved);
  // Anything that changes who this account is or whether it may act ends its sessions.
  const cutSessions =
    passwordHash !== undefined ||
    (existing.status && !resolved.status) ||
    existing.user_type !== resolved.user_type ||
    changed.some((f) => f.startsWith('linked_'));
  try {
    return await db.transaction().execute(async (trx) => {
      const user = await updateUser(trx, id, {
        ...resolved,
        ...(passwordHash !== undefined ? { password: passwordHash, password_changed_at: new Date().toISOString() } : {}),
      });
      if (!user) throw new NotFoundError();
      if (cutSessions) {
        await bumpTokenVersion(trx, id);
        await revokeAllForUser(trx, id);
      }
      await recordAudit(trx, ctx, {
        action: passwordHash !== undefined ? 'update_with_password_reset' : 'update',
        resourceType: 'user',
        resourceId: id,
        details: { fields: passwordHash !== undefined ? [...changed, 'password'] : changed, sessions_revoked: cutSessions },
      });
      return cutSessions ? ((await findUserById(trx, id)) ?? user) : user;
    });
  } catch (err) {
    mapUniqueRace(err);
  }
}
