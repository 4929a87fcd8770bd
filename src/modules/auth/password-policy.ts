import { COMMON_PASSWORDS } from './common-passwords.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.js';

/** Messages for every rule a new password breaks; empty when it is acceptable. */
export function checkPasswordPolicy(password: string, email: string): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH)
    problems.push(`This password is too short. It must contain at least ${PASSWORD_MIN_LENGTH} characters.`);
  if (password.length > PASSWORD_MAX_LENGTH)
    problems.push(`This password is too long. It must contain at most ${PASSWORD_MAX_LENGTH} characters.`);
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) problems.push('This password is too common.');
  const normalisedEmail = email.trim().toLowerCase();
  if (normalisedEmail && (lowered === normalisedEmail || lowered === normalisedEmail.split('@')[0])) {
    problems.push('The password is too similar to the email.');
  }
  if (password.trim() === '') problems.push('This password may not be blank.');
  return problems;
}
