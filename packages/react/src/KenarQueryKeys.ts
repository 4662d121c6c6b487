/**
 * The query-key factory. Keys are hierarchical, so one prefix covers a
 * subtree: everything of the SDK, one post (its data and its stats), one
 * business, the signed-in user, the upload URLs.
 *
 * ```ts
 * kenarKeys.all                        // ["kenar"]
 * kenarKeys.post("AaEB0vbO")           // ["kenar", "posts", "AaEB0vbO"]
 * kenarKeys.userPost("AaEB0vbO")       // ["kenar", "posts", "AaEB0vbO", "data"]
 * kenarKeys.postStats("AaEB0vbO")      // ["kenar", "posts", "AaEB0vbO", "stats"]
 * kenarKeys.business("biz")            // ["kenar", "businesses", "biz"]
 * kenarKeys.canUserSubmitPost()        // ["kenar", "user", "can-submit"]
 *
 * queryClient.invalidateQueries({ queryKey: kenarKeys.post(token) })   // data + stats of one post
 * queryClient.getQueryData(kenarKeys.userPost(token))                 // typed: GetUserPostResponse | undefined
 * ```
 *
 * Keys of your own queries about a post or a business can live under the
 * same prefixes (`[...kenarKeys.business(token), "my-list"]`): the SDK's
 * mutations then refresh them too.
 *
 * The access token of a call is not part of any key: use one `QueryClient`
 * per user (on a server, one per request, as TanStack Query recommends).
 *
 * @since 0.1.0
 */
import type { DataTag } from "@tanstack/react-query"
import type { MutationName, OperationData, OperationError, QueryName, UploadName } from "./KenarOperation.js"

/**
 * The key of each read operation, untagged.
 *
 * @since 0.1.0
 * @category models
 */
export interface QueryKeys {
  readonly canUserSubmitPost: readonly ["kenar", "user", "can-submit"]
  readonly getImageUploadUrl: readonly ["kenar", "uploads", "image-url"]
  readonly getPostStats: readonly ["kenar", "posts", string, "stats"]
  readonly getUploadUrls: readonly ["kenar", "uploads", "urls"]
  readonly getUserPost: readonly ["kenar", "posts", string, "data"]
}

/**
 * The key of a read operation, tagged with its data and error types, so
 * `queryClient.getQueryData(key)` and `setQueryData(key, ...)` are typed.
 *
 * @since 0.1.0
 * @category models
 */
export type QueryKeyOf<K extends QueryName> = DataTag<QueryKeys[K], OperationData<K>, OperationError<K>>

/**
 * The mutation key of a write operation or an upload.
 *
 * @since 0.1.0
 * @category models
 */
export type MutationKeyOf<K extends MutationName | UploadName> = readonly ["kenar", "mutation", K]

const tagged = <K extends QueryName>(key: QueryKeys[K]) => key as QueryKeyOf<K>

/**
 * The shape of {@link kenarKeys}.
 *
 * @since 0.1.0
 * @category models
 */
export interface KenarKeys {
  /** Every query of the SDK. */
  readonly all: readonly ["kenar"]
  /** Every post query. */
  readonly posts: () => readonly ["kenar", "posts"]
  /** Everything about one post: its data and its stats. */
  readonly post: (token: string) => readonly ["kenar", "posts", string]
  /** `getUserPost`: one post's data. */
  readonly userPost: (token: string) => QueryKeyOf<"getUserPost">
  /** `getPostStats`: one post's views, impressions and chats. */
  readonly postStats: (token: string) => QueryKeyOf<"getPostStats">
  /** Every business query (the SDK has none itself; the prefix is for yours). */
  readonly businesses: () => readonly ["kenar", "businesses"]
  /** Everything about one business; business-wide mutations invalidate it. */
  readonly business: (token: string) => readonly ["kenar", "businesses", string]
  /** Everything about the signed-in (OAuth) user. */
  readonly user: () => readonly ["kenar", "user"]
  /** `canUserSubmitPost`. */
  readonly canUserSubmitPost: () => QueryKeyOf<"canUserSubmitPost">
  /** Every upload URL query. */
  readonly uploads: () => readonly ["kenar", "uploads"]
  /** `getUploadUrls`. */
  readonly uploadUrls: () => QueryKeyOf<"getUploadUrls">
  /** `getImageUploadUrl` (deprecated v1 flow). */
  readonly imageUploadUrl: () => QueryKeyOf<"getImageUploadUrl">
  /** The mutation key of a write operation or an upload (for `useMutationState`, `useIsMutating`). */
  readonly mutation: <K extends MutationName | UploadName>(name: K) => MutationKeyOf<K>
}

/**
 * The SDK's query and mutation keys.
 *
 * @since 0.1.0
 * @category keys
 */
export const kenarKeys: KenarKeys = {
  all: ["kenar"],
  posts: () => ["kenar", "posts"],
  post: (token) => ["kenar", "posts", token],
  userPost: (token) => tagged<"getUserPost">(["kenar", "posts", token, "data"]),
  postStats: (token) => tagged<"getPostStats">(["kenar", "posts", token, "stats"]),
  businesses: () => ["kenar", "businesses"],
  business: (token) => ["kenar", "businesses", token],
  user: () => ["kenar", "user"],
  canUserSubmitPost: () => tagged<"canUserSubmitPost">(["kenar", "user", "can-submit"]),
  uploads: () => ["kenar", "uploads"],
  uploadUrls: () => tagged<"getUploadUrls">(["kenar", "uploads", "urls"]),
  imageUploadUrl: () => tagged<"getImageUploadUrl">(["kenar", "uploads", "image-url"]),
  mutation: (name) => ["kenar", "mutation", name]
}
