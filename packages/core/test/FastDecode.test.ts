/**
 * The fast answer decoder (`internal/fastDecode.ts`) against effect's own
 * decoder (`Schema.decodeUnknownExit`, default options), property-based
 * (fast-check; seeded: FC_SEED, FC_RUNS). The fast decoder's contract is
 * one-sided: whatever value it returns is exactly effect's (deep-equal with
 * the same prototypes, and the same key order in every object, which
 * `deepStrictEqual` does not compare), and it returns `invalid` whenever
 * effect fails. It may also give up (`invalid`) where effect succeeds, a
 * "miss": `decodeSuccess` then runs effect's decoder, so a miss costs time,
 * not correctness. For every operation of `Posts.all`:
 *
 * - the output schema compiles to a fast decoder (the fast path stays wired);
 * - answers as `JSON.parse` gives them (valid answers derived from the schema
 *   and realistic ones, hostile mutations of them, random JSON; the
 *   generators `SchemaJit.test.ts` in @kenar/node uses too): the contract,
 *   no exception, and no miss at all on what effect accepts; through
 *   `decodeSuccess`, the same value or a `SchemaMismatch`;
 * - near misses (JSON): valid answers with a few leaves changed to values
 *   only the schema's checks or its exact types tell apart (a fraction for
 *   an int32, letters for a uint64 string, `1` for a boolean), which random
 *   mutations seldom hit: the same, so the checks run as declared;
 * - values JSON cannot carry (`undefined`, NaN, -0, Infinity, BigInt,
 *   class instances and null-prototype objects, holes, getters, own
 *   `__proto__` / `constructor` / `toString` keys, cycles, deep nesting):
 *   the contract only, misses allowed. Such values never reach the fast
 *   decoder in the SDK (`decodeSuccess` calls it outside any try/catch on
 *   `JSON.parse` output only), so an exception is allowed there, but only
 *   where effect's decoder throws or dies too (a throwing getter).
 *
 * The fast path is off until `KenarDecoding.enableFastPath()` (which
 * `@kenar/node` calls); this file turns it on, so `decodeSuccess` runs it.
 *
 * Besides: schemas the fast path does not handle (unions, literals,
 * transformations, defaults without the `kenarZero` annotation, structs with
 * rest) make `compile` give up and `decodeSuccess` decides through effect;
 * proto3 defaults are fresh objects on every decode (the zero values live in
 * the schema's annotations); a realistic GetUserPost answer decodes through
 * `decodeSuccess` to effect's value.
 */
import { AssertionError, deepStrictEqual } from "node:assert/strict"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { afterAll, describe, expect, it, vi } from "vitest"
import { KenarDecoding, type Operation, PostSchema, Posts } from "../src/index.js"
import { type Answer, decodeSuccess } from "../src/internal/classify.js"
import { compile, type FastDecode, invalid, zeroAnnotation } from "../src/internal/fastDecode.js"
import { answers, nearMisses, rawAnswers, realistic } from "./utils/answers.js"

// off until asked (browser clients); `decodeSuccess` below runs the fast path first
expect(KenarDecoding.isFastPathEnabled()).toBe(false)
KenarDecoding.enableFastPath()

const SEED = Number(process.env.FC_SEED ?? 20_261_128)
const RUNS = Number(process.env.FC_RUNS ?? 300)

type Name = keyof Posts.All
const names = Object.keys(Posts.all) as Array<Name>
const definitionOf = (name: Name) => Posts.all[name].definition as Operation.Any

// ----------------------------------------------------------------------------- both decoders

type Outcome =
  | { readonly _tag: "Success"; readonly value: unknown }
  | { readonly _tag: "Failure" }
  | { readonly _tag: "Defect"; readonly reasons: ReadonlyArray<string> }
  | { readonly _tag: "Threw"; readonly error: unknown }

const effectDecoders = new Map<Schema.Top, (input: unknown) => Exit.Exit<unknown, Schema.SchemaError>>()

/** What effect's decoder (as `decodeSuccess` builds it: default options) makes of `input`. */
const effectOutcome = (schema: Schema.Top, input: unknown): Outcome => {
  let decode = effectDecoders.get(schema)
  if (decode === undefined) {
    decode = Schema.decodeUnknownExit(schema as Schema.Codec<unknown, unknown>)
    effectDecoders.set(schema, decode)
  }
  let exit: Exit.Exit<unknown, Schema.SchemaError>
  try {
    exit = decode(input)
  } catch (error) {
    return { _tag: "Threw", error }
  }
  if (Exit.isSuccess(exit)) return { _tag: "Success", value: exit.value }
  return exit.cause.reasons.some((reason) => reason._tag === "Fail")
    ? { _tag: "Failure" }
    : { _tag: "Defect", reasons: exit.cause.reasons.map((reason) => reason._tag) }
}

/** Both builds of a struct's decoder: generated code (Node's), and closures (where `new Function` is not allowed). */
const builds = [true, false] as const

const fastOf = (schema: Schema.Top, generate = true): FastDecode => {
  const fast = compile(schema.ast, generate)
  if (fast === undefined) throw new Error("no fast decoder")
  return fast
}

/** An own property's value, without running a getter. */
const own = (target: object, key: PropertyKey): unknown => Object.getOwnPropertyDescriptor(target, key)?.value

/**
 * The same own keys (strings and symbols) in the same order, at every level:
 * `deepStrictEqual` compares them as sets. Getters are not run.
 */
const sameKeyOrder = (actual: unknown, expected: unknown): void => {
  const seen = new Set<object>()
  const stack: Array<readonly [unknown, unknown, string]> = [[actual, expected, "$"]]
  while (stack.length > 0) {
    const [a, e, at] = stack.pop()!
    if (typeof a !== "object" || a === null || typeof e !== "object" || e === null || seen.has(a)) continue
    seen.add(a)
    const keys = Reflect.ownKeys(a)
    const expectedKeys = Reflect.ownKeys(e)
    if (keys.length !== expectedKeys.length || keys.some((key, i) => key !== expectedKeys[i])) {
      throw new AssertionError({
        message: `different key order at ${at}`,
        actual: keys.map(String),
        expected: expectedKeys.map(String),
        operator: "sameKeyOrder"
      })
    }
    for (const key of keys) stack.push([own(a, key), own(e, key), `${at}.${String(key)}`])
  }
}

/**
 * Deep strict equality (node's: same prototypes, own properties, `Object.is`
 * for primitives; not vitest's `toStrictEqual`, which reads `.constructor`
 * and so misreads data with an own "constructor" key), in the same key order.
 */
const same = (actual: unknown, expected: unknown) => {
  deepStrictEqual(actual, expected)
  sameKeyOrder(actual, expected)
}

const show = (value: unknown): string => {
  try {
    return JSON.stringify(value)?.slice(0, 400) ?? String(value)
  } catch {
    return String(value)
  }
}

const wire = (text: string): Answer => ({ status: 200, headers: {}, text, attempt: 1, now: 0 })

const counts = {
  json: 0,
  jsonAccepted: 0,
  jsonRejected: 0,
  jsonMisses: 0,
  raw: 0,
  rawAccepted: 0,
  rawRejected: 0,
  rawMisses: 0,
  rawThrew: 0
}

afterAll(() => {
  console.log(
    `FastDecode: compared ${counts.json} JSON answers (${counts.jsonAccepted} accepted by the fast path, ` +
      `${counts.jsonRejected} rejected by both, ${counts.jsonMisses} misses) and ${counts.raw} raw values ` +
      `(${counts.rawAccepted} accepted, ${counts.rawRejected} rejected by both, ${counts.rawMisses} misses, ` +
      `${counts.rawThrew} thrown by both) (seed ${SEED}, ${RUNS} runs per property)`
  )
})

/**
 * An answer as `JSON.parse` gives it: the contract, no exception, no miss,
 * and the same outcome through `decodeSuccess`.
 */
const compareJson = (name: Name, json: unknown) => {
  const definition = definitionOf(name)
  const expected = effectOutcome(definition.output, json)
  expect(expected._tag, "effect's decoder neither succeeds nor fails").toMatch(/^(Success|Failure)$/)
  counts.json++
  for (const generate of builds) {
    const build = generate ? "generated" : "closures"
    // outside any try/catch, as decodeSuccess calls it
    const actual = fastOf(definition.output, generate)(json)
    if (expected._tag === "Success") {
      if (actual === invalid) {
        counts.jsonMisses++
        expect.fail(`${name} (${build}): the fast path missed an answer effect decodes: ${show(json)}`)
      }
      same(actual, expected.value)
    } else {
      expect(
        actual,
        `${name} (${build}): the fast path accepted an answer effect rejects: ${show(json)}`
      ).toBe(invalid)
    }
  }
  if (expected._tag === "Success") counts.jsonAccepted++
  else counts.jsonRejected++
  // the client, reading it from the wire
  const exit = decodeSuccess(definition, wire(JSON.stringify(json)))
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    expect(Exit.isFailure(exit)).toBe(true)
  } else if (expected._tag === "Success") {
    if (!Exit.isSuccess(exit)) expect.fail(`${name}: decodeSuccess failed on ${show(json)}`)
    same(exit.value, expected.value)
  } else {
    const reasons = Exit.isFailure(exit) ? exit.cause.reasons : []
    expect(reasons.map((reason) => (reason._tag === "Fail" ? reason.error.reason : reason._tag))).toEqual([
      "SchemaMismatch"
    ])
  }
}

/** A value only code can build: the contract; an exception only where effect's decoder throws or dies. */
const compareRaw = (name: Name, value: unknown) => {
  const output = definitionOf(name).output
  const expected = effectOutcome(output, value)
  counts.raw++
  const outcomes = builds.map((generate) => {
    const build = generate ? "generated" : "closures"
    let actual: unknown
    try {
      actual = fastOf(output, generate)(value)
    } catch (error) {
      expect(
        expected._tag,
        `${name} (${build}): the fast path threw ${String(error)} where effect's decoder gave ${expected._tag}`
      ).toMatch(/^(Threw|Defect)$/)
      return "threw"
    }
    if (actual === invalid) return expected._tag === "Success" ? "missed" : "rejected"
    if (expected._tag !== "Success") {
      expect.fail(
        `${name} (${build}): the fast path accepted a value effect's decoder gives ${expected._tag} on`
      )
    }
    same(actual, expected.value)
    return "accepted"
  })
  // (counted by the generated build, which Node runs)
  const outcome = outcomes[0]
  if (outcome === "threw") counts.rawThrew++
  else if (outcome === "missed") counts.rawMisses++
  else if (outcome === "rejected") counts.rawRejected++
  else counts.rawAccepted++
}

// ----------------------------------------------------------------------------- the properties

describe.each(names)("%s", (name) => {
  const seed = SEED + names.indexOf(name)
  const output = definitionOf(name).output

  it("its output schema has a fast decoder (generated, and as closures)", () => {
    expect(compile(output.ast)).toBeTypeOf("function")
    expect(compile(output.ast, false)).toBeTypeOf("function")
    expect(compile(output.ast)).not.toBe(compile(output.ast, false))
  })

  it("answers (JSON): the fast path decodes exactly as effect, and misses none", () => {
    fc.assert(
      fc.property(answers(output, name, seed), (answer) => {
        // what JSON.parse gives (the derived valid answers may hold NaN or -0)
        compareJson(name, JSON.parse(JSON.stringify(answer) ?? "null"))
      }),
      { seed, numRuns: RUNS }
    )
  })

  it("near misses (JSON): the fast path runs the schema's checks as effect does", () => {
    fc.assert(
      fc.property(nearMisses(output, name, seed), (answer) => {
        compareJson(name, answer)
      }),
      { seed, numRuns: RUNS }
    )
  })

  it("values JSON cannot carry: the fast path never accepts what effect rejects", () => {
    fc.assert(
      fc.property(rawAnswers(output, name, seed), (value) => {
        compareRaw(name, value)
      }),
      { seed, numRuns: RUNS }
    )
  })

  it("proto3 defaults are fresh on every decode", () => {
    const fast = fastOf(output)
    const expected = effectOutcome(output, {})
    if (expected._tag !== "Success") return expect.fail(`effect does not decode {} as ${name}`)
    const first = fast({})
    same(first, expected.value)
    vandalise(first)
    const second = fast({})
    same(second, expected.value)
    disjoint(first, second)
    // and through decodeSuccess (its cached decoder)
    const viaClient = () => {
      const exit = decodeSuccess(definitionOf(name), wire("{}"))
      return Exit.isSuccess(exit) ? exit.value : expect.fail(`decodeSuccess failed on {} as ${name}`)
    }
    const third = viaClient()
    vandalise(third)
    const fourth = viaClient()
    same(fourth, expected.value)
    disjoint(third, fourth)
  })
})

/** Changes every object and array in `value`. */
const vandalise = (value: unknown): void => {
  if (typeof value !== "object" || value === null) return
  for (const child of Object.values(value)) vandalise(child)
  if (Array.isArray(value)) value.push("vandal")
  else (value as Record<string, unknown>).vandal = true
}

/** No object or array of `a` is one of `b`. */
const disjoint = (a: unknown, b: unknown): void => {
  const objects = (value: unknown, into: Set<object>): Set<object> => {
    if (typeof value === "object" && value !== null && !into.has(value)) {
      into.add(value)
      for (const child of Object.values(value)) objects(child, into)
    }
    return into
  }
  const inB = objects(b, new Set())
  expect([...objects(a, new Set())].filter((object) => inB.has(object))).toEqual([])
}

describe("what the fast path leaves to effect", () => {
  const zeroOf = (value: string) => Effect.succeed(value)
  const unsupported: Record<string, Schema.Top> = {
    "a union": Schema.Union([Schema.String, Schema.Number]),
    "a literal": Schema.Literal("a"),
    "a transformation (NumberFromString)": Schema.NumberFromString,
    "a struct with a transformed field": Schema.Struct({ a: Schema.String, n: Schema.NumberFromString }),
    "a default without the kenarZero annotation": Schema.Struct({
      a: Schema.String.pipe(Schema.withDecodingDefaultKey(zeroOf("")))
    }),
    "an optional (undefined) field": Schema.Struct({ a: Schema.optional(Schema.String) }),
    "a struct with rest": Schema.StructWithRest(Schema.Struct({ a: Schema.String }), [
      Schema.Record(Schema.String, Schema.Unknown)
    ]),
    "google.rpc.Status (its details are structs with rest)": PostSchema.Status,
    "a record with a checked key": Schema.Record(Schema.String.check(Schema.isMinLength(1)), Schema.Number),
    "a tuple": Schema.Tuple([Schema.String]),
    "an array of unions": Schema.Array(Schema.Union([Schema.String, Schema.Number]))
  }

  it.each(Object.keys(unsupported))("compile gives up on %s", (what) => {
    expect(compile(unsupported[what]!.ast)).toBeUndefined()
  })

  it("a default with the kenarZero annotation is handled, and decodes as effect", () => {
    const schema = Schema.Struct({
      a: Schema.String.pipe(Schema.withDecodingDefaultKey(zeroOf("zero"))).annotate({
        [zeroAnnotation]: "zero"
      })
    })
    const fast = fastOf(schema)
    for (const input of [{}, { a: "x" }, { a: 1 }, { b: 2 }]) {
      const expected = effectOutcome(schema, input)
      const actual = fast(input)
      if (expected._tag === "Success") same(actual, expected.value)
      else expect(actual).toBe(invalid)
    }
  })

  // an operation-like definition: decodeSuccess reads `name` and `output` (and `output` only through effect here)
  const Custom = Schema.Struct({
    count: Schema.NumberFromString,
    kind: Schema.Union([Schema.Literal("a"), Schema.Literal("b")]),
    note: Schema.String.pipe(Schema.withDecodingDefaultKey(zeroOf("none")))
  })
  const custom = { name: "customOperation", output: Custom } as unknown as Operation.Any

  it("decodeSuccess decodes an answer of such a schema through effect", () => {
    expect(compile(Custom.ast)).toBeUndefined()
    const text = '{"kind":"b","count":"12"}'
    const expected = effectOutcome(Custom, JSON.parse(text))
    if (expected._tag !== "Success") return expect.fail("effect does not decode the answer")
    const exit = decodeSuccess(custom, wire(text))
    if (!Exit.isSuccess(exit)) return expect.fail("decodeSuccess failed")
    same(exit.value, expected.value)
    same(exit.value, { count: 12, kind: "b", note: "none" })
  })

  it("decodeSuccess reports an answer of such a schema that does not match", () => {
    const exit = decodeSuccess(custom, wire('{"count":"12","kind":"c"}'))
    if (!Exit.isFailure(exit)) return expect.fail("decodeSuccess succeeded")
    const [reason] = exit.cause.reasons
    if (reason?._tag !== "Fail") return expect.fail("not a failure")
    expect(reason.error.reason).toBe("SchemaMismatch")
    expect(reason.error.operation).toBe("customOperation")
    expect(reason.error.message).toMatch(/^customOperation: the answer does not match the schema at 'kind'/)
  })
})

describe("end to end", () => {
  const definition = definitionOf("getUserPost")
  const text = JSON.stringify(realistic.getUserPost![0])

  it("a realistic GetUserPost answer decodes through decodeSuccess (the fast path) to effect's value", () => {
    const json = JSON.parse(text)
    const expected = effectOutcome(definition.output, json)
    if (expected._tag !== "Success") return expect.fail("effect does not decode the answer")
    const fast = fastOf(definition.output)(JSON.parse(text))
    expect(fast).not.toBe(invalid)
    same(fast, expected.value)
    const exit = decodeSuccess(definition, wire(text))
    if (!Exit.isSuccess(exit)) return expect.fail("decodeSuccess failed")
    same(exit.value, expected.value)
    const value = exit.value as PostSchema.GetUserPostResponse
    expect(value.general_data.hide_phone).toBe(false)
    expect(value.general_data.video?.duration).toBe("34")
    expect(value.general_data.images).toEqual(["a.jpg", "b.jpg"])
    expect(value.reject_reason).toBe("")
  })

  it("a GetUserPost answer that does not match is reported through effect", () => {
    const exit = decodeSuccess(definition, wire('{"general_data":{"images":["a.jpg",7]}}'))
    if (!Exit.isFailure(exit)) return expect.fail("decodeSuccess succeeded")
    const [reason] = exit.cause.reasons
    if (reason?._tag !== "Fail") return expect.fail("not a failure")
    expect(reason.error.reason).toBe("SchemaMismatch")
    expect(reason.error.message).toMatch(
      /^getUserPost: the answer does not match the schema at 'general_data/
    )
  })
})

describe("where new Function is not allowed (a strict Content-Security-Policy)", () => {
  it("structs are closures, and decode as effect", async () => {
    const original = globalThis.Function
    const blocked = new Proxy(original, {
      apply() {
        throw new EvalError("Refused to evaluate a string as JavaScript (CSP)")
      },
      construct() {
        throw new EvalError("Refused to evaluate a string as JavaScript (CSP)")
      }
    })
    vi.resetModules()
    globalThis.Function = blocked
    try {
      // a fresh module: it has not yet found out whether it may generate code
      const fresh = await import("../src/internal/fastDecode.js")
      const output = definitionOf("getUserPost").output
      const fast = fresh.compile(output.ast)
      if (fast === undefined) return expect.fail("no fast decoder")
      expect(fast).not.toBe(compile(output.ast))
      const json = JSON.parse(JSON.stringify(realistic.getUserPost![0]))
      const expected = effectOutcome(output, json)
      if (expected._tag !== "Success") return expect.fail("effect does not decode the answer")
      const value = fast(json)
      expect(value).not.toBe(fresh.invalid)
      same(value, expected.value)
      expect(fast({ general_data: { images: [1] } })).toBe(fresh.invalid)
    } finally {
      globalThis.Function = original
    }
  })
})
