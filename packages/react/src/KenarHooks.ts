"use client"
/**
 * Thin hooks over the factories of the nearest `KenarProvider`: each one is
 * TanStack's own hook with the operation's options, so
 * `useUserPost({ token })` is `useQuery(useKenar().getUserPost.queryOptions({ token }))`.
 * `data` is the operation's output and `error` its typed error union.
 *
 * ```tsx
 * function Title({ token }: { token: string }) {
 *   const post = useUserPost({ token }, { select: (post) => post.general_data.title })
 *   if (post.isPending) return <Spinner />
 *   if (post.isError) return post.error._tag === "NotFoundError" ? <Gone /> : <Failed error={post.error} />
 *   return <h1>{post.data}</h1>
 * }
 * ```
 *
 * @since 0.1.0
 */
import {
  type UseMutationResult,
  type UseQueryResult,
  type UseSuspenseQueryResult,
  useMutation,
  useQuery,
  useSuspenseQuery
} from "@tanstack/react-query"
import type {
  MutationName,
  OperationData,
  OperationError,
  OperationInput,
  QueryName
} from "./KenarOperation.js"
import { useKenar } from "./KenarProvider.js"
import type {
  MutationOverrides,
  QueryArgs,
  SkippableQueryArgs,
  SuspenseQueryOverrides
} from "./KenarQueries.js"

/**
 * A query hook: the input (`skipToken` to wait for one; none for operations
 * without input), then TanStack's query options and `call`.
 *
 * @since 0.1.0
 * @category models
 */
export type QueryHook<K extends QueryName> = <TData = OperationData<K>>(
  ...args: SkippableQueryArgs<K, TData>
) => UseQueryResult<TData, OperationError<K>>

/**
 * A Suspense query hook: suspends until the data is there, and throws the
 * typed error to the nearest error boundary.
 *
 * @since 0.1.0
 * @category models
 */
export type SuspenseQueryHook<K extends QueryName> = <TData = OperationData<K>>(
  ...args: QueryArgs<K, TData, SuspenseQueryOverrides<K, TData>>
) => UseSuspenseQueryResult<TData, OperationError<K>>

/**
 * A mutation hook: `mutate(input)`.
 *
 * @since 0.1.0
 * @category models
 */
export type MutationHook<K extends MutationName> = <TOnMutateResult = unknown>(
  overrides?: MutationOverrides<K, TOnMutateResult>
) => UseMutationResult<OperationData<K>, OperationError<K>, OperationInput<K>, TOnMutateResult>

type AnyFactory = (...args: ReadonlyArray<unknown>) => any

const queryHook = <K extends QueryName>(name: K): QueryHook<K> =>
  ((...args: ReadonlyArray<unknown>) =>
    useQuery((useKenar()[name].queryOptions as AnyFactory)(...args))) as QueryHook<K>

const suspenseQueryHook = <K extends QueryName>(name: K): SuspenseQueryHook<K> =>
  ((...args: ReadonlyArray<unknown>) =>
    useSuspenseQuery((useKenar()[name].queryOptions as AnyFactory)(...args))) as SuspenseQueryHook<K>

const mutationHook = <K extends MutationName>(name: K): MutationHook<K> =>
  ((overrides?: unknown) =>
    useMutation((useKenar()[name].mutationOptions as AnyFactory)(overrides))) as MutationHook<K>

// -----------------------------------------------------------------------------
// queries
// -----------------------------------------------------------------------------

/**
 * One of the user's posts (`getUserPost`): `useUserPost({ token })`.
 *
 * @since 0.1.0
 * @category queries
 */
export const useUserPost: QueryHook<"getUserPost"> = /* @__PURE__ */ queryHook("getUserPost")

/**
 * A post's views, impressions and chats (`getPostStats`): `usePostStats({ post_token })`.
 *
 * @since 0.1.0
 * @category queries
 */
export const usePostStats: QueryHook<"getPostStats"> = /* @__PURE__ */ queryHook("getPostStats")

/**
 * Whether the OAuth user may submit a post (`canUserSubmitPost`).
 *
 * @since 0.1.0
 * @category queries
 */
export const useCanUserSubmitPost: QueryHook<"canUserSubmitPost"> =
  /* @__PURE__ */ queryHook("canUserSubmitPost")

/**
 * Where to upload images and videos (`getUploadUrls`). Always stale, never
 * kept once unused: the URLs may change without notice. The upload hooks
 * fetch them themselves; pass `data` as `urls` to reuse them for a batch.
 *
 * @since 0.1.0
 * @category queries
 */
export const useUploadUrls: QueryHook<"getUploadUrls"> = /* @__PURE__ */ queryHook("getUploadUrls")

/**
 * A v1 image upload URL, valid about 10 minutes (`getImageUploadUrl`,
 * deprecated by Kenar). Always stale, never kept once unused.
 *
 * @since 0.1.0
 * @category queries
 */
export const useImageUploadUrl: QueryHook<"getImageUploadUrl"> =
  /* @__PURE__ */ queryHook("getImageUploadUrl")

// -----------------------------------------------------------------------------
// suspense queries
// -----------------------------------------------------------------------------

/**
 * {@link useUserPost} for Suspense: `data` is always there.
 *
 * @since 0.1.0
 * @category suspense
 */
export const useSuspenseUserPost: SuspenseQueryHook<"getUserPost"> =
  /* @__PURE__ */ suspenseQueryHook("getUserPost")

/**
 * {@link usePostStats} for Suspense.
 *
 * @since 0.1.0
 * @category suspense
 */
export const useSuspensePostStats: SuspenseQueryHook<"getPostStats"> =
  /* @__PURE__ */ suspenseQueryHook("getPostStats")

/**
 * {@link useCanUserSubmitPost} for Suspense.
 *
 * @since 0.1.0
 * @category suspense
 */
export const useSuspenseCanUserSubmitPost: SuspenseQueryHook<"canUserSubmitPost"> =
  /* @__PURE__ */ suspenseQueryHook("canUserSubmitPost")

/**
 * {@link useUploadUrls} for Suspense.
 *
 * @since 0.1.0
 * @category suspense
 */
export const useSuspenseUploadUrls: SuspenseQueryHook<"getUploadUrls"> =
  /* @__PURE__ */ suspenseQueryHook("getUploadUrls")

/**
 * {@link useImageUploadUrl} for Suspense.
 *
 * @since 0.1.0
 * @category suspense
 */
export const useSuspenseImageUploadUrl: SuspenseQueryHook<"getImageUploadUrl"> =
  /* @__PURE__ */ suspenseQueryHook("getImageUploadUrl")

// -----------------------------------------------------------------------------
// mutations
// -----------------------------------------------------------------------------

/**
 * Submits a business post as the app (`submitPostV2`). Never retried once
 * it may have reached Kenar. Refreshes `canUserSubmitPost` and the
 * business's subtree.
 *
 * @since 0.1.0
 * @category mutations
 */
export const useSubmitPost: MutationHook<"submitPostV2"> = /* @__PURE__ */ mutationHook("submitPostV2")

/**
 * Submits a post as the OAuth user (`submitUserPost`). Refreshes
 * `canUserSubmitPost` and the business's subtree.
 *
 * @since 0.1.0
 * @category mutations
 */
export const useSubmitUserPost: MutationHook<"submitUserPost"> =
  /* @__PURE__ */ mutationHook("submitUserPost")

/**
 * Edits a post's title, description and images (`editPost`, deprecated:
 * prefer {@link useEditPostV2}). Updates the cached post at once, rolls
 * back on error, then refetches that post.
 *
 * @since 0.1.0
 * @category mutations
 */
export const useEditPost: MutationHook<"editPost"> = /* @__PURE__ */ mutationHook("editPost")

/**
 * Edits the fields of a post named by `update_mask` (`editPostV2`; build the
 * input with `PostEdit.make`). Updates those fields of the cached post at
 * once, rolls back on error, then refetches that post (not its stats, not
 * other posts).
 *
 * ```ts
 * const edit = useEditPostV2()
 * edit.mutate({ post_token, ...PostEdit.make({ general_data: { title } }) })
 * ```
 *
 * @since 0.1.0
 * @category mutations
 */
export const useEditPostV2: MutationHook<"editPostV2"> = /* @__PURE__ */ mutationHook("editPostV2")

/**
 * Deletes a post (`deleteUserPost`) and removes its queries (data and stats)
 * from the cache.
 *
 * @since 0.1.0
 * @category mutations
 */
export const useDeleteUserPost: MutationHook<"deleteUserPost"> =
  /* @__PURE__ */ mutationHook("deleteUserPost")

/**
 * Sets a post's customized button (`setPostCustomizedButton`); refreshes
 * that post's subtree.
 *
 * @since 0.1.0
 * @category mutations
 */
export const useSetPostCustomizedButton: MutationHook<"setPostCustomizedButton"> =
  /* @__PURE__ */ mutationHook("setPostCustomizedButton")

/**
 * Removes a post's customized button (`deletePostCustomizedButton`);
 * refreshes that post's subtree.
 *
 * @since 0.1.0
 * @category mutations
 */
export const useDeletePostCustomizedButton: MutationHook<"deletePostCustomizedButton"> =
  /* @__PURE__ */ mutationHook("deletePostCustomizedButton")

/**
 * Sets the button of all of a business's posts
 * (`createBusinessCustomizedButton`); refreshes that business's subtree.
 *
 * @since 0.1.0
 * @category mutations
 */
export const useCreateBusinessCustomizedButton: MutationHook<"createBusinessCustomizedButton"> =
  /* @__PURE__ */ mutationHook("createBusinessCustomizedButton")

/**
 * Removes the button of a business's posts
 * (`deleteBusinessCustomizedButton`); refreshes that business's subtree.
 *
 * @since 0.1.0
 * @category mutations
 */
export const useDeleteBusinessCustomizedButton: MutationHook<"deleteBusinessCustomizedButton"> =
  /* @__PURE__ */ mutationHook("deleteBusinessCustomizedButton")
