import { InvalidArgumentError } from '@podid/errors';

/** Throws INVALID_ARGUMENT naming the field when a required string is empty or too long. */
export function requireString(value: string, field: string, maxLength = 1024): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError('BAD_REQUEST', `${field} is required`);
  if (value.length > maxLength) throw new InvalidArgumentError('BAD_REQUEST', `${field} is longer than ${maxLength} characters`);
  return value;
}

/** Throws INVALID_ARGUMENT naming the field when a number is outside min..max. */
export function requireRange(value: number, field: string, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new InvalidArgumentError('BAD_REQUEST', `${field} must be in ${min}..${max}, got ${value}`);
  }
  return value;
}
