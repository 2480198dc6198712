// SQL fragments that carry their bound parameters. Values only ever enter SQL as `?` placeholders;
// the only text spliced in verbatim is what `raw` wraps, and that is used solely for identifiers the
// compiler generates itself (aliases, whitelisted column names) and fixed keywords.
export type SqlValue = string | number | bigint | null;

export class Sql {
  constructor(readonly text: string, readonly params: readonly SqlValue[]) {}
}

/** Tagged template: interpolated Sql fragments are inlined, every other value becomes a parameter. */
export function sql(strings: TemplateStringsArray, ...values: (Sql | SqlValue)[]): Sql {
  let text = strings[0]!;
  const params: SqlValue[] = [];
  values.forEach((v, i) => {
    if (v instanceof Sql) {
      text += v.text;
      params.push(...v.params);
    } else {
      text += '?';
      params.push(v);
    }
    text += strings[i + 1]!;
  });
  return new Sql(text, params);
}

/** Trusted SQL text (generated identifiers and keywords only — never data). */
export function raw(text: string): Sql {
  return new Sql(text, []);
}

export function join(parts: readonly Sql[], separator: string): Sql {
  return new Sql(parts.map((p) => p.text).join(separator), parts.flatMap((p) => p.params));
}

/** Lists longer than this are bound as one JSON array parameter (SQLite caps bound parameters). */
const INLINE_LIST_MAX = 200;

/** The right-hand side of `x IN ...` for a non-empty list: `(?, ?, ...)`, or a json_each over one parameter. */
export function list(values: readonly SqlValue[]): Sql {
  if (values.length > INLINE_LIST_MAX) {
    return new Sql('(SELECT value FROM json_each(?))', [JSON.stringify(values.map((v) => (typeof v === 'bigint' ? Number(v) : v)))]);
  }
  return new Sql(`(${values.map(() => '?').join(', ')})`, values);
}

export const TRUE_SQL = raw('1');
export const FALSE_SQL = raw('0');
