/**
 * The form of each of the 14 Post operations: its fields (each with the
 * dotted path it fills in the input, which is also the `field` of the SDK's
 * validation issues about it) and how the values become the input.
 */
import { type Operation, PostEdit, PostSchema, Posts } from "@kenar/core"

export type OperationName = keyof Posts.All

export type FieldKind = "text" | "textarea" | "number" | "checkbox" | "select" | "list" | "json"

export interface Field {
  /** Where the value goes in the input, e.g. `general_data.title`. */
  readonly path: string
  readonly label: string
  readonly kind: FieldKind
  readonly options?: ReadonlyArray<string>
  /** Left out of the input when empty (otherwise sent, so the SDK can say what is missing). */
  readonly optional?: boolean
  /** The initial value; `post` and `business` are the demo's tokens in simulator mode. */
  readonly initial?: (defaults: Defaults) => string | boolean
  readonly hint?: string
}

export interface Defaults {
  readonly post: string
  readonly business: string
}

export type Values = Readonly<Record<string, string | boolean>>

export interface OperationSpec {
  readonly name: OperationName
  readonly fields: ReadonlyArray<Field>
  /** Values to input; the default puts each field at its path. Throws {@link FormIssue}. */
  readonly build?: (values: Values) => unknown
}

/** A value the form itself cannot turn into input (e.g. JSON that does not parse). */
export class FormIssue extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(message)
  }
}

export const definitionOf = (name: OperationName): Operation.Any =>
  Posts.all[name].definition as Operation.Any

/** Read operations: TanStack queries. */
export const queryNames: ReadonlyArray<OperationName> = [
  "getUserPost",
  "getPostStats",
  "canUserSubmitPost",
  "getUploadUrls",
  "getImageUploadUrl"
]

export const isQuery = (name: OperationName) => queryNames.includes(name)

// -----------------------------------------------------------------------------
// values -> input
// -----------------------------------------------------------------------------

const setPath = (target: Record<string, unknown>, path: string, value: unknown) => {
  const keys = path.split(".")
  let node = target
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {}
    node = node[key] as Record<string, unknown>
  }
  node[keys.at(-1)!] = value
}

/** The value of one field, or `undefined` to leave it out. */
export const parseField = (field: Field, raw: string | boolean | undefined): unknown => {
  if (field.kind === "checkbox") return raw === true
  const text = typeof raw === "string" ? raw : ""
  if (text.trim() === "" && (field.optional || field.kind === "number")) return undefined
  switch (field.kind) {
    case "number":
      return Number(text)
    case "list":
      return text
        .split(/[\n,]/)
        .map((item) => item.trim())
        .filter((item) => item !== "")
    case "json":
      try {
        return JSON.parse(text)
      } catch (error) {
        throw new FormIssue(field.path, `Not valid JSON: ${(error as Error).message}`)
      }
    default:
      return text
  }
}

export const buildInput = (spec: OperationSpec, values: Values): unknown => {
  if (spec.build !== undefined) return spec.build(values)
  const input: Record<string, unknown> = {}
  for (const field of spec.fields) {
    const value = parseField(field, values[field.path])
    if (value !== undefined) setPath(input, field.path, value)
  }
  return input
}

export const initialValues = (spec: OperationSpec, defaults: Defaults): Record<string, string | boolean> =>
  Object.fromEntries(
    spec.fields.map((field) => [
      field.path,
      field.initial?.(defaults) ?? (field.kind === "checkbox" ? false : "")
    ])
  )

// -----------------------------------------------------------------------------
// fields
// -----------------------------------------------------------------------------

const postToken = (path = "post_token"): Field => ({
  path,
  label: path,
  kind: "text",
  initial: (d) => d.post,
  hint: "letters, digits, _ or -; at most 64"
})

const businessToken: Field = {
  path: "business_token",
  label: "business_token",
  kind: "text",
  initial: (d) => d.business
}

const generalData: ReadonlyArray<Field> = [
  {
    path: "general_data.category_slug",
    label: "category_slug",
    kind: "select",
    options: ["apartment-sell", "light", "temporary-suite"],
    initial: () => "apartment-sell"
  },
  { path: "general_data.title", label: "title", kind: "text", initial: () => "آپارتمان ۷۵ متری، نورگیر" },
  {
    path: "general_data.description",
    label: "description",
    kind: "textarea",
    initial: () => "دو خواب، طبقه سوم، بازسازی شده."
  },
  { path: "general_data.images", label: "images", kind: "list", hint: "uploaded image paths, one a line" },
  { path: "general_data.city", label: "city", kind: "text", initial: () => "tehran" },
  { path: "general_data.district", label: "district", kind: "text", optional: true, initial: () => "abshar" },
  { path: "general_data.latitude", label: "latitude", kind: "number", optional: true },
  { path: "general_data.longitude", label: "longitude", kind: "number", optional: true },
  {
    path: "general_data.location_type",
    label: "location_type",
    kind: "select",
    options: PostSchema.LocationTypes,
    initial: () => "LOCATION_TYPE_APPROXIMATE"
  },
  { path: "general_data.hide_phone", label: "hide_phone", kind: "checkbox", initial: () => true },
  { path: "general_data.chat_enabled", label: "chat_enabled", kind: "checkbox", initial: () => true },
  {
    path: "category_fields",
    label: "category_fields",
    kind: "json",
    initial: () => '{ "size": 75, "rooms": "دو" }',
    hint: "the category's submit schema: apartment-sell needs size and rooms"
  }
]

const actionKinds = [
  "open_direct_link",
  "open_post_page",
  "open_post_manage_page",
  "get_dynamic_action",
  "open_server_link"
] as const

const buttonFields: ReadonlyArray<Field> = [
  {
    path: "customized_button.type",
    label: "type",
    kind: "select",
    options: PostSchema.CustomizedButtonTypes,
    initial: () => "ONLINE_CALL"
  },
  {
    path: "customized_button.action",
    label: "action",
    kind: "select",
    options: actionKinds,
    initial: () => "open_direct_link"
  },
  {
    path: "action_value",
    label: "action value",
    kind: "text",
    initial: () => "https://example.com/call",
    hint: "a link; a post token for open_post_*; JSON data for the others"
  }
]

/** `customized_button` from the button fields. */
export const buttonOf = (values: Values) => {
  const kind = String(values["customized_button.action"] ?? "")
  const raw = String(values.action_value ?? "")
  let action: unknown
  if (kind === "open_direct_link") action = raw
  else if (kind === "open_post_page" || kind === "open_post_manage_page") action = { post_token: raw }
  else {
    try {
      action = raw.trim() === "" ? {} : { data: JSON.parse(raw) }
    } catch (error) {
      throw new FormIssue("action_value", `Not valid JSON: ${(error as Error).message}`)
    }
  }
  return { type: values["customized_button.type"], action: { [kind]: action } }
}

const editV2Fields: ReadonlyArray<Field> = [
  postToken(),
  {
    path: "general_data.title",
    label: "title",
    kind: "text",
    optional: true,
    initial: () => "آپارتمان ۸۵ متری، قیمت توافقی"
  },
  { path: "general_data.description", label: "description", kind: "textarea", optional: true },
  { path: "general_data.district", label: "district", kind: "text", optional: true },
  {
    path: "general_data.chat_enabled",
    label: "chat_enabled",
    kind: "select",
    options: ["", "true", "false"],
    optional: true
  },
  { path: "general_data.images", label: "images", kind: "list", optional: true },
  { path: "general_data.video", label: "clear the video", kind: "checkbox" },
  { path: "category_data.price", label: "category_data.price", kind: "number", optional: true }
]

/** The edit of EditPostV2's form, as `PostEdit.make` takes it: only the fields given are in the mask. */
export const editChanges = (values: Values): PostEdit.Changes => {
  const general: Record<string, unknown> = {}
  const category: Record<string, unknown> = {}
  for (const field of editV2Fields.slice(1)) {
    const [group, key] = field.path.split(".") as [string, string]
    if (field.kind === "checkbox") {
      if (values[field.path] === true) general[key] = PostEdit.clear
      continue
    }
    const value = parseField(field, values[field.path])
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue
    const parsed = field.path === "general_data.chat_enabled" ? value === "true" : value
    if (group === "general_data") general[key] = parsed
    else category[key] = parsed
  }
  return {
    ...(Object.keys(general).length === 0
      ? {}
      : { general_data: general as NonNullable<PostEdit.Changes["general_data"]> }),
    ...(Object.keys(category).length === 0 ? {} : { category_data: category })
  }
}

// -----------------------------------------------------------------------------
// the 14 operations
// -----------------------------------------------------------------------------

export const specs: ReadonlyArray<OperationSpec> = [
  { name: "canUserSubmitPost", fields: [] },
  { name: "getUserPost", fields: [postToken("token")] },
  { name: "getPostStats", fields: [postToken()] },
  { name: "getUploadUrls", fields: [] },
  { name: "getImageUploadUrl", fields: [] },
  { name: "submitUserPost", fields: [businessToken, ...generalData] },
  {
    name: "submitPostV2",
    fields: [
      businessToken,
      ...generalData,
      {
        path: "landline_numbers",
        label: "landline_numbers",
        kind: "list",
        optional: true,
        initial: () => "02188888888"
      }
    ]
  },
  {
    name: "editPostV2",
    fields: editV2Fields,
    build: (values) => ({ post_token: values.post_token, ...PostEdit.make(editChanges(values)) })
  },
  {
    name: "editPost",
    fields: [
      postToken(),
      {
        path: "title",
        label: "title",
        kind: "text",
        initial: () => "آپارتمان ۸۵ متری نوساز",
        hint: "3 to 50 characters"
      },
      {
        path: "description",
        label: "description",
        kind: "textarea",
        initial: () => "دو خواب، آسانسور، پارکینگ."
      },
      { path: "image_paths", label: "image_paths", kind: "list", optional: true }
    ]
  },
  {
    name: "setPostCustomizedButton",
    fields: [postToken(), ...buttonFields],
    build: (values) => ({ post_token: values.post_token, customized_button: buttonOf(values) })
  },
  { name: "deletePostCustomizedButton", fields: [postToken()] },
  {
    name: "createBusinessCustomizedButton",
    fields: [businessToken, ...buttonFields],
    build: (values) => ({ business_token: values.business_token, customized_button: buttonOf(values) })
  },
  { name: "deleteBusinessCustomizedButton", fields: [businessToken] },
  { name: "deleteUserPost", fields: [postToken()] }
]

export const specOf = (name: string): OperationSpec | undefined => specs.find((spec) => spec.name === name)
