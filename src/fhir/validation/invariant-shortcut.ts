// Deciding an invariant from what the instance has and lacks, without evaluating it.
//
// Most invariants test the presence of elements: dom-2, dom-4 and dom-5 read `contained`, app-4 is
// `Appointment.cancelationReason.exists() implies …`, app-2 is `start.exists() = end.exists()`.
// fhirpath.js costs tens of microseconds per evaluation whatever the data (more on a busy server), and
// every write evaluates every invariant of every element it has: on a booking that was most of the
// time validation took. Each invariant is analysed once, and kept:
//  - The expression is split at its top-level `and`, `or` and `implies` (each part checked to parse
//    to exactly the subtree fhirpath.js parsed, so the split can never differ from the real reading).
//  - A presence test, `name.exists()` or `name.empty()` (after the resource's type name, or followed
//    by `.not()`, or two of them compared with `=` / `!=`), is read off the JSON the way fhirpath.js
//    reads it: a value that is not null or an empty array, or a primitive's `_name` extension object.
//  - Any other part is "closed" when it can reach the instance only through element names: every path
//    in it starts with an identifier (no `$this`, `%resource` or other external constants, no function
//    applied to the instance itself such as `children()` or `iif()`). When the instance has none of
//    those names, every path in the part is empty whatever else the instance holds, so the part's
//    value is its value on an instance with no elements at all: computed once by fhirpath.js itself.
//  - Known parts are combined by FHIRPath's three-valued logic, and only a definite answer is used:
//    false and x = false, true or x = true, false implies x = true, x implies true = true. Everything
//    else is left to fhirpath.js. The one difference from a full evaluation: fhirpath.js evaluates
//    both operands, so an operand it fails on (`single()` of several values) gives a "could not be
//    evaluated" warning even where FHIRPath's logic says the other operand decides; here the rule
//    holds. test/fhir/validation/invariant-shortcut.test.ts checks every outcome against fhirpath.js
//    over the official examples of the served types.
import fhirpath from 'fhirpath';
import { isPlainObject } from '../../domain/fhir.js';
import { holds, unwrap } from './invariant-result.js';

/** fhirpath.js's parse tree: a node type, its terminal text, its children. */
interface Node {
  type: string;
  text?: string;
  children?: Node[];
}

type Evaluate = (leafText: string, focus: unknown) => unknown[];

/** A part of an invariant whose value may be known without evaluating it. */
type Plan =
  | { k: 'leaf'; text: string; roots: readonly string[] | undefined; bare: Map<string, unknown[] | null> }
  /** `name.exists()`, `name.empty()` (optionally after the type name, optionally `.not()`): read off the instance. */
  | { k: 'presence'; name: string; typeName: string | undefined; exists: boolean }
  /** `a = b` or `a != b` between two presence tests (app-2: `start.exists() = end.exists()`). */
  | { k: 'eq'; equal: boolean; left: Plan; right: Plan }
  | { k: 'and' | 'or' | 'implies'; left: Plan; right: Plan };

const OPERATORS: Readonly<Record<string, 'and' | 'or' | 'implies'>> = { AndExpression: 'and', OrExpression: 'or', ImpliesExpression: 'implies' };
/** Ways to reach data other than through an element name of the instance. */
const OPEN_TERMS = new Set(['ExternalConstantTerm', 'ThisInvocation', 'IndexInvocation', 'TotalInvocation']);
/** Functions whose argument is a type name, not a path (`ofType(Quantity)`). */
const TYPE_ARGUMENT = new Set(['is', 'as', 'ofType']);

const plans = new Map<string, Plan | null>();

/**
 * The outcome of the invariant `expression` (evaluated from `base`, or on a resource when undefined)
 * on `focus`, when it follows from which elements `focus` has; undefined when only an evaluation can
 * tell. `evaluate` is the caller's compiled evaluation of a part on an instance.
 */
export function decideWithoutEvaluating(base: string | undefined, expression: string, focus: unknown, evaluate: Evaluate): boolean | undefined {
  if (!isPlainObject(focus)) return undefined;
  const key = `${base ?? ''}\u0000${expression}`;
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = planOf(expression);
    plans.set(key, plan);
  }
  if (plan === null) return undefined;
  const bareFocus = base === undefined ? { resourceType: focus.resourceType } : {};
  const kind = typeof focus.resourceType === 'string' ? focus.resourceType : '';
  if (plan.k === 'leaf') {
    // The whole invariant: read as an invariant's result is read (an empty result fails).
    const v = leafValue(plan, focus, bareFocus, kind, evaluate);
    return v === undefined ? undefined : holds(v);
  }
  return decide(plan, focus, bareFocus, kind, evaluate);
}

function decide(plan: Plan, focus: Record<string, unknown>, bareFocus: object, kind: string, evaluate: Evaluate): boolean | undefined {
  if (plan.k === 'leaf') {
    const v = leafValue(plan, focus, bareFocus, kind, evaluate);
    return v !== undefined && v.length === 1 && typeof unwrap(v[0]) === 'boolean' ? (unwrap(v[0]) as boolean) : undefined;
  }
  if (plan.k === 'presence') {
    // After a type name the path reads the instance only when it is a resource of that type.
    if (plan.typeName !== undefined && (!('resourceType' in bareFocus) || plan.typeName !== kind)) return undefined;
    const has = presence(focus, plan.name);
    return has === undefined ? undefined : has === plan.exists;
  }
  if (plan.k === 'eq') {
    const l = decide(plan.left, focus, bareFocus, kind, evaluate);
    const r = l === undefined ? undefined : decide(plan.right, focus, bareFocus, kind, evaluate);
    return l === undefined || r === undefined ? undefined : (l === r) === plan.equal;
  }
  const left = decide(plan.left, focus, bareFocus, kind, evaluate);
  if (plan.k === 'and' && left === false) return false;
  if (plan.k === 'or' && left === true) return true;
  if (plan.k === 'implies' && left === false) return true;
  const right = decide(plan.right, focus, bareFocus, kind, evaluate);
  if (left === undefined || right === undefined) {
    if (plan.k === 'and' && right === false) return false;
    if ((plan.k === 'or' || plan.k === 'implies') && right === true) return true;
    return undefined;
  }
  if (plan.k === 'and') return left && right;
  if (plan.k === 'or') return left || right;
  return !left || right;
}

/** A closed part's value when none of its roots is on the instance; else undefined. */
function leafValue(leaf: Extract<Plan, { k: 'leaf' }>, focus: Record<string, unknown>, bareFocus: object, kind: string, evaluate: Evaluate): unknown[] | undefined {
  if (!leaf.roots || leaf.roots.some((r) => present(focus, r))) return undefined;
  let v = leaf.bare.get(kind);
  if (v === undefined) {
    try {
      v = evaluate(leaf.text, bareFocus);
    } catch {
      v = null; // fhirpath.js cannot evaluate it: leave every instance to the full evaluation
    }
    leaf.bare.set(kind, v);
  }
  return v ?? undefined;
}

/**
 * Whether `name.exists()` holds, as fhirpath.js reads the JSON: a value that is not null and not an
 * empty array, or a primitive's extension object (`_name`). Undefined for shapes it is not worth
 * predicting (a choice-looking key `nameString`, an odd `_name`): those are evaluated. Instances
 * reach invariants only when their structure is sound (walker.ts), so every key is a real element.
 */
function presence(focus: Record<string, unknown>, name: string): boolean | undefined {
  for (const k of Object.keys(focus)) {
    if (k.length > name.length && k.startsWith(name) && k[name.length]! >= 'A' && k[name.length]! <= 'Z') return undefined;
  }
  const v = focus[name];
  const ext = focus[`_${name}`];
  if (ext !== undefined && ext !== null && (typeof ext !== 'object' || Array.isArray(ext))) return undefined;
  const valued = v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
  return valued || (ext !== undefined && ext !== null);
}

/** Whether the instance has element `name`: as itself, as a primitive's extension (`_name`), or as a choice (`nameString`). */
function present(focus: Record<string, unknown>, name: string): boolean {
  if (Object.hasOwn(focus, name) || Object.hasOwn(focus, `_${name}`)) return true;
  for (const k of Object.keys(focus)) {
    if (k.length > name.length && k.startsWith(name) && k[name.length]! >= 'A' && k[name.length]! <= 'Z') return true;
  }
  return false;
}

/** The plan of an invariant, or null when no part of it can ever be known without evaluating. */
function planOf(expression: string): Plan | null {
  let top: Node | undefined;
  try {
    top = expressionOf(fhirpath.parse(expression) as Node);
  } catch {
    return null;
  }
  if (!top) return null;
  const plan = planNode(top, expression.trim());
  return decidable(plan) ? plan : null;
}

/** Whether some part of the plan can be known without evaluating it (else the plan is not kept). */
function decidable(p: Plan): boolean {
  if (p.k === 'leaf') return p.roots !== undefined;
  if (p.k === 'presence') return true;
  return decidable(p.left) || decidable(p.right);
}

/** The expression under fhirpath.js's EntireExpression wrappers. */
function expressionOf(root: Node): Node | undefined {
  let n: Node | undefined = root;
  while (n?.type === 'EntireExpression' && n.children?.length === 1) n = n.children[0];
  return n;
}

function planNode(node: Node, text: string): Plan {
  const test = presenceTest(node);
  if (test) return test;
  if (node.type === 'EqualityExpression' && (node.text === '=' || node.text === '!=') && node.children?.length === 2) {
    const left = presenceTest(node.children[0]!);
    const right = presenceTest(node.children[1]!);
    if (left && right) return { k: 'eq', equal: node.text === '=', left, right };
  }
  const op = OPERATORS[node.type];
  // `xor` is an OrExpression too; only `or` has the short-circuit read above.
  if (op && node.children?.length === 2 && node.text === op) {
    const split = splitAtLast(text, op);
    if (split && sameTree(parsed(split[0]), node.children[0]!) && sameTree(parsed(split[1]), node.children[1]!)) {
      return { k: op, left: planNode(node.children[0]!, split[0]), right: planNode(node.children[1]!, split[1]) };
    }
  }
  const inner = parenthesised(node);
  if (inner) {
    const unwrapped = withoutOuterParens(text);
    if (unwrapped !== undefined && sameTree(parsed(unwrapped), inner)) return planNode(inner, unwrapped);
  }
  return { k: 'leaf', text, roots: rootsOf(node), bare: new Map() };
}

/** `name.exists()`, `name.empty()`, `Type.name.exists()`, each possibly followed by `.not()`. */
function presenceTest(node: Node): Extract<Plan, { k: 'presence' }> | undefined {
  if (node.type !== 'InvocationExpression' || node.children?.length !== 2) return undefined;
  const [subject, call] = node.children as [Node, Node];
  const fn = call.type === 'FunctionInvocation' ? call.children?.[0] : undefined;
  // A function without arguments: its Functn node holds only the name.
  const fnName = fn?.type === 'Functn' && fn.children?.length === 1 ? identifierOf(fn) : undefined;
  if (fnName === 'not') {
    const inner = presenceTest(subject);
    return inner && { ...inner, exists: !inner.exists };
  }
  if (fnName !== 'exists' && fnName !== 'empty') return undefined;
  const exists = fnName === 'exists';
  const head = (n: Node) => (n.type === 'TermExpression' && n.children?.[0]?.type === 'InvocationTerm' ? n.children[0].children?.[0] : undefined);
  const member = head(subject);
  if (member?.type === 'MemberInvocation') {
    const name = identifierOf(member);
    return name !== undefined && isElementName(name) ? { k: 'presence', name, typeName: undefined, exists } : undefined;
  }
  if (subject.type === 'InvocationExpression' && subject.children?.length === 2 && subject.children[1]!.type === 'MemberInvocation') {
    const typeMember = head(subject.children[0]!);
    const typeName = typeMember?.type === 'MemberInvocation' ? identifierOf(typeMember) : undefined;
    const name = identifierOf(subject.children[1]!);
    if (typeName !== undefined && /^[A-Z]/.test(typeName) && name !== undefined && isElementName(name)) return { k: 'presence', name, typeName, exists };
  }
  return undefined;
}

/** A name that can only be an element (`resourceType` is JSON's, not an element fhirpath.js reads). */
function isElementName(name: string): boolean {
  return /^[a-z]/.test(name) && name !== 'resourceType';
}

/** The expression inside `( … )` when the node is just that. */
function parenthesised(node: Node): Node | undefined {
  const term = node.type === 'TermExpression' && node.children?.length === 1 ? node.children[0] : undefined;
  return term?.type === 'ParenthesizedTerm' && term.children?.length === 1 ? term.children[0] : undefined;
}

function parsed(text: string): Node | undefined {
  try {
    return expressionOf(fhirpath.parse(text) as Node);
  } catch {
    return undefined;
  }
}

function sameTree(a: Node | undefined, b: Node): boolean {
  if (!a || a.type !== b.type || a.text !== b.text) return false;
  const ac = a.children ?? [];
  const bc = b.children ?? [];
  return ac.length === bc.length && ac.every((c, i) => sameTree(c, bc[i]!));
}

/**
 * The text before and after the last top-level occurrence of keyword `op` (outside parentheses,
 * brackets, strings and delimited identifiers). Undefined when there is none, or when the text holds
 * a comment (not worth reading around).
 */
function splitAtLast(text: string, op: string): [string, string] | undefined {
  let depth = 0;
  let quote: string | undefined;
  let at = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '`' || c === '"') quote = c;
    else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) return undefined;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && text.startsWith(op, i) && boundary(text[i - 1]) && boundary(text[i + op.length])) at = i;
  }
  if (at <= 0) return undefined;
  const left = text.slice(0, at).trim();
  const right = text.slice(at + op.length).trim();
  return left && right ? [left, right] : undefined;
}

function boundary(c: string | undefined): boolean {
  return c === undefined || /[\s()]/.test(c);
}

function withoutOuterParens(text: string): string | undefined {
  const t = text.trim();
  return t.startsWith('(') && t.endsWith(')') ? t.slice(1, -1).trim() : undefined;
}

/**
 * The element names through which `node` reads the instance, or undefined when it may read the
 * instance some other way (then it is never decided without evaluating).
 */
function rootsOf(node: Node): string[] | undefined {
  const roots = new Set<string>();
  let closed = true;
  const visit = (n: Node, parents: Node[]): void => {
    if (!closed) return;
    if (OPEN_TERMS.has(n.type)) {
      closed = false;
      return;
    }
    if (n.type === 'InvocationTerm') {
      const head = n.children?.[0];
      const name = head?.type === 'MemberInvocation' ? identifierOf(head) : undefined;
      // A function on the instance itself (`children()`, `iif(…)`, `now()`) reads it, or the clock.
      if (name === undefined) {
        closed = false;
        return;
      }
      if (/^[A-Z]/.test(name)) {
        const next = typeNameFollower(parents);
        if (next === null) {
          closed = false;
          return;
        }
        if (next !== undefined) roots.add(next);
      }
      roots.add(name);
    }
    for (const c of n.children ?? []) visit(c, [...parents, n]);
  };
  visit(node, []);
  return closed ? [...roots] : undefined;
}

/**
 * For a path that starts with a type name (`Appointment.status`), the element name that follows it.
 * Undefined when the type name is a function's type argument (`ofType(Quantity)`); null when the type
 * name is followed by anything else (`Appointment.children()` reads the whole instance).
 */
function typeNameFollower(parents: Node[]): string | undefined | null {
  const term = parents[parents.length - 1];
  const holder = parents[parents.length - 2];
  if (term?.type !== 'TermExpression' || !holder) return null;
  if (holder.type === 'ParamList') {
    const fn = parents[parents.length - 3];
    const fnName = fn?.type === 'Functn' ? identifierOf(fn) : undefined;
    return fnName !== undefined && TYPE_ARGUMENT.has(fnName) && holder.children?.length === 1 ? undefined : null;
  }
  if (holder.type === 'InvocationExpression' && holder.children?.[0] === term && holder.children[1]?.type === 'MemberInvocation') {
    return identifierOf(holder.children[1]) ?? null;
  }
  return null;
}

/** The plain name of a MemberInvocation or Functn node (backquotes removed), when it is one. */
function identifierOf(n: Node): string | undefined {
  const id = n.children?.[0];
  const raw = id?.type === 'Identifier' ? id.text : undefined;
  const name = raw?.startsWith('`') && raw.endsWith('`') ? raw.slice(1, -1) : raw;
  return name !== undefined && /^[A-Za-z][A-Za-z0-9_]*$/.test(name) ? name : undefined;
}
