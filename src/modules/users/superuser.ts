import type { Database } from '../../db/connect.js';
import { recordAudit } from '../audit/audit.service.js';
import { checkPasswordPolicy } from '../auth/password-policy.js';
import { hashPassword } from '../auth/passwords.js';
import { emailTaken, insertUser, normaliseEmail, type UserRow } from './users.repository.js';

export class SuperuserInputError extends Error {}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Creates a staff superuser; throws SuperuserInputError with every problem found. */
export async function createSuperuser(db: Database, input: { email: string; name: string; password: string }): Promise<UserRow> {
  const email = normaliseEmail(input.email);
  const problems: string[] = [];
  if (!EMAIL.test(email)) problems.push('email: enter a valid email address.');
  if (input.name.trim() === '') problems.push('name: may not be blank.');
  for (const p of checkPasswordPolicy(input.password, email)) problems.push(`password: ${p}`);
  if (problems.length === 0 && (await emailTaken(db, email))) problems.push('email: a user with this email already exists.');
  if (problems.length > 0) throw new SuperuserInputError(problems.join('\n'));
  const password = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const user = await insertUser(trx, {
      name: input.name.trim(),
      email,
      password,
      contactnumber: '',
      role: '',
      status: true,
      user_type: 'staff',
      linked_patient: null,
      linked_clinician: null,
      is_superuser: true,
      date_joined: new Date().toISOString(),
      last_login: null,
    });
    await recordAudit(
      trx,
      { userId: null, userType: 'cli', clientIp: 'local', requestId: 'createsuperuser' },
      {
        action: 'create',
        resourceType: 'user',
        resourceId: user.id,
        details: { fields: ['email', 'name', 'password', 'user_type'], superuser: true },
      },
    );
    return user;
  });
}
