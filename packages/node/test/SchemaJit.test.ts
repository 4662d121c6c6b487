/**
 * The JIT-compiled schema decoders that `@kenar/node` enables
 * (`internal/compile.ts`, effect's `SchemaJITCompiler`) against effect's
 * interpreter, property-based (fast-check; seeded: FC_SEED, FC_RUNS): for
 * every operation of `Posts.all`,
 *
 * - answers: valid answers derived from the output schema (`effect/Arbitrary`)
 *   and hostile mutations of them (wrong types, missing and extra fields,
 *   unknown enum names, nulls, deep nesting) decode to the same `Exit`: equal
 *   values, or failures with the same issues, and the same user-visible
 *   outcome through `decodeSuccess` (value or `ResponseError` message);
 * - inputs: valid and hostile inputs validate the same: the `params` and
 *   `body` decoders (with the options the client uses) give equal values or
 *   the same issue list, and `validateInputSync` the same `ValidInput` or the
 *   same `ValidationError` (field, rule, message, issues).
 *
 * How both decoders live in one process: effect keeps one decoder entry per
 * AST object (`internal/schema/compilerRegistry.ts`, a WeakMap keyed by AST
 * identity); `SchemaJITCompiler.enable(ast)` replaces the entry of that AST
 * and, lazily, of the children the compiled code resolves. A decoder made by
 * `Schema.decodeUnknownExit` captures its parser on its first *call*, and the
 * interpreter compiles children lazily too (an array's items when the first
 * array arrives, a union's members when tried), so "build the interpreter's
 * decoder before enabling" would not capture a whole interpreted tree. Instead
 * the interpreter side decodes with a structurally identical copy of every
 * schema: `@kenar/core` evaluated a second time (`vi.resetModules` and a
 * dynamic import), whose ASTs are new objects that `enable` never saw. Only
 * effect's own singletons (`Schema.String`, `Schema.Number`, ...) are shared
 * by both copies; a test below checks that every shared AST node is a plain
 * leaf the JIT does not compile (its registry entry, if any, interprets), and
 * every interpreter-side decode is checked to generate no code (a spy on
 * `globalThis.Function`, which the JIT compiles with).
 */
import { deepStrictEqual } from "node:assert/strict"
import { type Operation, PostSchema, Posts } from "@kenar/core"
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import fc from "fast-check"
import { afterAll, describe, expect, it, vi } from "vitest"
import { decodeSuccess } from "../../core/src/internal/classify.js"
import { issuesOf, validateInputSync } from "../../core/src/internal/validate.js"
import { compileSchemas } from "../src/internal/compile.js"

const SEED = Number(process.env.FC_SEED ?? 20_261_127)
const RUNS = Number(process.env.FC_RUNS ?? 300)

// ----------------------------------------------------------------------------- the two sides

/** Code the JIT generates goes through `globalThis.Function("ast", "R", "resolve", source)`. */
const generated: Array<string> = []
const OriginalFunction = globalThis.Function
globalThis.Function = new Proxy(OriginalFunction, {
  apply(target, self, args: Array<string>) {
    if (args.length === 4 && args[0] === "ast") generated.push(args[3]!)
    return Reflect.apply(target, self, args)
  }
})
afterAll(() => {
  globalThis.Function = OriginalFunction
})

// JIT side: the schemas of the `@kenar/core` instance @kenar/node compiles, enabled as a
// transport does it, before any decoder of them is used.
compileSchemas()
const jit = {
  Posts,
  Schema,
  validateInputSync,
  decodeSuccess
}

// Interpreter side: a second, fresh evaluation of @kenar/core (new AST objects).
vi.resetModules()
const interp = {
  Posts: (await import("@kenar/core")).Posts,
  Schema: await import("effect/Schema"),
  validateInputSync: (await import("../../core/src/internal/validate.js")).validateInputSync,
  decodeSuccess: (await import("../../core/src/internal/classify.js")).decodeSuccess
}

type Name = keyof Posts.All
const names = Object.keys(Posts.all) as Array<Name>
const definitionOf = (side: { readonly Posts: typeof Posts }, name: Name) =>
  side.Posts.all[name].definition as Operation.Any

const parseOptions = { errors: "all", onExcessProperty: "error" } as const

type Decoder = (input: unknown) => Exit.Exit<unknown, Schema.SchemaError>

/** The decoders as the client builds them: answers with default options, inputs with `parseOptions`. */
const decodersOf = (side: typeof jit | typeof interp, name: Name) => {
  const definition = definitionOf(side, name)
  const decode = (schema: Schema.Top, options?: typeof parseOptions): Decoder => {
    const decoder = side.Schema.decodeUnknownExit(schema as Schema.Codec<unknown, unknown>)
    return options === undefined ? (input) => decoder(input) : (input) => decoder(input, options)
  }
  return {
    definition,
    output: decode(definition.output),
    params: decode(definition.params, parseOptions),
    body: definition.body === undefined ? undefined : decode(definition.body, parseOptions)
  }
}

const sides = Object.fromEntries(
  names.map((name) => [name, { jit: decodersOf(jit, name), interp: decodersOf(interp, name) }])
) as Record<Name, { jit: ReturnType<typeof decodersOf>; interp: ReturnType<typeof decodersOf> }>

// ----------------------------------------------------------------------------- comparing outcomes

type Outcome =
  | { readonly _tag: "Success"; readonly value: unknown }
  | { readonly _tag: "Failure"; readonly issues: ReadonlyArray<unknown> }
  | { readonly _tag: "Defect"; readonly reasons: ReadonlyArray<string> }
  | { readonly _tag: "Threw"; readonly error: string }

const outcomeOf = (run: () => Exit.Exit<unknown, Schema.SchemaError>): Outcome => {
  let exit: Exit.Exit<unknown, Schema.SchemaError>
  try {
    exit = run()
  } catch (error) {
    return { _tag: "Threw", error: String(error) }
  }
  if (Exit.isSuccess(exit)) return { _tag: "Success", value: exit.value }
  const fail = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  if (fail?._tag === "Fail") return { _tag: "Failure", issues: issuesOf(fail.error.issue) }
  return { _tag: "Defect", reasons: exit.cause.reasons.map((reason) => reason._tag) }
}

const counts = {
  answers: 0,
  answersValid: 0,
  answersInvalid: 0,
  inputs: 0,
  inputsValid: 0,
  inputsInvalid: 0,
  decoderPairs: 0
}

/**
 * Deep strict equality: same prototypes, same own properties (symbols too),
 * `Object.is` for primitives. (Node's, not vitest's `toStrictEqual`, which
 * compares `.constructor` and so misreads data with an own "constructor" key.)
 */
const same = (actual: unknown, expected: unknown) => deepStrictEqual(actual, expected)

/** Runs the interpreter side, checking it generates no code. */
const interpreted = <A>(run: () => A): A => {
  const before = generated.length
  const result = run()
  expect(generated.length, "the interpreter side generated code").toBe(before)
  return result
}

const compareDecoders = (jitDecode: Decoder, interpDecode: Decoder, input: unknown): Outcome => {
  const expected = interpreted(() => outcomeOf(() => interpDecode(input)))
  const actual = outcomeOf(() => jitDecode(input))
  same(actual, expected)
  counts.decoderPairs++
  return expected
}

const userOutcomeOfAnswer = (
  exit: Exit.Exit<unknown, { readonly reason: string; readonly message: string }>
) =>
  Exit.isSuccess(exit)
    ? { value: exit.value }
    : {
        errors: exit.cause.reasons.map((reason) =>
          reason._tag === "Fail"
            ? { reason: reason.error.reason, message: reason.error.message }
            : reason._tag
        )
      }

const compareAnswer = (name: Name, answer: unknown) => {
  const { jit: j, interp: i } = sides[name]
  const outcome = compareDecoders(j.output, i.output, answer)
  counts.answers++
  if (outcome._tag === "Success") counts.answersValid++
  else counts.answersInvalid++
  // what the client makes of it, read from the wire
  const text = JSON.stringify(answer)
  if (text === undefined) return
  const wire = { status: 200, headers: {}, text, attempt: 1, now: 0 }
  const expected = interpreted(() => userOutcomeOfAnswer(interp.decodeSuccess(i.definition, wire)))
  same(userOutcomeOfAnswer(jit.decodeSuccess(j.definition, wire)), expected)
}

const validationOutcome = (validate: () => ReturnType<typeof validateInputSync>) => {
  try {
    const result = validate()
    return result._tag === "ValidInput"
      ? { valid: { params: result.params, body: result.body } }
      : {
          invalid: { field: result.field, rule: result.rule, message: result.message, issues: result.issues }
        }
  } catch (error) {
    return { threw: String(error) }
  }
}

const compareInput = (name: Name, input: unknown) => {
  const { jit: j, interp: i } = sides[name]
  // the raw decoders, on the input split as the client splits it
  if (typeof input === "object" && input !== null && !Array.isArray(input)) {
    const paramNames = new Set(Object.keys(j.definition.params.fields))
    const params: Record<string, unknown> = {}
    const rest: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(input)) {
      if (paramNames.has(key)) params[key] = value
      else rest[key] = value
    }
    compareDecoders(j.params, i.params, params)
    if (j.body !== undefined && i.body !== undefined) compareDecoders(j.body, i.body, rest)
  } else {
    compareDecoders(j.params, i.params, input)
    if (j.body !== undefined && i.body !== undefined) compareDecoders(j.body, i.body, input)
  }
  // what the user sees
  const expected = interpreted(() => validationOutcome(() => interp.validateInputSync(i.definition, input)))
  const actual = validationOutcome(() => jit.validateInputSync(j.definition, input))
  same(actual, expected)
  counts.inputs++
  if ("valid" in expected) counts.inputsValid++
  else counts.inputsInvalid++
}

afterAll(() => {
  console.log(
    `SchemaJit: compared ${counts.answers} answers (${counts.answersValid} decoded, ${counts.answersInvalid} rejected) ` +
      `and ${counts.inputs} inputs (${counts.inputsValid} valid, ${counts.inputsInvalid} rejected): ` +
      `${counts.decoderPairs} JIT/interpreter decoder pairs; the JIT generated ${generated.length} functions ` +
      `(seed ${SEED}, ${RUNS} runs per property)`
  )
})

// ----------------------------------------------------------------------------- valid values

const sample = <A>(arbitrary: Arbitrary.Arbitrary<A>, count: number, seed: number): ReadonlyArray<A> =>
  Effect.runSync(Arbitrary.sampleEffect(arbitrary, { count, seed, size: 20, maxDiscards: 20_000 }))

const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 })

/** Realistic answers, besides the derived ones. */
const realistic: Partial<Record<Name, ReadonlyArray<object>>> = {
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

/** Valid answers of an operation: derived from both sides of its output schema, plus realistic ones. */
const validAnswers = (name: Name, seed: number): ReadonlyArray<unknown> => {
  const output = definitionOf(jit, name).output
  return [
    ...sample(Arbitrary.schema(Schema.toEncoded(output)), 60, seed),
    ...sample(Arbitrary.schema(output), 20, seed + 1),
    ...(realistic[name] ?? [])
  ]
}

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

/** Valid inputs (path parameters and body fields, flat) of an operation. */
const validInputs = (name: Name, seed: number): fc.Arbitrary<Record<string, unknown>> => {
  const definition = definitionOf(jit, name)
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

// ----------------------------------------------------------------------------- hostile mutations

const enumNames = [
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

const nested = (depth: number, array: boolean): unknown => {
  let value: unknown = array ? [] : {}
  for (let i = 0; i < depth; i++) value = array ? [value] : { a: value }
  return value
}

/** JSON values of the wrong kind, as an answer can carry them. */
const jsonHostile: fc.Arbitrary<unknown> = fc.oneof(
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

class Money {
  constructor(readonly amount: number) {}
}

/** Values only code can pass (inputs): JSON cannot carry them. */
const codeHostile: fc.Arbitrary<unknown> = fc.oneof(
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

const extraKey = fc.oneof(
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

type Mutation = {
  readonly kind: "replace" | "delete" | "extra" | "enum" | "wrap" | "stringify" | "null" | "undefined"
  readonly at: number
  readonly key: string
  readonly value: unknown
}

const mutation = (hostile: fc.Arbitrary<unknown>): fc.Arbitrary<Mutation> =>
  fc.record({
    kind: fc.constantFrom("replace", "delete", "extra", "enum", "wrap", "stringify", "null", "undefined"),
    at: fc.nat(),
    key: extraKey,
    value: hostile
  })

type Path = ReadonlyArray<string>

/** Every node of a (tree-shaped) value, parents first. */
const pathsOf = (root: unknown): Array<Path> => {
  const out: Array<Path> = []
  const stack: Array<readonly [unknown, Path]> = [[root, []]]
  while (stack.length > 0 && out.length < 500) {
    const [value, path] = stack.pop()!
    out.push(path)
    if (typeof value === "object" && value !== null && path.length < 12) {
      for (const key of Object.keys(value)) {
        stack.push([(value as Record<string, unknown>)[key], [...path, key]])
      }
    }
  }
  return out
}

const setOwn = (target: object, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })

const stringify = (value: unknown): string => {
  try {
    return typeof value === "object" ? String(JSON.stringify(value)) : String(value)
  } catch {
    return "[object Object]"
  }
}

/** Applies mutations to a copy of `value`. */
const mutate = (value: unknown, mutations: ReadonlyArray<Mutation>): unknown => {
  let root: unknown = structuredClone(value)
  for (const m of mutations) {
    const paths = pathsOf(root)
    const path = paths[m.at % paths.length]!
    const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], root)
    const last = path.at(-1)
    const current = last === undefined ? root : parent[last]
    const replace = (next: unknown) => {
      if (last === undefined) root = next
      else setOwn(parent, last, next)
    }
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
        if (typeof current === "object" && current !== null) setOwn(current, m.key, m.value)
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
    }
  }
  return root
}

const answers = (name: Name, seed: number): fc.Arbitrary<unknown> => {
  const valid = validAnswers(name, seed)
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

const inputs = (name: Name, seed: number): fc.Arbitrary<unknown> => {
  const valid = validInputs(name, seed)
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

// ----------------------------------------------------------------------------- the properties

describe("the setting", () => {
  it("the two sides are distinct copies of the same schemas", () => {
    for (const name of names) {
      const a = definitionOf(jit, name)
      const b = definitionOf(interp, name)
      expect(a).not.toBe(b)
      expect(a.output.ast).not.toBe(b.output.ast)
      expect(a.params.ast).not.toBe(b.params.ast)
      expect(Object.keys(b.params.fields)).toEqual(Object.keys(a.params.fields))
    }
  })

  it("only plain leaves (which the JIT does not compile) are shared between the two sides", () => {
    const children = (ast: any): Array<SchemaAST.AST> => [
      ...(ast.propertySignatures ?? []).map((p: any) => p.type),
      ...(ast.indexSignatures ?? []).flatMap((i: any) => [i.parameter, i.type]),
      ...(ast.elements ?? []),
      ...(ast.rest ?? []),
      ...(ast.types ?? []),
      ...(ast.typeParameters ?? []),
      ...(ast.encoding ?? []).map((link: any) => link.to),
      ...(ast._tag === "Suspend" ? [ast.thunk()] : [])
    ]
    const reachable = (side: typeof jit | typeof interp) => {
      const seen = new Set<SchemaAST.AST>()
      const stack: Array<SchemaAST.AST> = []
      for (const name of names) {
        const definition = definitionOf(side, name)
        stack.push(definition.output.ast, definition.params.ast)
        if (definition.body !== undefined) stack.push(definition.body.ast)
      }
      while (stack.length > 0) {
        const ast = stack.pop()!
        if (seen.has(ast)) continue
        seen.add(ast)
        stack.push(...children(ast))
      }
      return seen
    }
    const jitNodes = reachable(jit)
    const interpNodes = reachable(interp)
    const shared = [...interpNodes].filter((ast) => jitNodes.has(ast))
    // what `shouldCompileParser` (internal/schema/codegen.ts) leaves to the interpreter:
    // no encoding, no checks, no constructor default, and not an Objects/Arrays/Union/... node
    // (effect memoizes `optionalKey(Schema.String)` and the like, so those are shared too)
    const leaves = new Set(["String", "Number", "Boolean", "Unknown", "Null", "Undefined", "Literal"])
    const compilable = shared.filter(
      (ast: any) =>
        !leaves.has(ast._tag) ||
        ast.checks !== undefined ||
        ast.encoding !== undefined ||
        ast.encodingChecks !== undefined ||
        ast.context?.constructorDefault !== undefined
    )
    expect(compilable.map((ast) => ast._tag)).toEqual([])
    expect(interpNodes.size).toBeGreaterThan(50)
    expect(shared.length).toBeLessThan(10)
  })

  it("the JIT side really compiles (and the interpreter side never does)", () => {
    const answer = validAnswers("getUserPost", 1)[0]
    const before = generated.length
    compareAnswer("getUserPost", answer)
    compareInput("getUserPost", { token: "AaEB0vbO" })
    expect(generated.length).toBeGreaterThan(before)
  })
})

describe.each(names)("%s", (name) => {
  const seed = SEED + names.indexOf(name)

  it("answers decode the same with the JIT and the interpreter", () => {
    fc.assert(
      fc.property(answers(name, seed), (answer) => {
        compareAnswer(name, answer)
      }),
      { seed, numRuns: RUNS }
    )
  })

  it("inputs validate the same with the JIT and the interpreter", () => {
    fc.assert(
      fc.property(inputs(name, seed), (input) => {
        compareInput(name, input)
      }),
      { seed, numRuns: RUNS }
    )
  })
})
