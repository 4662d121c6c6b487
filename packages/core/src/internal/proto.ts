/**
 * Building blocks for proto3-JSON schemas.
 *
 * Kenar answers through a gRPC gateway: fields holding their zero value are
 * omitted, 64-bit integers travel as strings, enums travel as their names and
 * new enum values appear without notice. These helpers decode exactly that.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { zeroAnnotation } from "./fastPath.js"

/** Annotation key carrying the short name of a validation rule. */
export const ruleAnnotation = "kenarRule"

/** A named check: `rule` is reported in `ValidationError.rule`. */
export const rule = <T>(name: string, message: string, predicate: (value: T) => boolean) =>
  Schema.makeFilter<T>((value) => (predicate(value) ? undefined : message), {
    [ruleAnnotation]: name,
    expected: message
  })

/**
 * A check named `name` whose function reports its own issues. (A function, not
 * an inline `{ [ruleAnnotation]: name }`: bundlers cannot drop a top-level
 * value with a computed key when it is unused.)
 */
const named = <T>(name: string, filter: Parameters<typeof Schema.makeFilter<T>>[0]) =>
  Schema.makeFilter<T>(filter, { [ruleAnnotation]: name })

/**
 * Decodes an absent key as `value` (the field's zero value, in its encoded
 * form) and records that value for the fast decoder (`fastDecode.ts`).
 */
const withZero = <S extends Schema.Top>(self: S, value: S["Encoded"]) =>
  self.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value))).annotate({ [zeroAnnotation]: value })

/** A string field of a response: absent means `""`. */
export const protoString = /* @__PURE__ */ withZero(Schema.String, "")

/** A boolean field of a response: absent means `false`. */
export const protoBool = /* @__PURE__ */ withZero(Schema.Boolean, false)

/** An int32 field of a response: absent means `0`. */
export const protoInt32 = /* @__PURE__ */ withZero(
  /* @__PURE__ */ Schema.Number.check(/* @__PURE__ */ Schema.isInt()),
  0
)

/** A double field of a response: absent means `0`. */
export const protoDouble = /* @__PURE__ */ withZero(Schema.Number, 0)

/** Decimal digits: how proto3 JSON carries a 64-bit unsigned integer. */
export const Uint64String = /* @__PURE__ */ Schema.String.check(
  /* @__PURE__ */ rule<string>("uint64", "Expected an unsigned integer written as a decimal string", (s) =>
    /^\d{1,20}$/.test(s)
  )
)

/** A uint64 field of a response: a decimal string, absent means `"0"`. */
export const protoUint64 = /* @__PURE__ */ withZero(Uint64String, "0")

/** A repeated field of a response: absent means `[]`. */
export const protoArray = <S extends Schema.Top>(item: S) => withZero(Schema.Array(item), [])

/** A free-form JSON object (`google.protobuf.Struct`). */
export const JsonObject = /* @__PURE__ */ Schema.Record(Schema.String, Schema.Unknown)

interface Visit {
  readonly value: unknown
  readonly parent: Visit | undefined
  readonly key: PropertyKey | undefined
  readonly depth: number
}

/** Deepest nesting a free-form request object may have (JSON.stringify and parsers recurse). */
export const MAX_JSON_DEPTH = 1000

const pathOf = (visit: Visit): Array<PropertyKey> => {
  const path: Array<PropertyKey> = []
  for (let at: Visit | undefined = visit; at?.parent !== undefined; at = at.parent) path.unshift(at.key!)
  return path
}

/** The first place in `root` that JSON cannot carry as it is, or `undefined`. Iterative: any depth. */
const nonJson = (root: unknown): { readonly path: Array<PropertyKey>; readonly what: string } | undefined => {
  const stack: Array<Visit | { readonly leave: object }> = [
    { value: root, parent: undefined, key: undefined, depth: 0 }
  ]
  const onPath = new Set<object>()
  const checked = new Set<object>()
  while (stack.length > 0) {
    const step = stack.pop()!
    if ("leave" in step) {
      onPath.delete(step.leave)
      checked.add(step.leave)
      continue
    }
    const value = step.value
    switch (typeof value) {
      case "string":
      case "boolean":
        continue
      case "number":
        if (Number.isFinite(value)) continue
        return { path: pathOf(step), what: String(value) }
      case "object": {
        if (value === null || checked.has(value)) continue
        if (onPath.has(value)) return { path: pathOf(step), what: "a value that contains itself" }
        if (step.depth >= MAX_JSON_DEPTH) {
          // named by its top-level field: a path 1000 keys long helps no one
          let top: Visit = step
          while (top.depth > 1 && top.parent !== undefined) top = top.parent
          return { path: pathOf(top), what: `more than ${MAX_JSON_DEPTH} levels of nesting` }
        }
        const proto = Object.getPrototypeOf(value)
        if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
          const name = (value as { constructor?: { name?: string } }).constructor?.name
          return { path: pathOf(step), what: `a ${name ?? "class instance"}` }
        }
        onPath.add(value)
        stack.push({ leave: value })
        const depth = step.depth + 1
        if (Array.isArray(value)) {
          value.forEach((item, i) => {
            stack.push({ value: item, parent: step, key: i, depth })
          })
        } else {
          for (const key of Object.keys(value)) {
            stack.push({ value: (value as Record<string, unknown>)[key], parent: step, key, depth })
          }
        }
        continue
      }
      default:
        return { path: pathOf(step), what: value === undefined ? "undefined" : `a ${typeof value}` }
    }
  }
  return undefined
}

/**
 * A free-form JSON object in a request: every value must be JSON (no BigInt,
 * NaN, Infinity, Date, Map, function or cycle), so that it is sent as given
 * or rejected before I/O, never changed or crashed on by `JSON.stringify`.
 * Its type stays `Record<string, unknown>`.
 */
export const JsonObjectInput = /* @__PURE__ */ JsonObject.check(
  /* @__PURE__ */ named("json", (object: Record<string, unknown>) => {
    const found = nonJson(object)
    return found === undefined
      ? undefined
      : {
          path: found.path,
          issue: `Expected a JSON value (string, finite number, boolean, null, array or plain object), got ${found.what}`
        }
  })
)

/** A free-form object field of a response: absent means `{}`. */
export const protoObject = /* @__PURE__ */ withZero(JsonObject, {})

/**
 * The type of an open enum: one of the known names, or any other string the
 * API may start sending later (kept as is, never rejected).
 */
export type OpenEnum<Known extends string> = Known | (string & {})

/**
 * An enum field of a response. Known names decode to themselves, unknown
 * names are kept as strings, and an absent field decodes to the enum's zero
 * value (its first listed value, as proto3 defines).
 */
export const protoEnum = <const Known extends readonly [string, ...Array<string>]>(values: Known) =>
  withZero(openEnum(values), values[0] as string)

/** Annotation key listing the known values of an open enum. */
export const enumAnnotation = "kenarEnum"

/** An open enum as a plain schema (see {@link protoEnum}). */
export const openEnum = <const Known extends readonly [string, ...Array<string>]>(values: Known) =>
  (Schema.String as unknown as Schema.Codec<OpenEnum<Known[number]>, string>).annotate({
    [enumAnnotation]: values
  })

/**
 * A message field of a response: absent decodes to the message with every
 * field at its zero value (so `stats.views.total` is `0`, never a crash).
 */
export const protoMessage = <S extends Schema.Top & { readonly Encoded: object }>(message: S) =>
  withZero(message, {} as S["Encoded"])
