import { describe, expect, it } from 'vitest';
import { isValidNpi, npiProblem } from '../../src/modules/clinicians/npi.js';
import { describeReferences, referencedMessage } from '../../src/modules/common/references.js';

describe('NPI check digit', () => {
  it('accepts NPIs whose Luhn check over 80840 + 9 digits matches', () => {
    for (const npi of ['1234567893', '1245319599', '1003000126']) expect(isValidNpi(npi)).toBe(true);
  });

  it('refuses a wrong check digit, wrong lengths and non-digits', () => {
    for (const npi of ['1234567890', '1000000008', '123456789', '12345678930', '123456789a', ' 1234567893', '１２３４５６７８９３']) {
      expect(isValidNpi(npi)).toBe(false);
    }
  });

  it('explains what is wrong; blank is fine', () => {
    expect(npiProblem('')).toBeNull();
    expect(npiProblem('1234567893')).toBeNull();
    expect(npiProblem('1234567890')).toMatch(/check digit/);
    expect(npiProblem('12345')).toMatch(/10 digits/);
  });

  it('every single-digit change of a valid NPI is caught', () => {
    const valid = '1234567893';
    for (let i = 0; i < 10; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === valid[i]) continue;
        const changed = valid.slice(0, i) + d + valid.slice(i + 1);
        expect(isValidNpi(changed), changed).toBe(false);
      }
    }
  });
});

describe('reference messages', () => {
  const refs = (users: number, slots: number, appts: number) => [
    { singular: 'user account', plural: 'user accounts', count: users },
    { singular: 'appointment slot', plural: 'appointment slots', count: slots },
    { singular: 'appointment', plural: 'appointments', count: appts },
  ];

  it('names what references a record, with counts and plurals', () => {
    expect(referencedMessage('patient', refs(1, 0, 3))).toBe(
      'Cannot delete this patient: it is referenced by 1 user account and 3 appointments.',
    );
    expect(describeReferences(refs(2, 1, 1))).toBe('2 user accounts, 1 appointment slot and 1 appointment');
    expect(describeReferences(refs(0, 5, 0))).toBe('5 appointment slots');
  });

  it('is null when nothing references the record', () => {
    expect(referencedMessage('clinician', refs(0, 0, 0))).toBeNull();
  });
});
