/**
 * Responses in proto3 JSON: fields holding their zero value (`""`, `0`,
 * `false`, `[]`, an enum's first value, an empty message) are omitted, and
 * 64-bit integers are strings. `category_data` is a `google.protobuf.Struct`
 * and keeps its values as they are.
 */
import type { GeneralData, Stats } from "../KenarSimulator.js"
import type { Business, PostRecord, World } from "./state.js"

type Json = Record<string, unknown>

const isZero = (value: unknown): boolean =>
  value === undefined ||
  value === null ||
  value === "" ||
  value === 0 ||
  value === false ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0)

/** The message without its zero-valued fields. */
export const compact = (message: Json): Json =>
  Object.fromEntries(Object.entries(message).filter(([, value]) => !isZero(value)))

/** An enum field: its first value is the zero value, omitted on the wire. */
const enumValue = (value: string, zero: string): string | undefined => (value === zero ? undefined : value)

export const renderGeneralData = (general: GeneralData): Json =>
  compact({
    category_slug: general.category_slug,
    title: general.title,
    description: general.description,
    images: general.images,
    city: general.city,
    district: general.district,
    latitude: general.latitude,
    longitude: general.longitude,
    location_type: enumValue(general.location_type, "LOCATION_TYPE_EMPTY"),
    hide_phone: general.hide_phone,
    chat_enabled: general.chat_enabled,
    video:
      general.video === undefined
        ? undefined
        : compact({
            name: general.video.name,
            thumbnail_name: general.video.thumbnail_name,
            duration: general.video.duration === "0" ? undefined : general.video.duration
          })
  })

/** `postGetUserPostResponse`. */
export const renderPost = (post: PostRecord, business: Business | undefined): Json =>
  compact({
    general_data: renderGeneralData(post.general),
    category_data: post.category,
    business_data:
      business === undefined
        ? undefined
        : compact({ business_name: business.name, business_type: enumValue(business.type, "CAR") }),
    state: enumValue(post.state, "POST_STATE_IN_PUBLISH_QUEUE"),
    reject_reason: post.rejectReason
  })

/** `postGetPostStatsResponse`: all-time totals and the last 7 days. */
export const renderStats = (world: World, post: PostRecord): Json => {
  const { days, total } = world.statsOf(post)
  const one = (key: keyof Stats) =>
    compact({
      total: total[key],
      daily: days.map(([date, counts]) => compact({ date, count: counts[key] }))
    })
  return compact({ views: one("views"), impressions: one("impressions"), chats: one("chats") })
}
