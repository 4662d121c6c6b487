/**
 * A fast path for decoding Kenar's answers, built once per schema from its
 * AST: structs as generated code where `new Function` is allowed, plain
 * closures otherwise (a strict Content-Security-Policy).
 *
 * Answers are decoded on every call, and effect's interpreter (or its JIT,
 * which does not inline the proto3 defaults) spends several microseconds per
 * answer on it. This covers the shapes Kenar's answers are made of: structs,
 * optional keys, proto3 defaults (see `proto.ts`), arrays, string-keyed
 * records and the primitive keywords, with their checks run as declared.
 *
 * The contract is one-sided. A fast decoder returns exactly the value
 * effect's decoder would, or {@link invalid} whenever it cannot vouch for the
 * input; the caller then runs effect's decoder, which decides and reports.
 * Anything this module does not recognise makes {@link compile} give up for
 * the whole schema, so a new kind of schema is slower, never wrong. The
 * property tests compare both decoders on generated and hostile answers.
 *
 * Used once `KenarDecoding.enableFastPath()` has run (`@kenar/node` does), for
 * answers (`decodeSuccess`) and path parameters (`validateInputSync`).
 */
import type * as SchemaAST from "effect/SchemaAST"

import { type FastDecode, invalid, zeroAnnotation } from "./fastPath.js"

export { type FastDecode, invalid, zeroAnnotation } from "./fastPath.js"

// `ParseOptions` as effect's `decodeUnknownExit` uses them by default
const defaultOptions: SchemaAST.ParseOptions = {}

const passes = (checks: ReadonlyArray<SchemaAST.Check<any>>, value: unknown, ast: SchemaAST.AST): boolean => {
  for (const check of checks) {
    if (check._tag === "FilterGroup") {
      if (!passes(check.checks, value, ast)) return false
    } else if (check.run(value, ast, defaultOptions) !== undefined) {
      return false
    }
  }
  return true
}

// effect's test for a present key (`in`, except for an own `__proto__`)
const has = (input: object, key: string): boolean =>
  key === "__proto__" ? Object.hasOwn(input, key) : key in input

const isRecord = (input: unknown): input is Record<string, unknown> =>
  typeof input === "object" && input !== null && !Array.isArray(input)

interface Field {
  readonly name: string
  readonly decode: FastDecode
  /** The keyword when the field's own type is a bare one (no checks): its test can be inlined. */
  readonly leaf: "string" | "number" | "boolean" | undefined
  /** A missing key: omitted (`optional`), decoded from its zero value, or a failure. */
  readonly optional: boolean
  readonly hasZero: boolean
  readonly zero: unknown
}

// by whether structs may be generated code
const caches = [
  new WeakMap<SchemaAST.AST, FastDecode | null>(),
  new WeakMap<SchemaAST.AST, FastDecode | null>()
]

/**
 * The fast decoder of a schema, or `undefined` when the schema uses anything
 * this module does not handle. Structs are generated code where the platform
 * allows `new Function` (plain property accesses the engine can optimise), or
 * else, and with `generate: false`, closures over the same field table.
 */
export const compile = (ast: SchemaAST.AST, generate = true): FastDecode | undefined => {
  const cache = caches[generate ? 1 : 0]!
  const cached = cache.get(ast)
  if (cached !== undefined) return cached ?? undefined
  const built = ast.encoding === undefined ? local(ast, generate) : undefined
  cache.set(ast, built ?? null)
  return built
}

const never: FastDecode = () => invalid

/** The fast decoder of a schema, or one that always defers to effect's decoder. */
export const decoderFor = (ast: SchemaAST.AST): FastDecode => compile(ast) ?? never

/** The node's own decoder with its checks, ignoring any encoding (the caller handles it). */
const local = (ast: SchemaAST.AST, generate: boolean): FastDecode | undefined => {
  if ((ast as { readonly encodingChecks?: unknown }).encodingChecks !== undefined) return undefined
  const base = structural(ast, generate)
  const checks = ast.checks
  if (base === undefined || checks === undefined) return base
  return (input) => {
    const value = base(input)
    return value === invalid || passes(checks, value, ast) ? value : invalid
  }
}

const structural = (ast: SchemaAST.AST, generate: boolean): FastDecode | undefined => {
  switch (ast._tag) {
    case "String":
      return (input) => (typeof input === "string" ? input : invalid)
    case "Number":
      return (input) => (typeof input === "number" ? input : invalid)
    case "Boolean":
      return (input) => (typeof input === "boolean" ? input : invalid)
    case "Unknown":
      return (input) => input
    case "Arrays":
      return arrays(ast, generate)
    case "Objects":
      return objects(ast, generate)
    default:
      return undefined
  }
}

const arrays = (ast: SchemaAST.Arrays, generate: boolean): FastDecode | undefined => {
  if (ast.elements.length !== 0 || ast.rest.length !== 1) return undefined
  const item = ast.rest[0]!
  if (item.context?.isOptional) return undefined
  const decodeItem = compile(item, generate)
  if (decodeItem === undefined) return undefined
  return (input) => {
    if (!Array.isArray(input)) return invalid
    const out = new Array(input.length)
    for (let i = 0; i < input.length; i++) {
      const value = decodeItem(input[i])
      if (value === invalid) return invalid
      out[i] = value
    }
    return out
  }
}

const objects = (ast: SchemaAST.Objects, generate: boolean): FastDecode | undefined => {
  const properties = ast.propertySignatures
  const indexes = ast.indexSignatures
  if (properties.length === 0 && indexes.length === 0) {
    // effect decodes an empty struct as any non-nullish value, kept as is
    return (input) => (input === null || input === undefined ? invalid : input)
  }
  if (properties.length === 0) return record(indexes, generate)
  if (indexes.length !== 0) return undefined
  const fields: Array<Field> = []
  for (const property of properties) {
    if (typeof property.name !== "string" || property.name === "__proto__") return undefined
    const built = field(property.name, property.type, generate)
    if (built === undefined) return undefined
    fields.push(built)
  }
  return (generate ? generated(fields) : undefined) ?? closures(fields)
}

/** A struct's decoder as closures over its field table. */
const closures =
  (fields: ReadonlyArray<Field>): FastDecode =>
  (input) => {
    if (!isRecord(input)) return invalid
    const out: Record<string, unknown> = {}
    for (let i = 0; i < fields.length; i++) {
      const { name, decode, optional, hasZero, zero } = fields[i]!
      let value: unknown
      if (has(input, name)) value = decode(input[name])
      else if (hasZero) value = decode(zero)
      else if (optional) continue
      else return invalid
      if (value === invalid) return invalid
      out[name] = value
    }
    return out
  }

let canGenerate: boolean | undefined

/**
 * A struct's decoder as generated code: each field read, tested and stored
 * under its own name (monomorphic accesses), the result built with the
 * fields in declared order. Bare keyword fields are tested inline, the rest
 * call their decoders. `undefined` where `new Function` is not allowed.
 */
const generated = (fields: ReadonlyArray<Field>): FastDecode | undefined => {
  if (canGenerate === undefined) {
    try {
      canGenerate = new Function("return 1")() === 1
    } catch {
      canGenerate = false
    }
  }
  if (!canGenerate) return undefined
  // I: invalid, D: the field decoders, Z: their zero values; names are written as JSON strings
  let source = 'return function(i){if(typeof i!=="object"||i===null||Array.isArray(i))return I;var v;'
  let built = false
  const store = (key: string) => (built ? `o[${key}]=v;` : "")
  fields.forEach((field, n) => {
    const key = JSON.stringify(field.name)
    const test =
      field.leaf === undefined ? `v=D[${n}](v);if(v===I)return I;` : `if(typeof v!=="${field.leaf}")return I;`
    if (field.optional && !built) {
      // the fields so far are always there: they make the object, the rest are added in order
      source += `var o={${fields
        .slice(0, n)
        .map((previous, p) => `${JSON.stringify(previous.name)}:v${p}`)
        .join(",")}};`
      built = true
    }
    const present = `v=i[${key}];${test}`
    if (field.optional) {
      source += `if(${key} in i){${present}${store(key)}}`
      return
    }
    const missing = !field.hasZero
      ? "return I;"
      : field.leaf !== undefined && typeof field.zero === field.leaf
        ? `v=Z[${n}];`
        : `v=D[${n}](Z[${n}]);if(v===I)return I;`
    source += `if(${key} in i){${present}}else{${missing}}${built ? store(key) : `var v${n}=v;`}`
  })
  source += built
    ? "return o}"
    : `return{${fields.map((field, n) => `${JSON.stringify(field.name)}:v${n}`).join(",")}}}`
  try {
    return new Function("I", "D", "Z", source)(
      invalid,
      fields.map((field) => field.decode),
      fields.map((field) => field.zero)
    ) as FastDecode
  } catch {
    // (not expected: the names are JSON strings) the closures then
    return undefined
  }
}

const leafOf = (type: SchemaAST.AST): Field["leaf"] => {
  if (type.checks !== undefined) return undefined
  switch (type._tag) {
    case "String":
      return "string"
    case "Number":
      return "number"
    case "Boolean":
      return "boolean"
    default:
      return undefined
  }
}

const field = (name: string, type: SchemaAST.AST, generate: boolean): Field | undefined => {
  const leaf = leafOf(type)
  if (type.encoding === undefined) {
    const decode = compile(type, generate)
    const optional = type.context?.isOptional === true
    return decode && { name, decode, leaf, optional, hasZero: false, zero: undefined }
  }
  // a proto3 field: `withDecodingDefaultKey` over the field's own type, marked by proto.ts
  // where effect keeps a node's annotations: on its last check, when it has checks
  const annotations =
    type.checks === undefined ? type.annotations : type.checks[type.checks.length - 1]!.annotations
  if (
    annotations === undefined ||
    !Object.hasOwn(annotations, zeroAnnotation) ||
    type.encoding.length !== 1 ||
    type.encoding[0]!.to.context?.isOptional !== true ||
    type.context?.isOptional
  ) {
    return undefined
  }
  const decode = local(type, generate)
  return decode && { name, decode, leaf, optional: false, hasZero: true, zero: annotations[zeroAnnotation] }
}

/** A string-keyed record: a copy with every own enumerable key's value decoded. */
const record = (
  indexes: ReadonlyArray<SchemaAST.IndexSignature>,
  generate: boolean
): FastDecode | undefined => {
  if (indexes.length !== 1) return undefined
  const { parameter, type } = indexes[0]!
  if (parameter._tag !== "String" || parameter.checks !== undefined || parameter.encoding !== undefined) {
    return undefined
  }
  if (type.context?.isOptional) return undefined
  const decodeValue = compile(type, generate)
  if (decodeValue === undefined) return undefined
  return (input) => {
    if (!isRecord(input)) return invalid
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(input)) {
      const value = decodeValue(input[key])
      if (value === invalid) return invalid
      // an own `__proto__` key (JSON.parse makes one) stays an own key, as effect keeps it
      if (key === "__proto__") {
        Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true })
      } else {
        out[key] = value
      }
    }
    return out
  }
}
