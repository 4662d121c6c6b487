/**
 * The scopes Divar's authorization server knows: `NAME` or
 * `NAME.<resource id>`. The Post API's scopes come from `Posts.all`; the
 * others are the rest of the official spec's OAuth scheme. Resource scopes on
 * posts and businesses must name a resource of the signing-in user; other
 * resource ids (conversations, apps) are not modelled and accepted as given.
 */
import { Posts } from "@kenar/core"
import type { World } from "./state.js"

type Resource = "post" | "business" | "opaque"

const scopeKinds = (): ReadonlyMap<string, Resource | undefined> => {
  const kinds = new Map<string, Resource | undefined>()
  for (const { definition } of Object.values(Posts.all)) {
    for (const scope of definition.scopes ?? []) {
      const [name, resource] = scope.split(".")
      kinds.set(
        name!,
        resource === undefined ? undefined : resource === "{business_token}" ? "business" : "post"
      )
    }
  }
  // the rest of the spec's `securitySchemes.OAuth` scopes (other tags than Post)
  for (const name of [
    "offline_access",
    "openid",
    "USER_ID",
    "USER_PHONE",
    "USER_BUSINESSES_READ",
    "USER_ADDON_CREATE",
    "USER_POSTS_ADDON_CREATE",
    "USER_VERIFICATION_CREATE",
    "CHAT_BOT_USER_MESSAGE_SEND",
    "CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND",
    "CHAT_SUPPLIER_ALL_CONVERSATIONS_READ",
    "NOTIFICATION_ACCESS_REVOCATION",
    "PAYMENT_ALL_POSTS_PRICING_READ",
    "PAYMENT_ALL_POSTS_RENEW",
    "PAYMENT_ALL_POSTS_REORDER",
    "PAY_USER_POST_PROMOTION",
    "PRO_USER_PROFILE_IMAGE_READ",
    "SEND_EVENT",
    "SUBMIT_USER_PAYMENT"
  ]) {
    kinds.set(name, undefined)
  }
  for (const name of [
    "POST_ADDON_CREATE",
    "POST_SEMANTIC_CREATE",
    "POST_ONGOING_IMAGES_GET",
    "CHAT_POST_CONVERSATIONS_READ",
    "CHAT_POST_CONVERSATIONS_MESSAGE_SEND"
  ]) {
    kinds.set(name, "post")
  }
  kinds.set("BUSINESS_ADDON_CREATE", "business")
  for (const name of [
    "CHAT_CONVERSATION_READ",
    "CHAT_MESSAGE_SEND",
    "CONVERSATION_SEND_MESSAGE",
    "MANAGEMENT_APPS_READ",
    "MANAGEMENT_APPS_WRITE"
  ]) {
    kinds.set(name, "opaque")
  }
  return kinds
}

/** Scope name -> the kind of resource it takes, or undefined for a plain scope. */
const kinds = scopeKinds()

/** Space-separated scopes, in order, without repeats. */
export const parseScope = (scope: string): ReadonlyArray<string> => [
  ...new Set(scope.split(" ").filter((s) => s !== ""))
]

/** Why a scope cannot be granted to `user`, or undefined when it can. */
export const scopeProblem = (world: World, user: string, scope: string): string | undefined => {
  const dot = scope.indexOf(".")
  const name = dot === -1 ? scope : scope.slice(0, dot)
  const resource = dot === -1 ? undefined : scope.slice(dot + 1)
  if (!kinds.has(name)) return `unknown scope '${scope}'`
  const kind = kinds.get(name)
  if (kind === undefined) {
    return resource === undefined ? undefined : `scope '${name}' takes no resource`
  }
  if (resource === undefined || !/^[-_a-zA-Z0-9]+$/.test(resource)) {
    return `scope '${name}' needs a resource: ${name}.<${kind === "business" ? "business token" : kind === "post" ? "post token" : "resource id"}>`
  }
  if (kind === "post") {
    const post = world.post(resource)
    if (post === undefined || post.owner !== user || post.state === "POST_STATE_DELETED") {
      return `post ${resource} is not a post of the user`
    }
  }
  if (kind === "business" && world.businesses.get(resource)?.members.has(user) !== true) {
    return `the user is not a member of business ${resource}`
  }
  return undefined
}

const labels: Readonly<Record<string, readonly [fa: string, en: string]>> = {
  SUBMIT_USER_POST: ["ثبت آگهی از طرف شما", "submit posts as you"],
  USER_POSTS_GET: ["خواندن آگهی‌های شما", "read your posts"],
  USER_POSTS_STATS_READ: ["دیدن آمار بازدید آگهی‌های شما", "read your posts' statistics"],
  EDIT_USER_POST: ["ویرایش آگهی‌های شما", "edit your posts"],
  DELETE_USER_POST: ["حذف آگهی‌های شما", "delete your posts"],
  USER_SET_CUSTOMIZED_BUTTON: ["افزودن دکمه به آگهی‌های شما", "set buttons on your posts"],
  POST_EDIT: ["ویرایش آگهی", "edit the post"],
  BUSINESS_CREATE_CUSTOMIZED_BUTTON: ["افزودن دکمه برای کسب‌وکار", "create a button for the business"],
  offline_access: ["دسترسی وقتی حاضر نیستید", "access while you are away"],
  openid: ["شناسایی حساب شما", "identify your account"],
  USER_ID: ["شناسه کاربری شما", "your user id"],
  USER_PHONE: ["شماره تلفن شما", "your phone number"]
}

/** A Persian and an English description of a scope for the consent page. */
export const describeScope = (scope: string): readonly [fa: string, en: string] => {
  const dot = scope.indexOf(".")
  const name = dot === -1 ? scope : scope.slice(0, dot)
  const label = labels[name]
  if (label === undefined) return [scope, scope]
  return dot === -1 ? label : [`${label[0]} ${scope.slice(dot + 1)}`, `${label[1]} ${scope.slice(dot + 1)}`]
}
