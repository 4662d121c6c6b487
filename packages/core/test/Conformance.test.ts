/**
 * Checks every Post operation definition against the official OpenAPI spec:
 * method, path, parameters, request and response fields (names, types,
 * required lists, enum values), security (API key, OAuth scopes) and
 * deprecation. Any field Kenar adds upstream makes this test fail.
 */
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import { describe, expect, it } from "vitest"
import { type Operation, PostSchema, Posts } from "../src/index.js"

const vendored = fileURLToPath(new URL("../../../spec/kenar-openapi-v3.json", import.meta.url))
const upstream = fileURLToPath(new URL("../../../../shared/spec/kenar-openapi-v3.json", import.meta.url))
const specPath = process.env.KENAR_SPEC ?? (existsSync(upstream) ? upstream : vendored)
const spec = JSON.parse(readFileSync(specPath, "utf8"))

type SpecSchema = {
  $ref?: string
  type?: string
  format?: string
  properties?: Record<string, SpecSchema>
  required?: Array<string>
  items?: SpecSchema
  enum?: Array<string>
}

const resolveRef = (schema: SpecSchema): SpecSchema => {
  let current = schema
  while (current.$ref !== undefined) {
    current = spec.components.schemas[current.$ref.replace("#/components/schemas/", "")]
  }
  return current
}

/** Documented deviations from the spec's `required` lists (request side). */
const requiredExceptions: Record<string, string> = {
  // API-NOTES: a partial edit must be possible, general_data in an edit has no required field
  "editPostV2.general_data": "PostEditPostV2Body.general_data is a patch"
}

interface Shape {
  readonly kind: "string" | "number" | "boolean" | "array" | "object" | "free-object" | "enum"
  readonly enum?: ReadonlyArray<string>
  readonly items?: Shape
  readonly properties?: Record<string, { readonly shape: Shape; readonly optional: boolean }>
}

/** The shape of our schema, read from its encoded (wire) AST. */
const ourShape = (ast: SchemaAST.AST): Shape => {
  const enumValues = ast.annotations?.kenarEnum as ReadonlyArray<string> | undefined
  if (enumValues !== undefined) return { kind: "enum", enum: enumValues }
  switch (ast._tag) {
    case "String":
      return { kind: "string" }
    case "Number":
      return { kind: "number" }
    case "Boolean":
      return { kind: "boolean" }
    case "Union": {
      if (ast.types.every((t) => t._tag === "Literal")) {
        return { kind: "enum", enum: ast.types.map((t) => String((t as SchemaAST.Literal).literal)) }
      }
      throw new Error(`unexpected union in schema`)
    }
    case "Arrays":
      return { kind: "array", items: ourShape(ast.rest[0]!) }
    case "Objects": {
      if (ast.propertySignatures.length === 0 && ast.indexSignatures.length > 0)
        return { kind: "free-object" }
      const properties: Record<string, { shape: Shape; optional: boolean }> = {}
      for (const ps of ast.propertySignatures) {
        properties[String(ps.name)] = { shape: ourShape(ps.type), optional: SchemaAST.isOptional(ps.type) }
      }
      return { kind: "object", properties }
    }
    default:
      throw new Error(`unexpected AST node ${ast._tag}`)
  }
}

const specKind = (schema: SpecSchema): Shape["kind"] => {
  if (schema.enum !== undefined) return "enum"
  switch (schema.type) {
    case "string":
      return "string"
    case "integer":
    case "number":
      return "number"
    case "boolean":
      return "boolean"
    case "array":
      return "array"
    default:
      return schema.properties === undefined ? "free-object" : "object"
  }
}

/** Compares our shape with the spec's, collecting differences as readable lines. */
const compare = (
  where: string,
  ours: Shape,
  specSchema: SpecSchema,
  side: "request" | "response",
  out: Array<string>
): void => {
  const theirs = resolveRef(specSchema)
  const kind = specKind(theirs)
  // a message with no declared fields ({} responses) is an object with no properties for us
  const ourKind =
    ours.kind === "object" && Object.keys(ours.properties ?? {}).length === 0 ? "free-object" : ours.kind
  if (ourKind !== kind) {
    out.push(`${where}: spec type ${kind}${theirs.format ? ` (${theirs.format})` : ""}, ours ${ours.kind}`)
    return
  }
  if (kind === "enum" && JSON.stringify(ours.enum) !== JSON.stringify(theirs.enum)) {
    out.push(`${where}: enum values differ: spec ${theirs.enum?.join(",")}, ours ${ours.enum?.join(",")}`)
  }
  if (kind === "string" && theirs.format === "uint64") {
    // 64-bit integers are strings on the wire: ours must be a string too (checked above)
  }
  if (kind === "array") compare(`${where}[]`, ours.items!, theirs.items!, side, out)
  if (kind === "object") {
    const specProps = Object.keys(theirs.properties ?? {}).sort()
    const ourProps = Object.keys(ours.properties ?? {}).sort()
    if (JSON.stringify(specProps) !== JSON.stringify(ourProps)) {
      out.push(`${where}: fields differ: spec [${specProps}] ours [${ourProps}]`)
    }
    for (const name of specProps) {
      const ourProp = ours.properties?.[name]
      if (ourProp === undefined) continue
      compare(`${where}.${name}`, ourProp.shape, theirs.properties![name]!, side, out)
    }
    if (side === "request") {
      const specRequired = [...(theirs.required ?? [])].sort()
      const ourRequired = ourProps.filter((name) => !ours.properties![name]!.optional).sort()
      if (
        JSON.stringify(specRequired) !== JSON.stringify(ourRequired) &&
        requiredExceptions[where] === undefined
      ) {
        out.push(`${where}: required fields differ: spec [${specRequired}] ours [${ourRequired}]`)
      }
    }
  }
}

const encodedShape = (schema: Schema.Top) => ourShape(SchemaAST.toEncoded(schema.ast))

const postOperations = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(
  ([path, methods]) =>
    Object.entries(methods)
      .filter(([, op]) => op.tags?.includes("Post"))
      .map(([method, op]) => ({ path, method: method.toUpperCase(), op }))
)

describe("conformance with the official OpenAPI spec", () => {
  it("reads the spec under test", () => {
    expect(spec.openapi).toMatch(/^3\./)
    if (existsSync(upstream) && specPath === upstream) {
      expect(readFileSync(vendored, "utf8"), "spec/kenar-openapi-v3.json is stale").toBe(
        readFileSync(upstream, "utf8")
      )
    }
  })

  it("covers exactly the operations of the Post tag", () => {
    const ours = Object.values(Posts.all)
      .map((op) => op.definition.operationId)
      .sort()
    expect(ours).toEqual(postOperations.map((o) => o.op.operationId).sort())
    expect(ours).toHaveLength(14)
  })

  for (const operation of Object.values(Posts.all)) {
    const definition: Operation.Any = operation.definition
    describe(definition.name, () => {
      const found = postOperations.find((o) => o.op.operationId === definition.operationId)

      it("has the spec's method, path and deprecation", () => {
        expect(found, `${definition.operationId} not in the spec`).toBeDefined()
        expect({
          method: definition.method,
          path: definition.path,
          deprecated: definition.deprecated
        }).toEqual({
          method: found!.method,
          path: found!.path,
          deprecated: found!.op.deprecated === true
        })
      })

      it("has the spec's parameters (all path parameters, no query)", () => {
        const params: Array<{ in: string; name: string; required?: boolean }> = found!.op.parameters ?? []
        expect(params.filter((p) => p.in !== "path")).toEqual([])
        expect(params.every((p) => p.required === true)).toBe(true)
        expect(Object.keys(definition.params.fields).sort()).toEqual(params.map((p) => p.name).sort())
      })

      it("has the spec's request body fields, types, enums and required list", () => {
        const body = found!.op.requestBody?.content?.["application/json"]?.schema as SpecSchema | undefined
        expect(definition.body === undefined).toBe(body === undefined)
        if (body === undefined || definition.body === undefined) return
        const differences: Array<string> = []
        compare(definition.name, encodedShape(definition.body), body, "request", differences)
        expect(differences).toEqual([])
      })

      it("has the spec's response fields, types and enums", () => {
        const response = found!.op.responses["200"].content["application/json"].schema as SpecSchema
        const differences: Array<string> = []
        compare(definition.name, encodedShape(definition.output), response, "response", differences)
        expect(differences).toEqual([])
        expect(found!.op.responses.default.content["application/json"].schema.$ref).toBe(
          "#/components/schemas/googleRpcStatus"
        )
      })

      it("has the spec's security: API key always, the same OAuth scopes", () => {
        const security: Array<Record<string, Array<string>>> = found!.op.security
        expect(security).toHaveLength(1)
        expect(Object.keys(security[0]!)).toContain("APIKey")
        const specScopes = (security[0]!.OAuth ?? []).slice().sort()
        const ourScopes = (definition.scopes ?? []).map((s) => s.replace(/\{(\w+)\}/g, "$1")).sort()
        expect(ourScopes).toEqual(specScopes)
      })

      it("names the API key permission the docs list", () => {
        expect(found!.op.description).toContain(`\`${definition.permission}\``)
      })
    })
  }

  it("matches googleRpcStatus for error bodies", () => {
    const differences: Array<string> = []
    const status = encodedShape(PostSchema.Status)
    compare(
      "googleRpcStatus",
      status,
      { $ref: "#/components/schemas/googleRpcStatus" },
      "response",
      differences
    )
    expect(differences).toEqual([])
  })
})
