/**
 * Schemas of the Kenar Post API, field for field as the official OpenAPI spec
 * (`kenar-openapi-v3.json`) describes them.
 *
 * **Naming rule.** Data keeps Kenar's wire names (`snake_case`: `general_data`,
 * `post_token`, `update_mask`), so what you read in Kenar's documentation, in a
 * category's submit schema and in a field mask path is exactly what you type.
 * Functions, options and types of the SDK itself are `camelCase`.
 *
 * **Requests** are validated before any I/O (required fields, lengths, token
 * format, field masks). **Responses** are decoded as proto3 JSON: an omitted
 * scalar or list becomes its zero value (`0`, `false`, `""`, `[]`), an omitted
 * message becomes that message with zero fields, 64-bit integers stay strings,
 * unknown enum names are kept as strings and unknown fields are ignored.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import {
  JsonObject,
  JsonObjectInput,
  type OpenEnum,
  protoArray,
  protoBool,
  protoDouble,
  protoEnum,
  protoInt32,
  protoMessage,
  protoObject,
  protoString,
  protoUint64,
  rule,
  Uint64String
} from "./internal/proto.js"

export type { OpenEnum } from "./internal/proto.js"

// -----------------------------------------------------------------------------
// enums
// -----------------------------------------------------------------------------

/**
 * Known values of `postLocationType`.
 *
 * @since 0.1.0
 * @category enums
 */
export const LocationTypes = [
  "LOCATION_TYPE_EMPTY",
  "LOCATION_TYPE_EXACT",
  "LOCATION_TYPE_APPROXIMATE"
] as const

/**
 * How precisely a post's location is shown.
 *
 * @since 0.1.0
 * @category enums
 */
export type LocationType = (typeof LocationTypes)[number]

/**
 * Known values of `postPostState`, the life cycle of a post.
 *
 * @since 0.1.0
 * @category enums
 */
export const PostStates = [
  "POST_STATE_IN_PUBLISH_QUEUE",
  "POST_STATE_PUBLISHED",
  "POST_STATE_WAITING_FOR_EDIT",
  "POST_STATE_WAITING_FOR_PAYMENT",
  "POST_STATE_WAITING_FOR_REVIEW",
  "POST_STATE_PUBLISHED_AND_EDIT_REJECTED",
  "POST_STATE_REJECTED",
  "POST_STATE_DELETED",
  "POST_STATE_RETIRED"
] as const

/**
 * The state of a post. Open: a state Kenar adds later arrives as its name.
 *
 * @since 0.1.0
 * @category enums
 */
export type PostState = OpenEnum<(typeof PostStates)[number]>

/**
 * Known values of `PremiumPanelBusinessDataSubBusinessType`.
 *
 * @since 0.1.0
 * @category enums
 */
export const BusinessTypes = ["CAR", "REAL_ESTATE", "JOBS", "MARKETPLACE", "SERVICES", "PERSONAL"] as const

/**
 * The kind of business a post belongs to (open enum).
 *
 * @since 0.1.0
 * @category enums
 */
export type BusinessType = OpenEnum<(typeof BusinessTypes)[number]>

/**
 * Known values of `postCustomizedButtonType`.
 *
 * @since 0.1.0
 * @category enums
 */
export const CustomizedButtonTypes = [
  "ACCOMMODATION_BOOKING",
  "EXTERNAL_PRODUCT_STORE",
  "RESUME_SUBMISSION",
  "ONLINE_CALL"
] as const

/**
 * The purpose of a customized button; Kenar derives its label from it.
 *
 * @since 0.1.0
 * @category enums
 */
export type CustomizedButtonType = (typeof CustomizedButtonTypes)[number]

/**
 * Known values of `open_platformPostHTTPMethod`.
 *
 * @since 0.1.0
 * @category enums
 */
export const HttpMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] as const

// -----------------------------------------------------------------------------
// identifiers
// -----------------------------------------------------------------------------

const tokenPattern = /^[A-Za-z0-9_-]+$/

/**
 * A post or business token: non-empty, at most 64 characters of
 * `[A-Za-z0-9_-]` (post tokens are 8 or 9 characters today and may grow to 16).
 * Anything else is rejected before I/O, so a token can never leave its route.
 *
 * @since 0.1.0
 * @category identifiers
 */
export const Token = /* @__PURE__ */ Schema.String.check(
  /* @__PURE__ */ rule<string>("non-empty", "Expected a non-empty token", (s) => s.length > 0),
  /* @__PURE__ */ rule<string>(
    "max-length",
    "Expected a token of at most 64 characters",
    (s) => s.length <= 64
  ),
  /* @__PURE__ */ rule<string>(
    "url-safe",
    "Expected a token of letters, digits, '_' or '-' only (no '/', '?', '#', '%', spaces)",
    (s) => s.length === 0 || tokenPattern.test(s)
  )
)

const nonEmpty = (what: string) =>
  Schema.String.check(rule<string>("non-empty", `Expected a non-empty ${what}`, (s) => s.trim().length > 0))

const between = (min: number, max: number, what: string) =>
  Schema.Number.check(
    rule<number>(
      "range",
      `Expected ${what} between ${min} and ${max}`,
      (n) => Number.isFinite(n) && n >= min && n <= max
    )
  )

// -----------------------------------------------------------------------------
// requests
// -----------------------------------------------------------------------------

/**
 * A post's video (`PostGeneralDataPostVideo`): the names returned by the video
 * upload and the duration in seconds as a decimal string (`"34"`).
 *
 * @since 0.1.0
 * @category requests
 */
export const PostVideo = /* @__PURE__ */ Schema.Struct({
  name: /* @__PURE__ */ nonEmpty("video name"),
  thumbnail_name: /* @__PURE__ */ nonEmpty("thumbnail name"),
  duration: Uint64String
})

/**
 * @since 0.1.0
 * @category requests
 */
export type PostVideo = typeof PostVideo.Type

const generalDataFields = {
  category_slug: /* @__PURE__ */ nonEmpty("category slug"),
  title: /* @__PURE__ */ nonEmpty("title"),
  description: /* @__PURE__ */ nonEmpty("description"),
  images: /* @__PURE__ */ Schema.Array(/* @__PURE__ */ nonEmpty("image path")),
  city: /* @__PURE__ */ nonEmpty("city"),
  district: /* @__PURE__ */ Schema.optionalKey(Schema.String),
  latitude: /* @__PURE__ */ Schema.optionalKey(/* @__PURE__ */ between(-90, 90, "a latitude")),
  longitude: /* @__PURE__ */ Schema.optionalKey(/* @__PURE__ */ between(-180, 180, "a longitude")),
  location_type: /* @__PURE__ */ Schema.Literals(LocationTypes),
  hide_phone: Schema.Boolean,
  chat_enabled: Schema.Boolean,
  video: /* @__PURE__ */ Schema.optionalKey(PostVideo)
}

/**
 * The fields of an edit's general data: those of a new post, all optional. (A
 * function of the fields, so that bundlers can drop it when it is not used.)
 */
const patchOf = (fields: typeof generalDataFields) =>
  Schema.Struct({
    category_slug: Schema.optionalKey(fields.category_slug),
    title: Schema.optionalKey(fields.title),
    description: Schema.optionalKey(fields.description),
    images: Schema.optionalKey(fields.images),
    city: Schema.optionalKey(fields.city),
    district: fields.district,
    latitude: fields.latitude,
    longitude: fields.longitude,
    location_type: Schema.optionalKey(fields.location_type),
    hide_phone: Schema.optionalKey(fields.hide_phone),
    chat_enabled: Schema.optionalKey(fields.chat_enabled),
    video: fields.video
  })

/**
 * The general data of a new post (`postPostGeneralData`).
 *
 * @since 0.1.0
 * @category requests
 */
export const PostGeneralData = /* @__PURE__ */ Schema.Struct(generalDataFields)

/**
 * @since 0.1.0
 * @category requests
 */
export type PostGeneralData = typeof PostGeneralData.Type

const actionCases = [
  "get_dynamic_action",
  "open_direct_link",
  "open_post_manage_page",
  "open_post_page",
  "open_server_link"
] as const

/**
 * What a customized button does (`addonsAction`): exactly one of its cases.
 *
 * @since 0.1.0
 * @category requests
 */
export const Action = /* @__PURE__ */ Schema.Struct({
  get_dynamic_action: /* @__PURE__ */ Schema.optionalKey(
    /* @__PURE__ */ Schema.Struct({ data: /* @__PURE__ */ Schema.optionalKey(JsonObjectInput) })
  ),
  open_direct_link: /* @__PURE__ */ Schema.optionalKey(/* @__PURE__ */ nonEmpty("link")),
  open_post_manage_page: /* @__PURE__ */ Schema.optionalKey(
    /* @__PURE__ */ Schema.Struct({ post_token: Token })
  ),
  open_post_page: /* @__PURE__ */ Schema.optionalKey(/* @__PURE__ */ Schema.Struct({ post_token: Token })),
  open_server_link: /* @__PURE__ */ Schema.optionalKey(
    /* @__PURE__ */ Schema.Struct({ data: /* @__PURE__ */ Schema.optionalKey(JsonObjectInput) })
  )
}).check(
  /* @__PURE__ */ rule<Record<string, unknown>>(
    "one-of",
    // a literal, not a template: bundlers keep a template's substitutions as possible side effects
    "Expected exactly one action: get_dynamic_action, open_direct_link, open_post_manage_page, open_post_page, open_server_link",
    (action) => actionCases.filter((key) => action[key] !== undefined).length === 1
  )
)

/**
 * @since 0.1.0
 * @category requests
 */
export type Action = typeof Action.Type

/**
 * A customized button (`postCustomizedButton`).
 *
 * @since 0.1.0
 * @category requests
 */
export const CustomizedButton = /* @__PURE__ */ Schema.Struct({
  type: /* @__PURE__ */ Schema.Literals(CustomizedButtonTypes),
  action: Action
})

/**
 * @since 0.1.0
 * @category requests
 */
export type CustomizedButton = typeof CustomizedButton.Type

/**
 * Body of SubmitPostV2 (`postSubmitPostV2Request`): a business post submitted
 * by the app as provider.
 *
 * @since 0.1.0
 * @category requests
 */
export const SubmitPostV2Request = /* @__PURE__ */ Schema.Struct({
  business_token: Token,
  general_data: PostGeneralData,
  category_fields: JsonObjectInput,
  landline_numbers: /* @__PURE__ */ Schema.optionalKey(
    /* @__PURE__ */ Schema.Array(/* @__PURE__ */ nonEmpty("landline number"))
  )
})

/**
 * @since 0.1.0
 * @category requests
 */
export type SubmitPostV2Request = typeof SubmitPostV2Request.Type

/**
 * Body of SubmitUserPost (`postSubmitUserPostRequest`): a post submitted on
 * behalf of the OAuth user.
 *
 * @since 0.1.0
 * @category requests
 */
export const SubmitUserPostRequest = /* @__PURE__ */ Schema.Struct({
  business_token: Token,
  general_data: PostGeneralData,
  category_fields: JsonObjectInput
})

/**
 * @since 0.1.0
 * @category requests
 */
export type SubmitUserPostRequest = typeof SubmitUserPostRequest.Type

/**
 * Body of EditPost v1 (`PostEditPostBody`): title 3 to 50 characters.
 *
 * @since 0.1.0
 * @category requests
 */
export const EditPostBody = /* @__PURE__ */ Schema.Struct({
  title: /* @__PURE__ */ Schema.String.check(
    /* @__PURE__ */ rule<string>("length", "Expected a title of 3 to 50 characters", (s) => {
      const length = [...s.trim()].length
      return length >= 3 && length <= 50
    })
  ),
  description: /* @__PURE__ */ nonEmpty("description"),
  image_paths: /* @__PURE__ */ Schema.optionalKey(
    /* @__PURE__ */ Schema.Array(/* @__PURE__ */ nonEmpty("image path"))
  )
})

/**
 * @since 0.1.0
 * @category requests
 */
export type EditPostBody = typeof EditPostBody.Type

/**
 * The general fields EditPostV2 can change (`general_data.<field>` paths).
 *
 * @since 0.1.0
 * @category requests
 */
export const EditableGeneralFields = [
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
] as const

/**
 * A general field that EditPostV2 can change.
 *
 * @since 0.1.0
 * @category requests
 */
export type EditableGeneralField = (typeof EditableGeneralFields)[number]

/**
 * The general data of an edit: the spec's `postPostGeneralData` with every
 * field optional, since an edit only carries what it changes.
 *
 * @since 0.1.0
 * @category requests
 */
export const PostGeneralDataPatch = /* @__PURE__ */ patchOf(generalDataFields)

/**
 * @since 0.1.0
 * @category requests
 */
export type PostGeneralDataPatch = typeof PostGeneralDataPatch.Type

const categoryKeyPattern = /^[A-Za-z0-9_]+$/

/**
 * Why a field-mask path is not accepted, or `undefined` when it is.
 *
 * @since 0.1.0
 * @category requests
 */
export const maskPathProblem = (path: string): string | undefined => {
  const [head, field, ...rest] = path.split(".")
  if (field === undefined || rest.length > 0) {
    return `'${path}' is not a field path; use 'general_data.<field>' or 'category_data.<field>'`
  }
  if (head === "general_data") {
    return (EditableGeneralFields as ReadonlyArray<string>).includes(field)
      ? undefined
      : `'${path}' is not editable; editable general fields: ${EditableGeneralFields.join(", ")}`
  }
  if (head === "category_data") {
    return categoryKeyPattern.test(field) ? undefined : `'${path}' is not a valid category field name`
  }
  return `'${path}' must start with 'general_data.' or 'category_data.'`
}

const maskPath = /* @__PURE__ */ Schema.String.check(
  /* @__PURE__ */ Schema.makeFilter<string>((path) => maskPathProblem(path), { kenarRule: "mask-path" })
)

/**
 * Body of EditPostV2 (`PostEditPostV2Body`). `update_mask` names the fields
 * to change; a field in the mask but absent from the body is cleared, and a
 * field in the body but not in the mask would be ignored by Kenar, so it is
 * rejected here. Build one with `PostEdit.make` instead of by hand.
 *
 * @since 0.1.0
 * @category requests
 */
export const EditPostV2Body = /* @__PURE__ */ Schema.Struct({
  update_mask: /* @__PURE__ */ Schema.Array(maskPath).check(
    /* @__PURE__ */ rule<ReadonlyArray<string>>(
      "non-empty",
      "Expected a non-empty update_mask",
      (mask) => mask.length > 0
    )
  ),
  general_data: /* @__PURE__ */ Schema.optionalKey(PostGeneralDataPatch),
  category_data: /* @__PURE__ */ Schema.optionalKey(JsonObjectInput)
}).check(
  /* @__PURE__ */ Schema.makeFilter<{
    readonly update_mask: ReadonlyArray<string>
    readonly general_data?: object
    readonly category_data?: object
  }>(
    (body) => {
      const mask = new Set(body.update_mask)
      for (const [group, value] of [
        ["general_data", body.general_data],
        ["category_data", body.category_data]
      ] as const) {
        for (const key of Object.keys(value ?? {})) {
          if (!mask.has(`${group}.${key}`)) {
            return {
              path: [group, key],
              issue: `'${group}.${key}' is set but not listed in update_mask, so Kenar would ignore it`
            }
          }
        }
      }
      return undefined
    },
    { kenarRule: "in-mask" }
  )
)

/**
 * @since 0.1.0
 * @category requests
 */
export type EditPostV2Body = typeof EditPostV2Body.Type

// -----------------------------------------------------------------------------
// responses
// -----------------------------------------------------------------------------

/**
 * A post's video as Kenar returns it.
 *
 * @since 0.1.0
 * @category responses
 */
export const PostVideoResult = /* @__PURE__ */ Schema.Struct({
  name: protoString,
  thumbnail_name: protoString,
  duration: protoUint64
})

/**
 * The general data of a post as Kenar returns it (`postPostGeneralData`).
 * `video` is absent when the post has none.
 *
 * @since 0.1.0
 * @category responses
 */
export const PostGeneralDataResult = /* @__PURE__ */ Schema.Struct({
  category_slug: protoString,
  title: protoString,
  description: protoString,
  images: /* @__PURE__ */ protoArray(Schema.String),
  city: protoString,
  district: protoString,
  latitude: protoDouble,
  longitude: protoDouble,
  location_type: /* @__PURE__ */ protoEnum(LocationTypes),
  hide_phone: protoBool,
  chat_enabled: protoBool,
  video: /* @__PURE__ */ Schema.optionalKey(PostVideoResult)
})

/**
 * @since 0.1.0
 * @category responses
 */
export type PostGeneralDataResult = typeof PostGeneralDataResult.Type

/**
 * The business a post belongs to (`postGetUserPostResponseBusinessData`).
 *
 * @since 0.1.0
 * @category responses
 */
export const BusinessData = /* @__PURE__ */ Schema.Struct({
  business_name: protoString,
  business_type: /* @__PURE__ */ protoEnum(BusinessTypes)
})

/**
 * Answer of GetUserPost (`postGetUserPostResponse`).
 *
 * @since 0.1.0
 * @category responses
 */
export const GetUserPostResponse = /* @__PURE__ */ Schema.Struct({
  general_data: /* @__PURE__ */ protoMessage(PostGeneralDataResult),
  category_data: protoObject,
  business_data: /* @__PURE__ */ Schema.optionalKey(BusinessData),
  state: /* @__PURE__ */ protoEnum(PostStates),
  reject_reason: protoString
})

/**
 * @since 0.1.0
 * @category responses
 */
export type GetUserPostResponse = typeof GetUserPostResponse.Type

/**
 * One day of a statistic (`GetPostStatsResponseDailyStats`).
 *
 * @since 0.1.0
 * @category responses
 */
export const DailyStats = /* @__PURE__ */ Schema.Struct({ date: protoString, count: protoInt32 })

/**
 * A statistic: total and per-day counts for the last 7 days.
 *
 * @since 0.1.0
 * @category responses
 */
export const PostStats = /* @__PURE__ */ Schema.Struct({
  total: protoInt32,
  daily: /* @__PURE__ */ protoArray(DailyStats)
})

/**
 * @since 0.1.0
 * @category responses
 */
export type PostStats = typeof PostStats.Type

/**
 * Answer of GetPostStats (`postGetPostStatsResponse`).
 *
 * @since 0.1.0
 * @category responses
 */
export const GetPostStatsResponse = /* @__PURE__ */ Schema.Struct({
  views: /* @__PURE__ */ protoMessage(PostStats),
  impressions: /* @__PURE__ */ protoMessage(PostStats),
  chats: /* @__PURE__ */ protoMessage(PostStats)
})

/**
 * @since 0.1.0
 * @category responses
 */
export type GetPostStatsResponse = typeof GetPostStatsResponse.Type

/**
 * Answer of CanUserSubmitPost; `{}` on the wire means `can_submit: false`.
 *
 * @since 0.1.0
 * @category responses
 */
export const CanUserSubmitPostResponse = /* @__PURE__ */ Schema.Struct({ can_submit: protoBool })

/**
 * @since 0.1.0
 * @category responses
 */
export type CanUserSubmitPostResponse = typeof CanUserSubmitPostResponse.Type

/**
 * Answer of both submit operations (`postSubmitPostResponse`).
 *
 * @since 0.1.0
 * @category responses
 */
export const SubmitPostResponse = /* @__PURE__ */ Schema.Struct({ post_token: protoString })

/**
 * @since 0.1.0
 * @category responses
 */
export type SubmitPostResponse = typeof SubmitPostResponse.Type

/**
 * Answer of the deprecated GetImageUploadURL: a URL valid about 10 minutes.
 *
 * @since 0.1.0
 * @category responses
 */
export const GetImageUploadURLResponse = /* @__PURE__ */ Schema.Struct({ upload_url: protoString })

/**
 * @since 0.1.0
 * @category responses
 */
export type GetImageUploadURLResponse = typeof GetImageUploadURLResponse.Type

/**
 * Where and how to send one kind of media (`postGetUploadURLsV2ResponseUploadFormat`).
 *
 * @since 0.1.0
 * @category responses
 */
export const UploadFormat = /* @__PURE__ */ Schema.Struct({
  url: protoString,
  http_method: /* @__PURE__ */ protoEnum(HttpMethods)
})

/**
 * Answer of GetUploadURLsV2: fetch it before each upload batch, URL and method
 * may change without notice.
 *
 * @since 0.1.0
 * @category responses
 */
export const GetUploadURLsV2Response = /* @__PURE__ */ Schema.Struct({
  image: /* @__PURE__ */ protoMessage(UploadFormat),
  video: /* @__PURE__ */ protoMessage(UploadFormat)
})

/**
 * @since 0.1.0
 * @category responses
 */
export type GetUploadURLsV2Response = typeof GetUploadURLsV2Response.Type

/**
 * The empty answer of most mutations (`{}`). Unknown fields are ignored.
 *
 * @since 0.1.0
 * @category responses
 */
export const Empty = /* @__PURE__ */ Schema.Struct({})

/**
 * @since 0.1.0
 * @category responses
 */
export type Empty = typeof Empty.Type

/**
 * A `google.rpc.Status` error body. `details` entries keep every field they
 * carry besides `@type`.
 *
 * @since 0.1.0
 * @category responses
 */
export const Status = /* @__PURE__ */ Schema.Struct({
  code: protoInt32,
  message: protoString,
  details: /* @__PURE__ */ protoArray(
    /* @__PURE__ */ Schema.StructWithRest(/* @__PURE__ */ Schema.Struct({ "@type": protoString }), [
      JsonObject
    ])
  )
})

/**
 * @since 0.1.0
 * @category responses
 */
export type Status = typeof Status.Type
