/**
 * JSON compared as text, literal by literal: numbers keep their source text (`100.0` is not `100`),
 * object keys are sorted, whitespace is dropped. For comparing our reports with MCRIT's byte for byte.
 */
export function canonicalJsonText(text: string): string {
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const value = (): string => {
    skipSpace();
    const char = text[at];
    if (char === '{') {
      at++;
      const members: [string, string][] = [];
      skipSpace();
      if (text[at] === '}') return at++, '{}';
      for (;;) {
        skipSpace();
        const key = string();
        skipSpace();
        if (text[at++] !== ':') throw new SyntaxError(`expected ':' at ${at - 1}`);
        members.push([key, value()]);
        skipSpace();
        if (text[at++] === '}') break;
      }
      members.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${members.map(([key, item]) => `${key}:${item}`).join(',')}}`;
    }
    if (char === '[') {
      at++;
      const items: string[] = [];
      skipSpace();
      if (text[at] === ']') return at++, '[]';
      for (;;) {
        items.push(value());
        skipSpace();
        if (text[at++] === ']') break;
      }
      return `[${items.join(',')}]`;
    }
    if (char === '"') return string();
    const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity)/.exec(text.slice(at, at + 64));
    if (!literal) throw new SyntaxError(`unexpected ${JSON.stringify(char)} at ${at}`);
    at += literal[0].length;
    return literal[0];
  };
  const string = (): string => {
    const start = at;
    if (text[at++] !== '"') throw new SyntaxError(`expected a string at ${start}`);
    while (text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
    return JSON.stringify(JSON.parse(text.slice(start, at)));
  };
  const result = value();
  skipSpace();
  if (at !== text.length) throw new SyntaxError(`trailing text at ${at}`);
  return result;
}
