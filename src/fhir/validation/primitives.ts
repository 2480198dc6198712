// Checks one JSON value against one FHIR primitive type: the JSON type it must have, the lexical
// pattern the R4 definitions declare for it, and the facts a pattern cannot express (calendar dates,
// 32-bit ranges). Returns a problem or undefined; the walker decides the expression.
import { primitivePattern } from './definitions.js';

export interface PrimitiveProblem {
  severity: 'error' | 'warning';
  code: 'structure' | 'value';
  message: string;
}

const NUMERIC = new Set(['integer', 'unsignedInt', 'positiveInt', 'decimal']);
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** Strings longer than this are refused outright (the R4 limit for string values). */
const MAX_STRING = 1024 * 1024;

const compiled = new Map<string, RegExp>();
function patternFor(type: string): RegExp | undefined {
  let re = compiled.get(type);
  if (!re) {
    const src = primitivePattern(type);
    if (src === undefined) return undefined;
    // The definitions' patterns are whole-value matches; JavaScript needs the anchors spelled out.
    re = new RegExp(`^(?:${javaToJs(src)})$`);
    compiled.set(type, re);
  }
  return re;
}

/** Java's `\s` matches exactly these six characters (as regex source); JavaScript's also matches Unicode spaces such as U+00A0. */
const JAVA_WS = [' ', '\\t', '\\n', '\\x0B', '\\f', '\\r'];

/**
 * The R4 patterns are written for Java, where `\s`/`\S` mean ASCII whitespace only. Read with
 * JavaScript semantics, `[ \r\n\t\S]+` would refuse a string containing a no-break space, which
 * real data (and official examples) contain. This rewrites both escapes with Java's meaning.
 */
export function javaToJs(src: string): string {
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === '[') {
      const end = classEnd(src, i);
      out += rewriteClass(src.slice(i + 1, end));
      i = end;
    } else if (ch === '\\') {
      const esc = src.slice(i, i + 2);
      i++;
      out += esc === '\\s' ? `[${JAVA_WS.join('')}]` : esc === '\\S' ? `[^${JAVA_WS.join('')}]` : esc;
    } else {
      out += ch;
    }
  }
  return out;
}

function classEnd(src: string, start: number): number {
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === '\\') i++;
    else if (src[i] === ']') return i;
  }
  throw new Error(`Unterminated character class in ${src}`);
}

/** Rewrites the body of one `[...]` class; `\S` is supported beside single characters, which covers R4. */
function rewriteClass(body: string): string {
  const negated = body.startsWith('^');
  const tokens: string[] = (negated ? body.slice(1) : body).match(/\\.|[^\\]/g) ?? [];
  if (!tokens.includes('\\S')) {
    return `[${negated ? '^' : ''}${tokens.map((t) => (t === '\\s' ? JAVA_WS.join('') : t)).join('')}]`;
  }
  // [a b \S] is "anything but the Java whitespace characters not listed": a negated class.
  const others = tokens.filter((t) => t !== '\\S');
  if (negated || others.some((t) => t === '-' || t === '\\s')) throw new Error(`Unsupported class with \\S: [${body}]`);
  return `[^${JAVA_WS.filter((w) => !others.includes(w)).join('')}]`;
}

export function checkPrimitive(type: string, value: unknown): PrimitiveProblem | undefined {
  if (type === 'boolean') {
    return typeof value === 'boolean' ? undefined : wrongJson(value, 'a JSON boolean');
  }
  if (NUMERIC.has(type)) {
    if (typeof value !== 'number') return wrongJson(value, 'a JSON number');
    return checkNumber(type, value);
  }
  if (typeof value !== 'string') return wrongJson(value, 'a JSON string');
  if (value.length === 0) return err('value', 'Empty strings are not allowed; omit the element instead');
  // The size limit is the string type's; narrative and binary content are bounded by the body limit.
  if (value.length > MAX_STRING && type !== 'xhtml' && type !== 'base64Binary') return err('value', 'String exceeds the 1 MB limit');
  switch (type) {
    case 'xhtml':
      return checkXhtml(value);
    case 'base64Binary':
      return checkBase64(value);
  }
  const re = patternFor(type);
  if (re && !re.test(value)) return err('value', `${JSON.stringify(clip(value))} is not a valid ${type}`);
  if (type === 'date' || type === 'dateTime' || type === 'instant') {
    if (!calendarValid(value)) return err('value', `${JSON.stringify(value)} is not a real calendar date`);
  }
  if ((type === 'string' || type === 'markdown') && value.trim() === '') {
    return { severity: 'warning', code: 'value', message: 'String holds only whitespace' };
  }
  return undefined;
}

function checkNumber(type: string, n: number): PrimitiveProblem | undefined {
  if (type === 'decimal') return Number.isFinite(n) ? undefined : err('value', 'Not a finite decimal');
  if (!Number.isInteger(n)) return err('value', `${n} is not a whole number, as ${type} requires`);
  if (n < INT32_MIN || n > INT32_MAX) return err('value', `${n} is outside the 32-bit range of ${type}`);
  if (type === 'positiveInt' && n < 1) return err('value', `${n} is not a positiveInt (must be 1 or more)`);
  if (type === 'unsignedInt' && n < 0) return err('value', `${n} is not an unsignedInt (must be 0 or more)`);
  return undefined;
}

/**
 * The R4 pattern for base64Binary, `(\s*([0-9a-zA-Z\+/=]){4}\s*)+`, backtracks exponentially on
 * whitespace-separated input that fails at the end (measured: 14 groups took 5 s), so a request
 * body could stall the event loop. This linear check accepts the same alphabet and grouping, with
 * padding only where base64 allows it.
 */
function checkBase64(value: string): PrimitiveProblem | undefined {
  const compact = value.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    return err('value', 'Not valid base64 content');
  }
  return undefined;
}

/** Narrative must be one XHTML div; content that could run script in a reader's browser is refused. */
function checkXhtml(value: string): PrimitiveProblem | undefined {
  const v = value.trim();
  if (!/^<div[\s>]/.test(v) || !v.endsWith('</div>')) return err('value', 'Narrative must be a single <div> element');
  if (!/xmlns\s*=\s*["']http:\/\/www\.w3\.org\/1999\/xhtml["']/.test(v)) {
    return err('value', 'Narrative div must declare the XHTML namespace');
  }
  if (/<\s*(script|iframe|object|embed|form|input|button|frame|frameset|applet|base|link|meta)\b/i.test(v)) {
    return err('value', 'Narrative contains an element that is not allowed');
  }
  if (/\son[a-z]+\s*=/i.test(v) || /(href|src)\s*=\s*["']?\s*javascript:/i.test(v)) {
    return err('value', 'Narrative contains a script attribute or URL');
  }
  return undefined;
}

/** Leap years per the Gregorian calendar, which FHIR dates use. */
export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** The pattern allows day 31 in every month; this rejects days the month does not have. */
function calendarValid(value: string): boolean {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(value);
  if (!m || m[3] === undefined) return true;
  return Number(m[3]) <= daysInMonth(Number(m[1]), Number(m[2]));
}

function wrongJson(value: unknown, expected: string): PrimitiveProblem {
  return err('structure', `Expected ${expected}, found ${jsonKind(value)}`);
}

export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function err(code: PrimitiveProblem['code'], message: string): PrimitiveProblem {
  return { severity: 'error', code, message };
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
