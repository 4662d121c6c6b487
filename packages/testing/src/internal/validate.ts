/**
 * Proto3 JSON request decoding, written independently of the SDK: the
 * simulator checks what reaches it the way Kenar's gateway and services do.
 *
 * - unknown fields are rejected (INVALID_ARGUMENT), as the gateway does;
 * - both the proto name (`general_data`) and the JSON name (`generalData`)
 *   are accepted, `null` means absent;
 * - a required string counts as missing when empty and a required uint64
 *   when zero (proto3 cannot tell them apart); a required bool, enum or
 *   message must be present as a key.
 */
import { invalid } from "./status.js"

type Scalar = "string" | "bool" | "double" | "uint64"

export type Field =
  | { readonly kind: Scalar; readonly required?: boolean }
  | { readonly kind: "enum"; readonly values: ReadonlyArray<string>; readonly required?: boolean }
  | {
      readonly kind: "message"
      readonly fields: Fields
      readonly required?: boolean
      /** Exactly one of these fields must be set. */
      readonly oneof?: ReadonlyArray<string>
    }
  | { readonly kind: "repeated"; readonly of: Scalar }
  | { readonly kind: "struct"; readonly required?: boolean }

export type Fields = Readonly<Record<string, Field>>

/** A decoded message: present fields only, under their proto names. */
export type Message = Record<string, unknown>

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "array" : typeof value

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const join = (path: string, key: string): string => (path === "" ? key : `${path}.${key}`)

const decodeScalar = (kind: Scalar, value: unknown, path: string): unknown => {
  switch (kind) {
    case "string":
      if (typeof value !== "string") throw invalid(path, `expected a string, got ${describe(value)}`)
      return value
    case "bool":
      if (typeof value !== "boolean") throw invalid(path, `expected a boolean, got ${describe(value)}`)
      return value
    case "double": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value
      if (typeof n !== "number" || !Number.isFinite(n)) {
        throw invalid(path, `expected a number, got ${describe(value)}`)
      }
      return n
    }
    case "uint64": {
      if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value)
      if (typeof value === "string" && /^\d{1,20}$/.test(value)) return String(BigInt(value))
      throw invalid(
        path,
        `expected an unsigned 64-bit integer (a decimal string), got ${JSON.stringify(value)}`
      )
    }
  }
}

const decodeField = (field: Field, value: unknown, path: string): unknown => {
  switch (field.kind) {
    case "enum": {
      if (typeof value === "number" && Number.isInteger(value) && field.values[value] !== undefined) {
        return field.values[value]
      }
      if (typeof value === "string" && field.values.includes(value)) return value
      throw invalid(
        path,
        `invalid value ${JSON.stringify(value)}; expected one of ${field.values.join(", ")}`
      )
    }
    case "message":
      return decodeMessage(value, field.fields, path, field.oneof)
    case "repeated":
      if (!Array.isArray(value)) throw invalid(path, `expected an array, got ${describe(value)}`)
      return value.map((item, i) => decodeScalar(field.of, item, `${path}[${i}]`))
    case "struct":
      if (!isObject(value)) throw invalid(path, `expected an object, got ${describe(value)}`)
      return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null))
    default:
      return decodeScalar(field.kind, value, path)
  }
}

const isMissing = (field: Field, value: unknown): boolean => {
  if (value === undefined) return true
  if (field.kind === "string") return value === ""
  if (field.kind === "uint64") return value === "0"
  return false
}

/** Decodes a JSON value as a message of `fields`; throws INVALID_ARGUMENT. */
export const decodeMessage = (
  json: unknown,
  fields: Fields,
  path = "",
  oneof?: ReadonlyArray<string>
): Message => {
  if (!isObject(json)) throw invalid(path, `expected an object, got ${describe(json)}`)
  const byJsonName = new Map<string, string>()
  for (const name of Object.keys(fields)) {
    byJsonName.set(name, name)
    byJsonName.set(camel(name), name)
  }
  const out: Message = {}
  for (const [key, value] of Object.entries(json)) {
    const name = byJsonName.get(key)
    if (name === undefined) throw invalid(join(path, key), "unknown field")
    if (value === null) continue
    if (name in out) throw invalid(join(path, name), "set twice (under its proto and JSON names)")
    out[name] = decodeField(fields[name]!, value, join(path, name))
  }
  for (const [name, field] of Object.entries(fields)) {
    if ("required" in field && field.required === true && isMissing(field, out[name])) {
      throw invalid(join(path, name), "is required")
    }
  }
  if (oneof !== undefined) {
    const set = oneof.filter((name) => out[name] !== undefined)
    if (set.length !== 1) {
      throw invalid(path, `exactly one of ${oneof.join(", ")} must be set (got ${set.length})`)
    }
  }
  return out
}

/** The same fields, none required (an edit carries only what it changes). */
export const optional = (fields: Fields): Fields =>
  Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, { ...field, required: false }]))

// -----------------------------------------------------------------------------
// Kenar's request messages
// -----------------------------------------------------------------------------

export const LocationTypes = [
  "LOCATION_TYPE_EMPTY",
  "LOCATION_TYPE_EXACT",
  "LOCATION_TYPE_APPROXIMATE"
] as const

export const CustomizedButtonTypes = [
  "ACCOMMODATION_BOOKING",
  "EXTERNAL_PRODUCT_STORE",
  "RESUME_SUBMISSION",
  "ONLINE_CALL"
] as const

const PostVideo: Fields = {
  name: { kind: "string", required: true },
  thumbnail_name: { kind: "string", required: true },
  duration: { kind: "uint64", required: true }
}

/** `postPostGeneralData`, with the spec's required list. */
export const GeneralData: Fields = {
  category_slug: { kind: "string", required: true },
  title: { kind: "string", required: true },
  description: { kind: "string", required: true },
  images: { kind: "repeated", of: "string" },
  city: { kind: "string", required: true },
  district: { kind: "string" },
  latitude: { kind: "double" },
  longitude: { kind: "double" },
  location_type: { kind: "enum", values: LocationTypes, required: true },
  hide_phone: { kind: "bool", required: true },
  chat_enabled: { kind: "bool", required: true },
  video: { kind: "message", fields: PostVideo }
}

const Data: Fields = { data: { kind: "struct" } }
const PostTokenRef: Fields = { post_token: { kind: "string", required: true } }

const Action: Field = {
  kind: "message",
  required: true,
  fields: {
    get_dynamic_action: { kind: "message", fields: Data },
    open_direct_link: { kind: "string" },
    open_post_manage_page: { kind: "message", fields: PostTokenRef },
    open_post_page: { kind: "message", fields: PostTokenRef },
    open_server_link: { kind: "message", fields: Data }
  },
  oneof: [
    "get_dynamic_action",
    "open_direct_link",
    "open_post_manage_page",
    "open_post_page",
    "open_server_link"
  ]
}

/** Body of Create/SetCustomizedButton. */
export const CustomizedButtonBody: Fields = {
  customized_button: {
    kind: "message",
    required: true,
    fields: { type: { kind: "enum", values: CustomizedButtonTypes, required: true }, action: Action }
  }
}

export const SubmitUserPostRequest: Fields = {
  business_token: { kind: "string", required: true },
  general_data: { kind: "message", fields: GeneralData, required: true },
  category_fields: { kind: "struct", required: true }
}

export const SubmitPostV2Request: Fields = {
  ...SubmitUserPostRequest,
  landline_numbers: { kind: "repeated", of: "string" }
}

export const EditPostBody: Fields = {
  title: { kind: "string", required: true },
  description: { kind: "string", required: true },
  image_paths: { kind: "repeated", of: "string" }
}

export const EditPostV2Body: Fields = {
  update_mask: { kind: "repeated", of: "string" },
  general_data: { kind: "message", fields: optional(GeneralData) },
  category_data: { kind: "struct" }
}

/** The general fields EditPostV2 may change. */
export const EditableGeneralFields: ReadonlyArray<string> = [
  "title",
  "description",
  "images",
  "district",
  "latitude",
  "longitude",
  "location_type",
  "chat_enabled",
  "hide_phone",
  "video"
]
