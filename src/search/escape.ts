// FHIR search values escape the separators `,` `|` `$` and the backslash itself with a backslash.
// Values are split on unescaped separators first and unescaped last, so an escaped `\|` inside a code
// never splits it.

/** Splits on every unescaped `sep`; the parts keep their escapes. */
export function splitEscaped(value: string, sep: string): string[] {
  if (!value.includes('\\')) return value.split(sep);
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') i++;
    else if (c === sep) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

/** Splits at the first unescaped `sep` only: [before, after] or [value] when there is none. */
export function splitFirst(value: string, sep: string): [string] | [string, string] {
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') i++;
    else if (c === sep) return [value.slice(0, i), value.slice(i + 1)];
  }
  return [value];
}

/** Removes the escaping backslashes. */
export function unescapeValue(value: string): string {
  return value.includes('\\') ? value.replace(/\\(.)/gs, '$1') : value;
}
