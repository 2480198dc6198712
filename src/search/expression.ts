// Working with the official SearchParameter FHIRPath expressions: narrowing a multi-resource
// expression (`AllergyIntolerance.code | … | ServiceRequest.code`) to the part for one resource type,
// and replacing `resolve()`, which fhirpath.js evaluates by fetching the target, with a synchronous
// test on the reference itself.
import { resolveIsFhirpath } from './references.js';

/** Splits FHIRPath text at `separator` where it stands outside parentheses and string literals. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === "'") quote = false;
    } else if (c === "'") quote = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** Splits at `|` that are outside parentheses and string literals. */
export function splitUnion(expression: string): string[] {
  return splitTopLevel(expression, '|').filter((p) => p !== '');
}

/** Removes parentheses that enclose the whole expression: `(Patient.deceased.ofType(dateTime))`. */
export function stripOuterParens(expression: string): string {
  let e = expression.trim();
  while (e.startsWith('(') && e.endsWith(')') && closingParen(e, 0) === e.length - 1) e = e.slice(1, -1).trim();
  return e;
}

function closingParen(s: string, open: number): number {
  let depth = 0;
  let quote = false;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === "'") quote = false;
    } else if (c === "'") quote = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** The leading identifier of a path (`Appointment` in `Appointment.participant.actor`). */
export function rootOf(part: string): string {
  return /^[A-Za-z]+/.exec(stripOuterParens(part))?.[0] ?? '';
}

/**
 * The part of `expression` that applies to resources of `base`: the union members rooted at `base`,
 * or, for a parameter defined on Resource/DomainResource, all of them. Undefined when nothing is left.
 */
export function narrowExpression(expression: string, base: string): string | undefined {
  const parts = splitUnion(expression).map(stripOuterParens);
  const kept = base === 'Resource' || base === 'DomainResource' ? parts : parts.filter((p) => rootOf(p) === base);
  return kept.length ? kept.join(' | ') : undefined;
}

const RESOLVE_IS = /resolve\(\)\s+is\s+([A-Z][A-Za-z]*)/g;

/** Replaces `resolve() is Type` with the equivalent test on Reference.type / Reference.reference. */
export function rewriteResolve(expression: string): string {
  return expression.replace(RESOLVE_IS, (_m, type: string) => resolveIsFhirpath(type));
}
