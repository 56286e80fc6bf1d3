import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/** What a compiled-once query's builder puts where each value goes; swapped for the real value on every run. */
const STAND_IN = '\u0000bluebird-stand-in:';

/**
 * A kysely query built and compiled once, then run with new values. Kysely builds an immutable tree
 * and compiles it on every call: for the access check that every API request makes, that took
 * longer than PostgreSQL took to run the (prepared) statement. The builder gets stand-ins for its
 * values; each run puts the real values in their places, in the compiled parameter list.
 *
 * Only for values that become parameters: one that ends up in the SQL text itself (an identifier,
 * a raw fragment) is caught here, when the query is compiled.
 */
export function compiledOnce<Name extends string, Row>(
  db: Kysely<any>,
  names: readonly Name[],
  build: (standIns: Record<Name, string>) => Compilable<Row>,
): (values: Record<Name, unknown>) => Promise<Row[]> {
  let compiled: { query: CompiledQuery<Row>; slots: (Name | undefined)[] } | undefined;
  const compile = () => {
    const standIns = Object.fromEntries(names.map((name) => [name, `${STAND_IN}${name}`])) as Record<Name, string>;
    const query = build(standIns).compile();
    const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(STAND_IN) ? (p.slice(STAND_IN.length) as Name) : undefined));
    const missing = names.filter((name) => !slots.includes(name));
    if (missing.length > 0 || query.sql.includes(STAND_IN)) throw new Error(`compiledOnce: ${missing.join(', ') || 'a value'} did not become a parameter`);
    return { query, slots };
  };
  return async (values) => {
    compiled ??= compile();
    const { query, slots } = compiled;
    const parameters = query.parameters.map((p, i) => (slots[i] === undefined ? p : values[slots[i]!]));
    return (await db.executeQuery<Row>({ ...query, parameters })).rows;
  };
}
