import { HttpError } from './errors.js';

/** Query-string values, already checked against their schema patterns, turned into values. */

export function parseBoolean(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  return lower === 'true' || lower === '1';
}

export function parseInteger(value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}

/**
 * A date parameter (YYYY-MM-DD = midnight UTC, or YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM], UTC when
 * no offset is given) as milliseconds; a date that does not exist (2024-02-30) is a 400.
 */
export function parseDate(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(value);
  const invalid = () => new HttpError(400, `invalid query parameter '${name}': ${JSON.stringify(value)} is not a valid date`);
  if (!m) throw invalid();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0)) as number[];
  const check = new Date(0);
  check.setUTCFullYear(year!, month! - 1, day!); // unlike Date.UTC, keeps years 0-99 as they are
  check.setUTCHours(hour!, minute!, second!, 0);
  const ms = check.getTime();
  if (
    check.getUTCFullYear() !== year || check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day ||
    check.getUTCHours() !== hour || check.getUTCMinutes() !== minute || check.getUTCSeconds() !== second
  ) {
    throw invalid();
  }
  const fraction = m[7] ? Math.floor(Number(m[7]) * 1000) : 0;
  const zone = m[8];
  const [offsetHours, offsetMins] = zone && zone !== 'Z' ? [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))] : [0, 0];
  if (offsetHours > 23 || offsetMins > 59) throw invalid();
  const offsetMinutes = (zone?.[0] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  return ms + fraction - offsetMinutes * 60_000;
}
