/** Plain JSON ⇄ @actions/expressions' values (its Dictionary, Array, StringData, …), both ways. */
import { data } from '@actions/expressions';

/** Plain JSON → the library's values. Iterative depth is bounded by the caller's JSON (MAX_JSON_DEPTH where it comes from requests). */
export function toData(value: unknown): data.ExpressionData {
  if (value === null || value === undefined) return new data.Null();
  if (typeof value === 'string') return new data.StringData(value);
  if (typeof value === 'number') return new data.NumberData(value);
  if (typeof value === 'boolean') return new data.BooleanData(value);
  if (Array.isArray(value)) return new data.Array(...value.map(toData));
  if (typeof value === 'object') {
    const dictionary = new data.Dictionary();
    for (const [k, v] of Object.entries(value)) dictionary.add(k, toData(v));
    return dictionary;
  }
  return new data.StringData(String(value));
}

/** The library's values → plain JSON. */
export function fromData(value: data.ExpressionData): unknown {
  switch (value.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.String:
      return (value as data.StringData).value;
    case data.Kind.Number:
      return value.number();
    case data.Kind.Boolean:
      return (value as data.BooleanData).value;
    case data.Kind.Array:
      return (value as data.Array).values().map(fromData);
    default:
      return Object.fromEntries((value as data.Dictionary).pairs().map((p) => [p.key, fromData(p.value)]));
  }
}
