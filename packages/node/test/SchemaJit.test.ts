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
 * The generators (valid, realistic and hostile answers and inputs, and their
 * mutations) are shared with `@kenar/core`'s `FastDecode.test.ts`
 * (`packages/core/test/utils/answers.ts`).
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
import { type Operation, Posts } from "@kenar/core"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import fc from "fast-check"
import { afterAll, describe, expect, it, vi } from "vitest"
import { decodeSuccess } from "../../core/src/internal/classify.js"
import { issuesOf, validateInputSync } from "../../core/src/internal/validate.js"
import { answers, inputs, validAnswers } from "../../core/test/utils/answers.js"
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
    const answer = validAnswers(definitionOf(jit, "getUserPost").output, "getUserPost", 1)[0]
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
      fc.property(answers(definitionOf(jit, name).output, name, seed), (answer) => {
        compareAnswer(name, answer)
      }),
      { seed, numRuns: RUNS }
    )
  })

  it("inputs validate the same with the JIT and the interpreter", () => {
    fc.assert(
      fc.property(inputs(definitionOf(jit, name), name, seed), (input) => {
        compareInput(name, input)
      }),
      { seed, numRuns: RUNS }
    )
  })
})
