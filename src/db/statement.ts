/**
 * SQL statements composed from named parts, with parameters numbered by name (ADR 12).
 *
 * The hot paths run constant SQL texts, prepared once per connection. Their texts are built here,
 * once, at module load, from fragments written with the `sql` tag; a parameter appears in a fragment
 * as a `Param`, never as a hand-counted `$n`. `statement()` numbers the parameters in the order they
 * first appear in the text (a name used twice is one `$n`), writes each as `$n::type`, and gives the
 * statement a `bind` that turns the values of a call, given by name, into the driver's array.
 *
 *   const p = params({ account: 'text', now: 'timestamptz' });
 *   const BALANCE = statement('otpbox_example_v1', sql`select … where owner_account_id = ${p.account}`);
 *   await runStatement(db, BALANCE, { account: id });
 *
 * Every statement's final text is committed under src/db/queries/ (`npm run sql:snapshots`), so a
 * change to it is reviewed as SQL.
 */

/** A parameter: its name (unique within a statement) and the SQL type it is cast to at each use. */
export interface Param<N extends string = string> {
  readonly kind: 'param';
  readonly name: N;
  readonly type: string;
}

/** A piece of SQL text with the parameters it uses; `N` is the union of their names. */
export interface Fragment<N extends string = string> {
  readonly kind: 'fragment';
  readonly parts: readonly (string | Param<N>)[];
}

type Part<N extends string> = Param<N> | Fragment<N>;
/** The parameter names a part brings. */
type NamesOf<P> = P extends Param<infer N> ? N : P extends Fragment<infer N> ? N : never;

/**
 * Declare parameters by name and SQL type: `params({ id: 'text' }).id`. With a prefix, the names
 * become `<prefix>.<key>` (`params({ id: 'text' }, 'event').id` is named `event.id`), so the parts of
 * a statement can declare their own without colliding.
 */
export function params<T extends Record<string, string>>(types: T): { readonly [K in keyof T & string]: Param<K> };
export function params<T extends Record<string, string>, P extends string>(
  types: T,
  prefix: P,
): { readonly [K in keyof T & string]: Param<`${P}.${K}`> };
export function params(types: Record<string, string>, prefix?: string): Record<string, Param> {
  const out: Record<string, Param> = {};
  for (const [key, type] of Object.entries(types)) out[key] = param(prefix ? `${prefix}.${key}` : key, type);
  return out;
}

/** One parameter (see `params`). */
export function param<N extends string>(name: N, type: string): Param<N> {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) throw new Error(`bad parameter name "${name}"`);
  if (!/^[a-z][a-z0-9_ (),]*(\[\])?$/.test(type)) throw new Error(`bad SQL type "${type}" for parameter "${name}"`);
  return { kind: 'param', name, type };
}

/** SQL text with parameters and other fragments in it. Interpolating anything else is refused. */
export function sql<P extends Part<string>[]>(strings: TemplateStringsArray, ...parts: P): Fragment<NamesOf<P[number]>> {
  const out: (string | Param)[] = [];
  strings.forEach((text, i) => {
    out.push(text);
    const part = parts[i];
    if (i >= parts.length) return;
    if (part?.kind === 'param') out.push(part);
    else if (part?.kind === 'fragment') out.push(...part.parts);
    else throw new Error(`sql: only parameters and fragments can be interpolated (got ${typeof part}); wrap constant text in raw()`);
  });
  return { kind: 'fragment', parts: out as (string | Param<NamesOf<P[number]>>)[] };
}

/** Constant SQL text (a column list, a channel name) computed at module load — never a value of a call. */
export function raw(text: string): Fragment<never> {
  return { kind: 'fragment', parts: [text] };
}

/** Fragments joined by a separator. */
export function join<N extends string>(fragments: readonly Fragment<N>[], separator: string): Fragment<N> {
  const out: (string | Param<N>)[] = [];
  fragments.forEach((fragment, i) => {
    if (i > 0) out.push(separator);
    out.push(...fragment.parts);
  });
  return { kind: 'fragment', parts: out };
}

/** The values of one call, by parameter name (null is a value; a missing name is a bug). */
export type Values<N extends string> = { readonly [K in N]: unknown };

/** A named, constant SQL text and its parameters in `$n` order. */
export interface Statement<N extends string = string> {
  /** The prepared statement's name: it stands for this text only (see `statement`). */
  readonly name: string;
  readonly text: string;
  /** `params[i]` is `$<i+1>`. */
  readonly params: readonly Param<N>[];
  /** The driver's array of values, in `$n` order. Refuses a missing or an unknown name. */
  bind(values: Values<N>): unknown[];
}

/** Every statement built in this process, by name: a name must stand for one text (a driver refuses a second). */
const built = new Map<string, string>();

/** Build a statement's text once: number its parameters by first appearance and cast each use. */
export function statement<N extends string>(name: string, body: Fragment<N>): Statement<N> {
  const order: Param<N>[] = [];
  const numberOf = new Map<string, number>();
  let text = '';
  for (const part of body.parts) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    let n = numberOf.get(part.name);
    if (n === undefined) {
      order.push(part);
      n = order.length;
      numberOf.set(part.name, n);
    } else if (order[n - 1]?.type !== part.type) {
      throw new Error(`statement ${name}: parameter "${part.name}" is declared as ${order[n - 1]?.type} and as ${part.type}`);
    }
    text += `$${n}::${part.type}`;
  }
  if (/\$\d/.test(body.parts.filter((part) => typeof part === 'string').join(''))) {
    throw new Error(`statement ${name}: a parameter is written by position ($n) instead of by name`);
  }
  const previous = built.get(name);
  if (previous !== undefined && previous !== text) throw new Error(`statement ${name} is already built with another text`);
  built.set(name, text);
  const names = order.map((p) => p.name);
  return {
    name,
    text,
    params: order,
    bind(values) {
      const bound = new Array<unknown>(names.length);
      for (let i = 0; i < names.length; i++) {
        const value = values[names[i] as N];
        if (value === undefined) throw new Error(`statement ${name}: no value for parameter "${names[i]}"`);
        bound[i] = value;
      }
      if (Object.keys(values).length !== names.length) {
        const unknown = Object.keys(values).filter((key) => !numberOf.has(key));
        throw new Error(`statement ${name}: no parameter named ${unknown.map((key) => `"${key}"`).join(', ')}`);
      }
      return bound;
    },
  };
}
