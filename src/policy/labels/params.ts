// Which search parameters read data a masked resource withholds. Searching by such a parameter must
// not match a resource the principal sees masked: a match (or a count) would disclose the hidden
// value. The test reads the parameter's FHIRPath expression and errs towards "touches": a false
// "yes" only hides a masked resource from one more search; a false "no" leaks.
import { fhirPathName, skeletonOf, withheldNames } from './elements.js';
import type { LabellingPolicy } from './policy.js';

const KEYWORDS = new Set(['and', 'or', 'xor', 'implies', 'is', 'as', 'in', 'contains', 'div', 'mod', 'true', 'false']);
/** Roots that stand for the resource itself. */
const RESOURCE_ROOTS = new Set(['Resource', 'DomainResource', '%resource', '%rootResource', '%context', '$this']);
/** Functions that walk every element: whatever is withheld may be read through them. */
const WALKS_EVERYTHING = new Set(['descendants', 'children', 'repeat', 'allDescendants']);
/** Functions whose argument is a type name, not a path. */
const TYPE_ARGUMENT = new Set(['ofType', 'is', 'as']);

interface Token { text: string; kind: 'ident' | 'dot' | 'open' | 'close' | 'other' }

/** Identifiers (plain, `delimited`, %vars, $this), dots and parentheses; string literals dropped. */
function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i]!;
    if (c === "'") {
      i++;
      while (i < expression.length && expression[i] !== "'") i += expression[i] === '\\' ? 2 : 1;
      i++;
      tokens.push({ text: "''", kind: 'other' });
    } else if (c === '`') {
      const end = expression.indexOf('`', i + 1);
      const stop = end < 0 ? expression.length : end;
      tokens.push({ text: expression.slice(i + 1, stop), kind: 'ident' });
      i = stop + 1;
    } else if (/[A-Za-z_%$]/.test(c)) {
      const m = /^[%$]?[A-Za-z_][A-Za-z0-9_]*/.exec(expression.slice(i));
      const text = m ? m[0] : c;
      tokens.push({ text, kind: 'ident' });
      i += text.length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(expression.slice(i))!;
      tokens.push({ text: m[0], kind: 'other' });
      i += m[0].length;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      tokens.push({ text: c, kind: c === '.' ? 'dot' : c === '(' ? 'open' : c === ')' ? 'close' : 'other' });
      i++;
    }
  }
  return tokens;
}

/**
 * The top-level element names of `type` the expression may read, or 'everything'. A path rooted at
 * the type (or at the resource) reads its second step; a path that starts with a bare name (the
 * argument of where(), select(), exists() ...) is taken to read that name, which over-approximates.
 */
function elementsRead(expression: string, type: string): Set<string> | 'everything' {
  const tokens = tokenize(expression);
  const read = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'ident') continue;
    const isCall = tokens[i + 1]?.kind === 'open';
    if (isCall && WALKS_EVERYTHING.has(t.text)) return 'everything';
    if (tokens[i - 1]?.kind === 'dot' || isCall || KEYWORDS.has(t.text)) continue;
    const before = tokens[i - 1];
    const typeArgument = (before?.kind === 'ident' && (before.text === 'is' || before.text === 'as')) ||
      (before?.kind === 'open' && tokens[i - 2]?.kind === 'ident' && TYPE_ARGUMENT.has(tokens[i - 2]!.text));
    if (typeArgument) continue;
    if (t.text === type || RESOURCE_ROOTS.has(t.text)) {
      const next = tokens[i + 2];
      if (tokens[i + 1]?.kind === 'dot' && next?.kind === 'ident') {
        if (tokens[i + 3]?.kind === 'open') {
          // `Patient.where(...)`, `Patient.descendants()`: a function on the whole resource.
          if (WALKS_EVERYTHING.has(next.text)) return 'everything';
        } else read.add(next.text);
      }
    } else if (/^[a-z]/.test(t.text)) {
      read.add(t.text);
    }
    // Anything else is another type's name (`resolve() is Patient`) or a variable (`%ucum`).
  }
  return read;
}

/** Whether search parameter `code` with FHIRPath `expression` on `type` reads sensitive data (see the top). */
export function touchesSensitive(type: string, code: string, expression: string, policy: LabellingPolicy): boolean {
  if (code === '_security') return true;
  const read = elementsRead(expression, type);
  if (read === 'everything') return true;
  // Labels are protected data too, whatever the parameter is called.
  if (/\bmeta\s*\.\s*security\b/.test(expression)) return true;
  const withheld = withheldNames(type, policy);
  if (withheld !== undefined) return withheld.some((n) => read.has(fhirPathName(n)));
  const skeleton = skeletonOf(type);
  return [...read].some((n) => !skeleton.includes(n));
}
