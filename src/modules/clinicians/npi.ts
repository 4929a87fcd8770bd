/**
 * National Provider Identifier check (CMS): 10 digits whose last digit is the Luhn check digit
 * computed over the card-issuer prefix "80840" followed by the first 9 digits. Equivalently, the
 * 15-digit string "80840" + all 10 digits passes the plain Luhn test.
 */
export function isValidNpi(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  const digits = `80840${npi}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // From the right: the check digit as is, every second digit left of it doubled.
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The message for a bad NPI, or null when it is blank or valid. */
export function npiProblem(npi: string): string | null {
  if (npi === '' || isValidNpi(npi)) return null;
  if (!/^\d{10}$/.test(npi)) return 'Enter a valid NPI: exactly 10 digits, or leave it blank.';
  return 'Enter a valid NPI: the check digit does not match.';
}
