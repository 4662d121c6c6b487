import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import * as SchemaIssue from "effect/SchemaIssue"
import { ValidationError, type ValidationIssue } from "../KenarError.js"
import type * as Operation from "../Operation.js"
import { fastPath, invalid } from "./fastPath.js"
import { ruleAnnotation } from "./proto.js"

const ruleOfLeaf = (issue: SchemaIssue.Issue): string => {
  switch (issue._tag) {
    case "MissingKey":
      return "required"
    case "UnexpectedKey":
      return "unknown-field"
    case "OneOf":
      return "one-of"
    case "InvalidValue":
      return "value"
    default:
      return "type"
  }
}

const ruleOfFilter = (filter: SchemaAST.Filter<unknown>): string => {
  const rule = filter.annotations?.[ruleAnnotation]
  return typeof rule === "string" ? rule : "constraint"
}

const collect = (
  issue: SchemaIssue.Issue,
  path: ReadonlyArray<PropertyKey>,
  rule: string | undefined,
  message: string | undefined,
  out: Array<ValidationIssue>
): void => {
  switch (issue._tag) {
    case "Filter":
      collect(
        issue.issue,
        path,
        rule ?? ruleOfFilter(issue.filter),
        message ?? SchemaIssue.defaultCheckHook(issue),
        out
      )
      return
    case "Encoding":
      collect(issue.issue, path, rule, message, out)
      return
    case "Pointer":
      collect(issue.issue, [...path, ...issue.path], rule, message, out)
      return
    case "Composite":
    case "AnyOf":
      if (issue.issues.length > 0) {
        for (const inner of issue.issues) collect(inner, path, rule, message, out)
        return
      }
      out.push({
        field: path.map(String).join("."),
        rule: rule ?? "type",
        message: message ?? "Expected a valid value"
      })
      return
    default:
      out.push({
        field: path.map(String).join("."),
        rule: rule ?? ruleOfLeaf(issue),
        message:
          issue._tag === "MissingKey"
            ? "Required field is missing"
            : (message ?? SchemaIssue.defaultLeafHook(issue))
      })
  }
}

/**
 * Flattens a schema issue into one entry per problem, each with the dotted
 * field path and the rule's short name.
 */
export const issuesOf = (issue: SchemaIssue.Issue): ReadonlyArray<ValidationIssue> => {
  const out: Array<ValidationIssue> = []
  collect(issue, [], undefined, undefined, out)
  return out
}

const parseOptions: SchemaAST.ParseOptions = { errors: "all", onExcessProperty: "error" }
// path parameters are picked from the input by name, so they never have excess properties to look for
const paramsParseOptions: SchemaAST.ParseOptions = { errors: "all" }
// Valid parameters decode the same whatever the errors mode: try the first-error mode first,
// which compiled (JIT) decoders run natively ("all" falls back to the interpreter), and collect
// every issue only when there is one.
const firstErrorOptions: SchemaAST.ParseOptions = {}

const decoders = new WeakMap<
  SchemaAST.ParseOptions,
  WeakMap<Schema.Top, (input: unknown) => Exit.Exit<unknown, Schema.SchemaError>>
>()

const decoderOf = (schema: Schema.Top, options: SchemaAST.ParseOptions) => {
  let byOptions = decoders.get(options)
  if (byOptions === undefined) {
    byOptions = new WeakMap()
    decoders.set(options, byOptions)
  }
  let decoder = byOptions.get(schema)
  if (decoder === undefined) {
    const decode = Schema.decodeUnknownExit(schema as Schema.Codec<unknown, unknown>)
    decoder = (input) => decode(input, options)
    byOptions.set(schema, decoder)
  }
  return decoder
}

const paramNames = new WeakMap<Operation.Any, ReadonlySet<string>>()
const paramNamesOf = (definition: Operation.Any): ReadonlySet<string> => {
  let names = paramNames.get(definition)
  if (names === undefined) {
    names = new Set(Object.keys(definition.params.fields))
    paramNames.set(definition, names)
  }
  return names
}

/** A validated input, split into path parameters and body. */
export interface ValidInput {
  readonly _tag: "ValidInput"
  readonly params: Readonly<Record<string, string>>
  readonly body: unknown
}

/**
 * Validates a call's input against its operation: path parameters as tokens,
 * the rest against the body schema, unknown fields rejected.
 */
export const validateInputSync = (
  definition: Operation.Any,
  input: unknown
): ValidInput | ValidationError => {
  const fail = (issues: ReadonlyArray<ValidationIssue>) => {
    const first = issues[0] ?? { field: "", rule: "type", message: "Invalid input" }
    return new ValidationError({
      operation: definition.name,
      field: first.field,
      rule: first.rule,
      message: `${definition.name}: ${first.field === "" ? "input" : first.field}: ${first.message}`,
      issues
    })
  }
  const record = input === undefined ? {} : withoutUndefined(input)
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    return fail([{ field: "", rule: "type", message: "Expected an object" }])
  }
  const paramNames = paramNamesOf(definition)
  const params: Record<string, unknown> = {}
  const rest: Record<string, unknown> = {}
  // (the own enumerable string keys, in order: what Object.entries lists, without its arrays)
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue
    const value = (record as Record<string, unknown>)[key]
    if (paramNames.has(key)) params[key] = value
    else rest[key] = value
  }
  const issues: Array<ValidationIssue> = []
  // Valid parameters take the fast path; effect's decoders decide (and explain) the rest.
  const fast = fastPath.decoderFor
  let decodedParams = fast === undefined ? invalid : fast(definition.params.ast)(params)
  if (decodedParams === invalid) {
    let paramsExit = decoderOf(definition.params, firstErrorOptions)(params)
    if (Exit.isFailure(paramsExit)) paramsExit = decoderOf(definition.params, paramsParseOptions)(params)
    if (Exit.isFailure(paramsExit)) issues.push(...issuesOf(failureIssue(paramsExit)))
    else decodedParams = paramsExit.value
  }
  let body: unknown
  if (definition.body === undefined) {
    for (const key of Object.keys(rest)) {
      issues.push({ field: key, rule: "unknown-field", message: "Expected no such field" })
    }
  } else {
    const bodyExit = decoderOf(definition.body, parseOptions)(rest)
    if (Exit.isFailure(bodyExit)) issues.push(...issuesOf(failureIssue(bodyExit)))
    else body = bodyExit.value
  }
  if (issues.length > 0) return fail(issues)
  return { _tag: "ValidInput", params: decodedParams as Record<string, string>, body }
}

const isContainer = (value: unknown): value is object =>
  Array.isArray(value) ||
  (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype)

/** A plain object whose fields are all defined primitives: nothing to copy. */
const isFlat = (value: object): boolean => {
  if (Array.isArray(value)) return false
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false
    const field = (value as Record<string, unknown>)[key]
    if (field === undefined || (typeof field === "object" && field !== null)) return false
  }
  return true
}

/**
 * `undefined` fields are absent on the wire: drop them so they read as
 * missing. A copy, made without recursion (any depth) and keeping cycles and
 * shared branches as they are, for the schemas to report.
 */
const withoutUndefined = (value: unknown): unknown => {
  if (!isContainer(value)) return value
  if (isFlat(value)) return value
  const copies = new Map<object, Record<PropertyKey, unknown>>()
  const pending: Array<object> = []
  const copyOf = (item: unknown): unknown => {
    if (!isContainer(item)) return item
    let copy = copies.get(item)
    if (copy === undefined) {
      copy = (Array.isArray(item) ? [] : {}) as Record<PropertyKey, unknown>
      copies.set(item, copy)
      pending.push(item)
    }
    return copy
  }
  const root = copyOf(value)
  while (pending.length > 0) {
    const source = pending.pop()!
    const target = copies.get(source)!
    if (Array.isArray(source)) {
      source.forEach((item, i) => {
        target[i] = copyOf(item)
      })
      continue
    }
    for (const [key, field] of Object.entries(source)) {
      if (field === undefined) continue
      // an own "__proto__" key stays a key (assigning it would change the copy's prototype)
      Object.defineProperty(target, key, {
        value: copyOf(field),
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
  }
  return root
}

const failureIssue = (exit: Exit.Failure<unknown, Schema.SchemaError>): SchemaIssue.Issue => {
  for (const reason of exit.cause.reasons) {
    if (reason._tag === "Fail") return reason.error.issue
  }
  throw new Error("schema decoding died", { cause: exit.cause })
}
