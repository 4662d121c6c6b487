/**
 * Generators of answers and inputs for the property tests that compare two
 * decoders of the same schemas (`FastDecode.test.ts` in this package,
 * `SchemaJit.test.ts` in @kenar/node), fast-check and seeded by the caller:
 *
 * - valid answers of an operation, derived from its output schema (both its
 *   encoded and its decoded side, `effect/Arbitrary`) plus realistic ones;
 *   valid inputs (path parameters and body fields, flat);
 * - hostile values: JSON values of the wrong kind ({@link jsonHostile}),
 *   values only code can pass ({@link codeHostile}) and a few more JSON
 *   cannot carry ({@link rawHostile}: -0, getters, odd prototypes);
 * - mutations of valid values (replaced, deleted, extra and unknown-enum
 *   fields, wrapping, stringifying, ...; getters and odd prototypes only
 *   where JSON is not the point), and from them {@link answers} (what
 *   `JSON.parse` can give), {@link rawAnswers} (anything code can build) and
 *   {@link inputs}; {@link nearMisses}: valid answers with a few leaves
 *   changed to values only a schema's checks or exact types tell apart.
 *
 * The arbitraries only depend on the schema and the seed: the same seed gives
 * the same values in every test that uses them.
 */
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { type Operation, PostSchema, type Posts } from "../../src/index.js"

type Name = keyof Posts.All

// ----------------------------------------------------------------------------- valid values

/** `count` values of an effect arbitrary, fixed by `seed`. */
export const sample = <A>(arbitrary: Arbitrary.Arbitrary<A>, count: number, seed: number): ReadonlyArray<A> =>
  Effect.runSync(Arbitrary.sampleEffect(arbitrary, { count, seed, size: 20, maxDiscards: 20_000 }))

/** A small free-form JSON object. */
export const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), {
  maxKeys: 5
})

/** Realistic answers, besides the derived ones. */
export const realistic: Partial<Record<Name, ReadonlyArray<object>>> = {
  getUserPost: [
    {
      general_data: {
        category_slug: "light",
        title: "پراید ۱۳۹۰",
        description: "تمیز",
        images: ["a.jpg", "b.jpg"],
        city: "tehran",
        district: "vanak",
        latitude: 35.7,
        longitude: 51.4,
        location_type: "LOCATION_TYPE_APPROXIMATE",
        chat_enabled: true,
        video: { name: "v", thumbnail_name: "t", duration: "34" }
      },
      category_data: { usage: "1000", brand: { model: "x" } },
      business_data: { business_name: "کسب‌وکار", business_type: "REAL_ESTATE" },
      state: "POST_STATE_PUBLISHED",
      reject_reason: ""
    },
    {}
  ],
  getPostStats: [
    { views: { total: 10, daily: [{ date: "2026-11-27", count: 3 }] }, impressions: { total: 50 }, chats: {} }
  ],
  getUploadUrls: [
    {
      image: { url: "https://upload.divar.ir/image", http_method: "POST" },
      video: { url: "https://upload.divar.ir/video", http_method: "PUT" }
    }
  ],
  canUserSubmitPost: [{ can_submit: true }, {}]
}

/**
 * Valid answers of the operation `name` (whose output schema is `output`):
 * derived from both sides of the schema, plus the realistic ones.
 */
export const validAnswers = (output: Schema.Top, name: string, seed: number): ReadonlyArray<unknown> => [
  ...sample(Arbitrary.schema(Schema.toEncoded(output)), 60, seed),
  ...sample(Arbitrary.schema(output), 20, seed + 1),
  ...(realistic[name as Name] ?? [])
]

/** The editPostV2 body: every changed field listed in its mask (the schema's own arbitrary cannot find one). */
const editPostV2Bodies = (seed: number): fc.Arbitrary<unknown> => {
  const patches = sample(Arbitrary.schema(PostSchema.PostGeneralDataPatch), 40, seed)
  const categoryKey = fc.stringMatching(/^[A-Za-z0-9_]{1,10}$/)
  return fc
    .record(
      {
        patch: fc.constantFrom(...patches),
        editableOnly: fc.boolean(),
        category: fc.dictionary(categoryKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        extraMask: fc.subarray(["general_data.title", "general_data.images", "category_data.color"])
      },
      { requiredKeys: ["patch", "editableOnly", "extraMask"] }
    )
    .map(({ patch, editableOnly, category, extraMask }) => {
      const general: Record<string, unknown> = { ...patch }
      if (editableOnly) {
        delete general.category_slug
        delete general.city
      }
      const mask = [
        ...Object.keys(general).map((key) => `general_data.${key}`),
        ...Object.keys(category ?? {}).map((key) => `category_data.${key}`),
        ...extraMask
      ]
      return {
        update_mask: mask.length === 0 ? ["general_data.title"] : [...new Set(mask)],
        ...(Object.keys(general).length > 0 || editableOnly ? { general_data: general } : {}),
        ...(category === undefined ? {} : { category_data: category })
      }
    })
}

/** The schemas of an operation's input. */
export type InputSchemas = Pick<Operation.Any, "params" | "body">

/** Valid inputs (path parameters and body fields, flat) of the operation `name`. */
export const validInputs = (
  definition: InputSchemas,
  name: string,
  seed: number
): fc.Arbitrary<Record<string, unknown>> => {
  const params = fc.constantFrom(...sample(Arbitrary.schema(definition.params), 30, seed))
  const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)
  const paramsArb = fc.oneof(
    params as fc.Arbitrary<Record<string, unknown>>,
    fc.record(Object.fromEntries(Object.keys(definition.params.fields).map((key) => [key, token])))
  )
  const body: fc.Arbitrary<unknown> =
    definition.body === undefined
      ? fc.constant({})
      : name === "editPostV2"
        ? editPostV2Bodies(seed)
        : fc.constantFrom(...sample(Arbitrary.schema(definition.body), 50, seed + 1))
  return fc
    .tuple(paramsArb, body)
    .map(([params, body]) => ({ ...(body as Record<string, unknown>), ...params }))
}

// ----------------------------------------------------------------------------- hostile values

/** Enum names, known and unknown. */
export const enumNames = [
  ...PostSchema.PostStates,
  ...PostSchema.LocationTypes,
  ...PostSchema.BusinessTypes,
  ...PostSchema.CustomizedButtonTypes,
  ...PostSchema.HttpMethods,
  "POST_STATE_FROM_THE_FUTURE",
  "LOCATION_TYPE_TELEPATHIC",
  "TRACE",
  "online_call",
  "POST_STATE_UNSPECIFIED",
  "0",
  ""
]

/** `depth` levels of nested objects (`{ a: { a: ... } }`) or arrays (`[[...]]`). */
export const nested = (depth: number, array: boolean): unknown => {
  let value: unknown = array ? [] : {}
  for (let i = 0; i < depth; i++) value = array ? [value] : { a: value }
  return value
}

/** JSON values of the wrong kind, as an answer can carry them. */
export const jsonHostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0, 0.5, -1, 2 ** 31, 2 ** 53 + 2, 1e308, 5e-324),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.constantFrom(...enumNames, " ", "-1", "1e999", "34.5", "18446744073709551616", "١٢٣", "true", "null"),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  jsonObject,
  fc.tuple(fc.integer({ min: 20, max: 400 }), fc.boolean()).map(([depth, array]) => nested(depth, array))
)

/** A class whose instances are not plain objects. */
export class Money {
  constructor(readonly amount: number) {}
}

/** Values only code can pass (inputs): JSON cannot carry them. */
export const codeHostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    undefined,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    10n,
    Symbol("s"),
    () => "f"
  ),
  fc.constant(null).map(() => new Date(0)),
  fc.constant(null).map(() => new Map([["a", 1]])),
  fc.constant(null).map(() => new Money(1)),
  fc.constant(null).map(() => Object.assign(Object.create(null), { title: "x" })),
  // biome-ignore lint/suspicious/noSparseArray: a hole is the point
  fc.constant(null).map(() => [1, , 3]),
  fc.constant(null).map(() => {
    const cycle: Record<string, unknown> = { a: 1 }
    cycle.self = cycle
    return cycle
  }),
  fc.constant(null).map(() => "x".repeat(10_000)),
  fc.integer({ min: 900, max: 1_200 }).map((depth) => nested(depth, false))
)

/**
 * More values JSON cannot carry, besides {@link codeHostile}: -0, objects
 * with getters, arrays with extra properties, boxed primitives, frozen and
 * null-prototype objects shaped like answers.
 */
export const rawHostile: fc.Arbitrary<unknown> = fc.oneof(
  codeHostile,
  fc.constantFrom(-0, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2),
  fc.constant(null).map(() => ({
    get total() {
      return 3
    },
    daily: []
  })),
  fc.constant(null).map(() => Object.assign(["a"], { extra: 1 })),
  fc.constant(null).map(() => Object(1) as unknown),
  fc.constant(null).map(() => Object("s") as unknown),
  fc.constant(null).map(() => Object.freeze({ url: "u", http_method: "PUT" })),
  fc.constant(null).map(() => Object.assign(Object.create(null), { total: 1, can_submit: true, name: "n" })),
  fc.constant(null).map(() => new Array(3)),
  fc.constant(null).map(() => new Uint8Array(2))
)

/** Keys added to objects: random, prototype names, and names the schemas use. */
export const extraKey = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "0",
    "",
    "@type",
    "general_data",
    "post_token",
    "token",
    "business_token",
    "title",
    "video",
    "latitude",
    "update_mask",
    "open_direct_link"
  )
)

/** What {@link mutate} can do to a node; the first eight are {@link jsonKinds}. */
export type MutationKind =
  | "replace"
  | "delete"
  | "extra"
  | "enum"
  | "wrap"
  | "stringify"
  | "null"
  | "undefined"
  // only code can do these (JSON.parse never gives such values)
  | "getter"
  | "throwingGetter"
  | "nullPrototype"
  | "classPrototype"

/** The mutations whose result JSON can carry (after `JSON.stringify`, `undefined` values are absent). */
export const jsonKinds: ReadonlyArray<MutationKind> = [
  "replace",
  "delete",
  "extra",
  "enum",
  "wrap",
  "stringify",
  "null",
  "undefined"
]

/** Every mutation, also those only code can do. */
export const allKinds: ReadonlyArray<MutationKind> = [
  ...jsonKinds,
  "getter",
  "throwingGetter",
  "nullPrototype",
  "classPrototype"
]

export type Mutation = {
  readonly kind: MutationKind
  readonly at: number
  readonly key: string
  readonly value: unknown
}

/** One mutation, with `hostile` for the values it puts in. */
export const mutation = (
  hostile: fc.Arbitrary<unknown>,
  kinds: ReadonlyArray<MutationKind> = jsonKinds
): fc.Arbitrary<Mutation> =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    at: fc.nat(),
    key: extraKey,
    value: hostile
  })

type Path = ReadonlyArray<string>

/** An own property's value, without running its getter (whose value counts as `undefined`). */
const read = (target: object, key: string): unknown => {
  const descriptor = Object.getOwnPropertyDescriptor(target, key)
  return descriptor !== undefined && "value" in descriptor ? descriptor.value : undefined
}

/** Every node of a (tree-shaped) value, parents first; nothing under a getter. */
export const pathsOf = (root: unknown): Array<Path> => {
  const out: Array<Path> = []
  const stack: Array<readonly [unknown, Path]> = [[root, []]]
  while (stack.length > 0 && out.length < 500) {
    const [value, path] = stack.pop()!
    out.push(path)
    if (typeof value === "object" && value !== null && path.length < 12) {
      for (const key of Object.keys(value)) {
        stack.push([read(value, key), [...path, key]])
      }
    }
  }
  return out
}

/** Sets an own, enumerable property (also `__proto__`, which `=` would not create). */
export const setOwn = (target: object, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })

/** A value as text, never throwing. */
export const stringify = (value: unknown): string => {
  try {
    return typeof value === "object" ? String(JSON.stringify(value)) : String(value)
  } catch {
    return "[object Object]"
  }
}

/**
 * Applies mutations to a copy of `value`. A mutation that cannot apply (to a
 * frozen object or a typed array put in by an earlier one) is skipped.
 */
export const mutate = (value: unknown, mutations: ReadonlyArray<Mutation>): unknown => {
  let root: unknown = structuredClone(value)
  for (const m of mutations) {
    try {
      root = mutateOnce(root, m)
    } catch {
      // skipped
    }
  }
  return root
}

const mutateOnce = (root: unknown, m: Mutation): unknown => {
  const paths = pathsOf(root)
  const path = paths[m.at % paths.length]!
  const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], root)
  const last = path.at(-1)
  const current = last === undefined ? root : read(parent, last)
  const replace = (next: unknown) => {
    if (last === undefined) root = next
    else setOwn(parent, last, next)
  }
  const isObject = typeof current === "object" && current !== null
  switch (m.kind) {
    case "replace":
      replace(m.value)
      break
    case "null":
      replace(null)
      break
    case "undefined":
      replace(undefined)
      break
    case "delete":
      // (an array gets a hole)
      if (last !== undefined) delete parent[last]
      break
    case "extra":
      if (isObject) setOwn(current, m.key, m.value)
      else replace({ [m.key]: m.value })
      break
    case "enum":
      replace(enumNames[m.at % enumNames.length])
      break
    case "wrap":
      replace(m.at % 2 === 0 ? [current] : { value: current })
      break
    case "stringify":
      replace(stringify(current))
      break
    case "getter":
      // the same value, read through an accessor
      if (last !== undefined) {
        Object.defineProperty(parent, last, { get: () => current, enumerable: true, configurable: true })
      }
      break
    case "throwingGetter":
      if (last !== undefined) {
        Object.defineProperty(parent, last, {
          get: () => {
            throw new Error(`reading ${last}`)
          },
          enumerable: true,
          configurable: true
        })
      }
      break
    case "nullPrototype":
      if (isObject) Object.setPrototypeOf(current, null)
      else replace(Object.assign(Object.create(null), { [m.key]: m.value }))
      break
    case "classPrototype":
      if (isObject) Object.setPrototypeOf(current, Money.prototype)
      else replace(new Money(m.at))
      break
  }
  return root
}

// ----------------------------------------------------------------------------- answers and inputs

/**
 * Answers of the operation `name` (output schema `output`) as `JSON.parse`
 * gives them: valid ones, mutated ones (mostly invalid) and random JSON.
 */
export const answers = (output: Schema.Top, name: string, seed: number): fc.Arbitrary<unknown> => {
  const valid = validAnswers(output, name, seed)
  const mutated = fc
    .tuple(fc.constantFrom(...valid), fc.array(mutation(jsonHostile), { minLength: 1, maxLength: 4 }))
    // an answer is what JSON.parse gives: `undefined` values are absent
    .map(([answer, mutations]) => JSON.parse(JSON.stringify(mutate(answer, mutations)) ?? "null") as unknown)
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...valid) },
    { weight: 6, arbitrary: mutated },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) }
  )
}

/**
 * A value close to `value`: of the same type but maybe not valid (what only a
 * schema's checks tell apart), or a look-alike of another type.
 */
export const nearValue = (value: unknown, at: number): unknown => {
  const pick = (near: ReadonlyArray<unknown>) => near[at % near.length]
  switch (typeof value) {
    case "number":
      return pick([
        value + 0.5,
        -value - 1,
        2 ** 31,
        -(2 ** 31) - 1,
        2 ** 53 + 2,
        1e21,
        0.1,
        String(value),
        null
      ])
    case "string": {
      const number = Number(value)
      return pick([
        "",
        " ",
        "x",
        "-1",
        "1.5",
        "0x1",
        "1e3",
        "9".repeat(21),
        `${value}x`,
        value.slice(1),
        "١٢٣",
        Number.isNaN(number) ? 0 : number,
        null
      ])
    }
    case "boolean":
      return pick([!value, Number(value), String(value), null])
    default:
      return value
  }
}

/**
 * Answers of `name` as `JSON.parse` gives them, with one to three leaves
 * (strings, numbers, booleans) of a valid answer changed to a
 * {@link nearValue}: a fraction for an integer, letters for a uint64 string,
 * `"true"` or `1` for a boolean, ...
 */
export const nearMisses = (output: Schema.Top, name: string, seed: number): fc.Arbitrary<unknown> => {
  const valid = validAnswers(output, name, seed)
  return fc
    .tuple(fc.constantFrom(...valid), fc.array(fc.nat(), { minLength: 1, maxLength: 3 }))
    .map(([answer, ats]) => {
      const root: unknown = structuredClone(answer)
      for (const at of ats) {
        const leaves = pathsOf(root).filter((path) => {
          const value = path.reduce<any>((node, key) => node[key], root)
          return path.length > 0 && (typeof value !== "object" || value === null) && value !== undefined
        })
        if (leaves.length === 0) break
        const path = leaves[at % leaves.length]!
        const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], root)
        const last = path.at(-1)!
        setOwn(parent, last, nearValue(parent[last], Math.floor(at / leaves.length)))
      }
      return JSON.parse(JSON.stringify(root) ?? "null") as unknown
    })
}

/**
 * Values in the place of an answer of `name` that only code can build (no
 * `JSON.parse` round trip): valid answers with every mutation, also those
 * JSON cannot carry (getters, odd prototypes, holes, `undefined`, NaN, -0,
 * cycles, ...), and such values alone.
 */
export const rawAnswers = (output: Schema.Top, name: string, seed: number): fc.Arbitrary<unknown> => {
  const valid = validAnswers(output, name, seed)
  const hostile = fc.oneof({ weight: 2, arbitrary: jsonHostile }, { weight: 3, arbitrary: rawHostile })
  const mutated = fc
    .tuple(fc.constantFrom(...valid), fc.array(mutation(hostile, allKinds), { minLength: 1, maxLength: 4 }))
    .map(([answer, mutations]) => mutate(answer, mutations))
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...valid) },
    { weight: 8, arbitrary: mutated },
    { weight: 1, arbitrary: hostile }
  )
}

/** Inputs of the operation `name`: valid ones, mutated ones and hostile values (JSON or not). */
export const inputs = (definition: InputSchemas, name: string, seed: number): fc.Arbitrary<unknown> => {
  const valid = validInputs(definition, name, seed)
  const hostile = fc.oneof({ weight: 3, arbitrary: jsonHostile }, { weight: 2, arbitrary: codeHostile })
  const mutated = fc
    .tuple(valid, fc.array(mutation(hostile), { minLength: 1, maxLength: 3 }))
    .map(([input, mutations]) => mutate(input, mutations))
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 6, arbitrary: mutated },
    { weight: 1, arbitrary: hostile }
  )
}
