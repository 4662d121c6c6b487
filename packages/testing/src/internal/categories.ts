/**
 * Category submit schemas (the JSON-schema-like shape of
 * `GET /v1/open-platform/assets/submit-schema/{category_slug}`) and the
 * checks of `category_fields` / `category_data` against them.
 */
import type { CategoryProperty, CategorySchema } from "../KenarSimulator.js"
import { invalid } from "./status.js"

const yesNo = { type: "string", enum: ["دارد", "ندارد"], enumNames: ["دارد", "ندارد"] } as const

/** The categories every simulator knows. */
export const builtInCategories: Readonly<Record<string, CategorySchema>> = {
  "apartment-sell": {
    title: "فروش آپارتمان",
    properties: {
      size: { title: "متراژ (متر مربع)", type: "integer" },
      rooms: {
        title: "تعداد اتاق",
        type: "string",
        enum: ["بدون اتاق", "یک", "دو", "سه", "چهار", "پنج یا بیشتر"],
        enumNames: ["بدون اتاق", "یک", "دو", "سه", "چهار", "پنج یا بیشتر"]
      },
      price: { title: "قیمت کل (تومان)", type: "integer" },
      floor: { title: "طبقه", type: "integer" },
      elevator: { title: "آسانسور", ...yesNo },
      parking: { title: "پارکینگ", ...yesNo },
      balcony_area: { title: "متراژ بالکن", type: "float" },
      amenities: {
        title: "امکانات",
        type: "array",
        items: {
          type: "string",
          enum: ["انباری", "سرایدار", "استخر", "سونا"],
          enumNames: ["انباری", "سرایدار", "استخر", "سونا"]
        }
      }
    },
    required: ["size", "rooms"]
  },
  light: {
    title: "روشنایی",
    properties: {
      status: {
        title: "وضعیت",
        type: "string",
        enum: ["new", "like-new", "used"],
        enumNames: ["نو", "در حد نو", "کارکرده"]
      },
      price: { title: "قیمت (تومان)", type: "integer" },
      brand: { title: "برند", type: "string" }
    },
    required: ["status"]
  },
  "temporary-suite": {
    title: "سوئیت و اقامتگاه کوتاه‌مدت",
    properties: {
      capacity: { title: "ظرفیت (نفر)", type: "integer" },
      daily_price: { title: "اجاره روزانه (تومان)", type: "integer" },
      rating: { title: "امتیاز", type: "float" },
      pets_allowed: { title: "ورود حیوان خانگی", type: "boolean" },
      comfort_amenities: {
        title: "امکانات رفاهی",
        type: "array",
        items: {
          type: "string",
          enum: ["اینترنت_پرسرعت", "تلویزیون", "یخچال", "کولر"],
          enumNames: ["اینترنت پرسرعت", "تلویزیون", "یخچال", "کولر"]
        }
      }
    },
    required: ["capacity"]
  }
}

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "array" : typeof value

const checkScalar = (
  type: string | undefined,
  allowed: ReadonlyArray<string | number> | undefined,
  value: unknown,
  field: string
): void => {
  switch (type) {
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        throw invalid(field, `expected an integer, got ${describe(value)}`)
      }
      break
    case "float":
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw invalid(field, `expected a number, got ${describe(value)}`)
      }
      break
    case "boolean":
      if (typeof value !== "boolean") throw invalid(field, `expected a boolean, got ${describe(value)}`)
      break
    case "string":
    case undefined:
      if (typeof value !== "string" && allowed === undefined) {
        throw invalid(field, `expected a string, got ${describe(value)}`)
      }
      break
    default:
      throw invalid(field, `the category schema has an unsupported type '${type}'`)
  }
  if (allowed !== undefined && !allowed.includes(value as string | number)) {
    throw invalid(
      field,
      `${JSON.stringify(value)} is not one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`
    )
  }
}

/** Checks one category field's value against its schema property. */
export const checkCategoryValue = (property: CategoryProperty, value: unknown, field: string): void => {
  if (property.type === "array") {
    if (!Array.isArray(value)) throw invalid(field, `expected an array, got ${describe(value)}`)
    for (const [i, item] of value.entries()) {
      checkScalar(property.items?.type, property.items?.enum, item, `${field}[${i}]`)
    }
    return
  }
  checkScalar(property.type, property.enum, value, field)
}

const isMissing = (value: unknown): boolean =>
  value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)

/**
 * Checks a whole `category_fields` object: every field known to the schema,
 * every value of its type, every required field present.
 */
export const checkCategoryFields = (
  slug: string,
  schema: CategorySchema,
  fields: Readonly<Record<string, unknown>>,
  prefix: string
): void => {
  for (const [key, value] of Object.entries(fields)) {
    const property = schema.properties[key]
    if (property === undefined) throw invalid(`${prefix}.${key}`, `unknown field for category '${slug}'`)
    if (value === null) continue
    checkCategoryValue(property, value, `${prefix}.${key}`)
  }
  for (const key of schema.required ?? []) {
    if (isMissing(fields[key])) throw invalid(`${prefix}.${key}`, `is required by category '${slug}'`)
  }
}

/** Whether a value counts as absent in a category's data. */
export const isMissingCategoryValue = isMissing
