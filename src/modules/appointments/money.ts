import type { FieldErrorCollector } from '../../errors.js';

/** Like DRF's DecimalField(max_digits=10, decimal_places=2): below 100 000 000, two places. */
const MAX_INTEGER_DIGITS = 8;

/**
 * A money amount sent as a number (125, 125.5) or a string ("125.50") to integer cents, exactly
 * (no float arithmetic on the value). undefined stays undefined (not sent), null stays null.
 */
export function parseAmount(errors: FieldErrorCollector, field: string, value: unknown): number | null | undefined {
  if (value === undefined || value === null) return value;
  let text: string;
  if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : '';
  else if (typeof value === 'string') text = value.trim();
  else text = '';
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) {
    errors.add(field, 'A valid number is required.');
    return undefined;
  }
  const [, sign, whole, fraction = ''] = m;
  const digits = whole.replace(/^0+(?=\d)/, '');
  const places = fraction.replace(/0+$/, '');
  if (sign === '-' && (/[1-9]/.test(digits) || places !== '')) {
    errors.add(field, 'Ensure this value is greater than or equal to 0.');
  } else if (places.length > 2) {
    errors.add(field, 'Ensure that there are no more than 2 decimal places.');
  } else if (digits.length > MAX_INTEGER_DIGITS) {
    errors.add(field, `Ensure that there are no more than ${MAX_INTEGER_DIGITS} digits before the decimal point.`);
  } else {
    return Number(digits) * 100 + Number(places.padEnd(2, '0'));
  }
  return undefined;
}

/** 12550 → "125.50". */
export function formatCents(cents: number | null): string | null {
  if (cents === null) return null;
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}
