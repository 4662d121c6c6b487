/**
 * The 14 Post operations. Routes (method, path template, name, scopes) come
 * from `Posts.all` of `@kenar/core`; everything a request carries is checked
 * here, independently of the SDK's own validation.
 */
import { Posts } from "@kenar/core"
import type { CustomizedButton, GeneralData, LocationType } from "../KenarSimulator.js"
import { checkCategoryFields, checkCategoryValue, isMissingCategoryValue } from "./categories.js"
import { renderPost, renderStats } from "./render.js"
import type { Business, Grant, PostRecord, World } from "./state.js"
import { ApiError, Code, invalid, notFound } from "./status.js"
import { newV1UploadUrl, uploadPaths } from "./uploads.js"
import {
  CustomizedButtonBody,
  decodeMessage,
  EditableGeneralFields,
  EditPostBody,
  EditPostV2Body,
  GeneralData as GeneralDataFields,
  type Message,
  SubmitPostV2Request,
  SubmitUserPostRequest
} from "./validate.js"

/** One call of an operation, after the API key, rate limit and OAuth checks. */
export interface Call {
  readonly world: World
  readonly params: Readonly<Record<string, string>>
  /** The bearer token's grant, for OAuth-protected operations. */
  readonly grant: Grant | undefined
  /** The origin that upload URLs point at. */
  readonly base: string
  readonly failedPreconditionStatus: number
  /** The request's JSON body (an empty body reads as `{}`, like the gateway). */
  readonly json: () => Promise<unknown>
}

type Implementation = (call: Call) => unknown

/** A route of the Post API. */
export interface Route {
  readonly name: string
  readonly operationId: string
  readonly method: string
  readonly path: string
  readonly scopes: ReadonlyArray<string> | undefined
  readonly pattern: RegExp
  readonly paramNames: ReadonlyArray<string>
  readonly run: Implementation
}

// -----------------------------------------------------------------------------
// lookups and checks shared by the operations
// -----------------------------------------------------------------------------

const userOf = (call: Call): string => {
  if (call.grant === undefined) {
    throw new ApiError(Code.INTERNAL, "operation needs a user but has no OAuth scope")
  }
  return call.grant.user
}

/** The caller's post; someone else's post is NOT_FOUND too (existence is not leaked). */
const ownedPost = (
  call: Call,
  token: string,
  options: { readonly deleted: "not-found" | "keep" }
): PostRecord => {
  const post = call.world.post(token)
  if (
    post === undefined ||
    post.owner !== userOf(call) ||
    (post.state === "POST_STATE_DELETED" && options.deleted === "not-found")
  ) {
    throw notFound(`post ${token} not found`)
  }
  return post
}

const requireEditable = (call: Call, post: PostRecord): void => {
  if (!call.world.isEditable(post)) {
    const state = post.state === "POST_STATE_PUBLISHED" ? "expired" : post.state
    throw new ApiError(
      Code.FAILED_PRECONDITION,
      `post ${post.token} cannot be changed in state ${state}`,
      call.failedPreconditionStatus
    )
  }
}

const business = (call: Call, token: string): Business => {
  const found = call.world.businesses.get(token)
  if (found === undefined) throw notFound(`business ${token} not found`)
  return found
}

const memberBusiness = (call: Call, token: string): Business => {
  const found = business(call, token)
  if (!found.members.has(userOf(call))) {
    throw new ApiError(Code.PERMISSION_DENIED, `user has no access to business ${token}`)
  }
  return found
}

const checkImages = (
  world: World,
  images: ReadonlyArray<string>,
  field: string,
  kept: ReadonlyArray<string>
) => {
  images.forEach((path, i) => {
    if (!world.images.has(path) && !kept.includes(path)) {
      throw invalid(`${field}[${i}]`, `unknown image '${path}'; upload it first`)
    }
  })
}

const checkVideo = (world: World, video: Message, field: string) => {
  const upload = world.videos.get(video.name as string)
  if (upload === undefined) throw invalid(`${field}.name`, `unknown video '${video.name}'; upload it first`)
  if (upload.thumbnailName !== video.thumbnail_name) {
    throw invalid(`${field}.thumbnail_name`, `is not the thumbnail of video '${video.name}'`)
  }
}

/** Checks the meaning of the general fields present (types were decoded already). */
const checkGeneral = (call: Call, general: Message, keptImages: ReadonlyArray<string> = []): void => {
  const { world } = call
  if (
    general.category_slug !== undefined &&
    world.categories[general.category_slug as string] === undefined
  ) {
    throw invalid("general_data.category_slug", `unknown category '${general.category_slug}'`)
  }
  if (general.images !== undefined) {
    checkImages(world, general.images as ReadonlyArray<string>, "general_data.images", keptImages)
  }
  if (general.video !== undefined) checkVideo(world, general.video as Message, "general_data.video")
  const latitude = general.latitude as number | undefined
  const longitude = general.longitude as number | undefined
  if (latitude !== undefined && Math.abs(latitude) > 90) {
    throw invalid("general_data.latitude", "must be within -90..90")
  }
  if (longitude !== undefined && Math.abs(longitude) > 180) {
    throw invalid("general_data.longitude", "must be within -180..180")
  }
}

const toGeneralData = (general: Message): GeneralData => ({
  category_slug: general.category_slug as string,
  title: general.title as string,
  description: general.description as string,
  images: (general.images as Array<string> | undefined) ?? [],
  city: general.city as string,
  district: (general.district as string | undefined) ?? "",
  latitude: (general.latitude as number | undefined) ?? 0,
  longitude: (general.longitude as number | undefined) ?? 0,
  location_type: general.location_type as LocationType,
  hide_phone: general.hide_phone as boolean,
  chat_enabled: general.chat_enabled as boolean,
  video: general.video as GeneralData["video"]
})

const submit = async (call: Call, as: "user" | "provider") => {
  const body = decodeMessage(await call.json(), as === "user" ? SubmitUserPostRequest : SubmitPostV2Request)
  const general = body.general_data as Message
  checkGeneral(call, general)
  const slug = general.category_slug as string
  checkCategoryFields(slug, call.world.categories[slug]!, body.category_fields as Message, "category_fields")
  const landlines = (body.landline_numbers as Array<string> | undefined) ?? []
  landlines.forEach((number, i) => {
    if (!/^0\d{10}$/.test(number)) {
      throw invalid(`landline_numbers[${i}]`, "expected 11 digits starting with 0")
    }
  })
  let owner: string
  let biz: Business
  if (as === "user") {
    const user = call.world.user(userOf(call))
    biz = memberBusiness(call, body.business_token as string)
    if (!user.canSubmit) {
      throw new ApiError(Code.FAILED_PRECONDITION, "user cannot submit posts", call.failedPreconditionStatus)
    }
    owner = user.id
  } else {
    biz = business(call, body.business_token as string)
    owner = biz.owner
  }
  const post = call.world.createPost({
    owner,
    business: biz.token,
    general: toGeneralData(general),
    category: body.category_fields as Message,
    submittedBy: as,
    landlineNumbers: landlines
  })
  return { post_token: post.token }
}

const checkButton = (body: Message): CustomizedButton => {
  const button = body.customized_button as Message
  const action = button.action as Message
  const link = action.open_direct_link
  if (typeof link === "string" && !/^https?:\/\/[^\s/]+/.test(link)) {
    throw invalid("customized_button.action.open_direct_link", "expected an http(s) URL")
  }
  return button as unknown as CustomizedButton
}

/** A post edited while waiting for an edit goes back to review. */
const afterEdit = (post: PostRecord) => {
  if (post.state === "POST_STATE_WAITING_FOR_EDIT") post.state = "POST_STATE_WAITING_FOR_REVIEW"
  if (post.state === "POST_STATE_PUBLISHED_AND_EDIT_REJECTED") post.state = "POST_STATE_PUBLISHED"
  post.rejectReason = ""
}

const cleared: Partial<Record<keyof GeneralData, unknown>> = {
  images: [],
  district: "",
  latitude: 0,
  longitude: 0,
  location_type: "LOCATION_TYPE_EMPTY",
  chat_enabled: false,
  hide_phone: false,
  video: undefined
}

const maskOf = (body: Message, post: PostRecord, call: Call) => {
  const mask = (body.update_mask as ReadonlyArray<string> | undefined) ?? []
  const general = new Set<string>()
  const category = new Set<string>()
  const schema = call.world.categories[post.general.category_slug]
  for (const path of mask) {
    const [group, field, ...rest] = path.split(".")
    if (field === undefined || field === "" || rest.length > 0) {
      throw invalid(
        "update_mask",
        `'${path}' is not a field path (general_data.<field> or category_data.<field>)`
      )
    }
    if (group === "general_data") {
      if (!(field in GeneralDataFields)) throw invalid("update_mask", `'${path}': unknown field`)
      if (!EditableGeneralFields.includes(field)) throw invalid("update_mask", `'${path}' is not editable`)
      general.add(field)
    } else if (group === "category_data") {
      if (schema?.properties[field] === undefined) {
        throw invalid("update_mask", `'${path}': unknown field of category '${post.general.category_slug}'`)
      }
      category.add(field)
    } else {
      throw invalid("update_mask", `'${path}' must start with general_data. or category_data.`)
    }
  }
  return { general, category }
}

// -----------------------------------------------------------------------------
// the operations
// -----------------------------------------------------------------------------

const ok = {}

const implementations: { readonly [K in keyof Posts.All]: Implementation } = {
  canUserSubmitPost: (call) => (call.world.user(userOf(call)).canSubmit ? { can_submit: true } : {}),

  createBusinessCustomizedButton: async (call) => {
    const body = decodeMessage(await call.json(), CustomizedButtonBody)
    const button = checkButton(body)
    const biz = memberBusiness(call, call.params.business_token!)
    if (biz.button !== undefined) {
      throw new ApiError(Code.ALREADY_EXISTS, `business ${biz.token} already has a customized button`)
    }
    biz.button = button
    return ok
  },

  deleteBusinessCustomizedButton: (call) => {
    business(call, call.params.business_token!).button = undefined
    return ok
  },

  deletePostCustomizedButton: (call) => {
    ownedPost(call, call.params.post_token!, { deleted: "not-found" }).button = undefined
    return ok
  },

  deleteUserPost: (call) => {
    ownedPost(call, call.params.post_token!, { deleted: "not-found" }).state = "POST_STATE_DELETED"
    return ok
  },

  editPost: async (call) => {
    const body = decodeMessage(await call.json(), EditPostBody)
    const length = [...(body.title as string)].length
    if (length < 3 || length > 50) throw invalid("title", `must be 3 to 50 characters long (got ${length})`)
    const post = ownedPost(call, call.params.post_token!, { deleted: "keep" })
    requireEditable(call, post)
    const images = (body.image_paths as Array<string> | undefined) ?? []
    checkImages(call.world, images, "image_paths", post.general.images)
    post.general = {
      ...post.general,
      title: body.title as string,
      description: body.description as string,
      ...(images.length > 0 ? { images } : {})
    }
    afterEdit(post)
    return ok
  },

  editPostV2: async (call) => {
    const body = decodeMessage(await call.json(), EditPostV2Body)
    if (((body.update_mask as Array<string> | undefined) ?? []).length === 0) {
      throw invalid("update_mask", "must not be empty")
    }
    const post = ownedPost(call, call.params.post_token!, { deleted: "keep" })
    requireEditable(call, post)
    const mask = maskOf(body, post, call)
    const general = (body.general_data as Message | undefined) ?? {}
    const changes = Object.fromEntries(Object.entries(general).filter(([key]) => mask.general.has(key)))
    checkGeneral(call, changes, post.general.images)
    const next: Record<string, unknown> = { ...post.general }
    for (const field of mask.general) {
      if (changes[field] !== undefined) next[field] = changes[field]
      else if (field === "title" || field === "description") {
        throw invalid(`general_data.${field}`, "is required; it is in update_mask but not set")
      } else next[field] = cleared[field as keyof GeneralData]
    }
    const schema = call.world.categories[post.general.category_slug]!
    const data = (body.category_data as Message | undefined) ?? {}
    const category = { ...post.category }
    for (const field of mask.category) {
      const value = data[field]
      if (value === undefined) {
        if (schema.required?.includes(field)) {
          throw invalid(`category_data.${field}`, `is required by category '${post.general.category_slug}'`)
        }
        delete category[field]
      } else {
        checkCategoryValue(schema.properties[field]!, value, `category_data.${field}`)
        if (isMissingCategoryValue(value) && schema.required?.includes(field)) {
          throw invalid(`category_data.${field}`, `is required by category '${post.general.category_slug}'`)
        }
        category[field] = value
      }
    }
    post.general = next as unknown as GeneralData
    post.category = category
    afterEdit(post)
    return ok
  },

  getImageUploadUrl: (call) => ({ upload_url: newV1UploadUrl(call.world, call.base) }),

  getPostStats: (call) =>
    renderStats(call.world, ownedPost(call, call.params.post_token!, { deleted: "not-found" })),

  getUploadUrls: (call) => ({
    image: { url: `${call.base}${uploadPaths.image}`, http_method: "POST" },
    video: { url: `${call.base}${uploadPaths.video}`, http_method: "PUT" }
  }),

  getUserPost: (call) => {
    const post = ownedPost(call, call.params.token!, { deleted: "not-found" })
    return renderPost(
      post,
      post.business === undefined ? undefined : call.world.businesses.get(post.business)
    )
  },

  setPostCustomizedButton: async (call) => {
    const button = checkButton(decodeMessage(await call.json(), CustomizedButtonBody))
    const post = ownedPost(call, call.params.post_token!, { deleted: "keep" })
    requireEditable(call, post)
    post.button = button
    return ok
  },

  submitPostV2: (call) => submit(call, "provider"),

  submitUserPost: (call) => submit(call, "user")
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The routes, from the one definition of each operation in `@kenar/core`. */
export const routes: ReadonlyArray<Route> = Object.values(Posts.all).map(({ definition }) => {
  const paramNames: Array<string> = []
  const source = definition.path
    .split(/(\{\w+\})/)
    .map((part) => {
      const param = /^\{(\w+)\}$/.exec(part)
      if (param === null) return escapeRegExp(part)
      paramNames.push(param[1]!)
      return "([^/]+)"
    })
    .join("")
  return {
    name: definition.name,
    operationId: definition.operationId,
    method: definition.method,
    path: definition.path,
    scopes: definition.scopes,
    pattern: new RegExp(`^${source}$`),
    paramNames,
    run: implementations[definition.name as keyof Posts.All]
  }
})
