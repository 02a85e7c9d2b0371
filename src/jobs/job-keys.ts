import { createHash } from 'node:crypto';
import type { EnqueueRequest, JsonValue } from './types.js';

/** JSON with object keys sorted at every level, so equal parameters give equal text. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as JsonValue)}`).join(',')}}`;
}

/** The de-duplication key: method, parameters (without `force_recalculation`) and the input's sha256. */
export function dedupKey(request: Pick<EnqueueRequest, 'method' | 'parameters' | 'input'>): string {
  const { force_recalculation: _ignored, ...parameters } = request.parameters;
  return createHash('sha256')
    .update(request.method)
    .update('\0')
    .update(canonicalJson(parameters))
    .update('\0')
    .update(request.input?.sha256 ?? '')
    .digest('hex');
}

function collectValues(value: JsonValue, out: string[]): void {
  if (value === null) return;
  if (Array.isArray(value)) value.forEach((v) => collectValues(v, out));
  else if (typeof value === 'object') Object.values(value).forEach((v) => collectValues(v, out));
  else out.push(String(value));
}

/** The text the `filter` of the job list searches (id, method, result id, parameter values), lower-cased. */
export function searchText(names: string[], parameters: JsonValue): string {
  const parts = [...names];
  collectValues(parameters, parts);
  return parts.join('\n').toLowerCase();
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
