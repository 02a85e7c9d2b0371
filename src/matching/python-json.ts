/**
 * JSON text as Python's `json.dumps` writes MCRIT's reports, where the int/float distinction is
 * visible: a float is written with a fraction or exponent (`100.0`, `1e+16`), an int without.
 * JavaScript has one number type, so the writer is told which numbers are floats.
 */

/** Python's `repr(float)`: the shortest round-trip digits (as JavaScript's), in Python's notation. */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = Object.is(value, -0) ? '-0' : String(value);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** Decides per number whether it is a float: `path` holds the keys (and array indices) leading to it. */
export type FloatRule = (path: readonly (string | number)[], value: number) => boolean;

/** `JSON.stringify` (compact, Python's separators aside) with bigints as integers and floats per `isFloat`. */
export function stringifyPythonJson(value: unknown, isFloat: FloatRule): string {
  const parts: string[] = [];
  const path: (string | number)[] = [];
  const write = (item: unknown): void => {
    if (item === null || item === undefined) parts.push('null');
    else if (typeof item === 'number') parts.push(isFloat(path, item) ? pythonFloat(item) : Number.isFinite(item) ? String(item) : pythonFloat(item));
    else if (typeof item === 'bigint') parts.push(item.toString());
    else if (typeof item === 'string' || typeof item === 'boolean') parts.push(JSON.stringify(item));
    else if (Array.isArray(item)) {
      parts.push('[');
      item.forEach((element, i) => {
        if (i > 0) parts.push(',');
        path.push(i);
        write(element);
        path.pop();
      });
      parts.push(']');
    } else {
      parts.push('{');
      let first = true;
      for (const [key, element] of Object.entries(item as Record<string, unknown>)) {
        if (element === undefined) continue;
        if (!first) parts.push(',');
        first = false;
        parts.push(JSON.stringify(key), ':');
        path.push(key);
        write(element);
        path.pop();
      }
      parts.push('}');
    }
  };
  write(value);
  return parts.join('');
}
