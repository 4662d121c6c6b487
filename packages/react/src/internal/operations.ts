/**
 * What the React bindings know about each operation beyond its definition:
 * the key of each query, and which queries each mutation changes.
 */
import * as KenarError from "@kenar/core/KenarError"
import * as Operation from "@kenar/core/Operation"
import * as Posts from "@kenar/core/Posts"
import type { QueryClient, QueryKey } from "@tanstack/react-query"
import type { MutationName, OperationInput, QueryName } from "../KenarOperation.js"
import { kenarKeys } from "../KenarQueryKeys.js"

/** Whether an operation takes no input at all (no path parameter, no body). */
export const hasNoInput = (definition: Operation.Any): boolean =>
  Operation.pathParamNames(definition).length === 0 && definition.body === undefined

/** The names of the read operations, from the definitions. */
export const queryNames = /* @__PURE__ */ Object.values(Posts.all)
  .filter(({ definition }) => definition.method === "GET")
  .map(({ definition }) => definition.name as QueryName)

/** The names of the write operations, from the definitions. */
export const mutationNames = /* @__PURE__ */ Object.values(Posts.all)
  .filter(({ definition }) => definition.method !== "GET")
  .map(({ definition }) => definition.name as MutationName)

/** The key of each query, from its input (`undefined` for a query disabled with `skipToken`). */
export const queryKeyOf: {
  readonly [K in QueryName]: (input: OperationInput<K> | undefined) => QueryKey
} = {
  canUserSubmitPost: () => kenarKeys.canUserSubmitPost(),
  getImageUploadUrl: () => kenarKeys.imageUploadUrl(),
  getPostStats: (input) => kenarKeys.postStats(input?.post_token as string),
  getUploadUrls: () => kenarKeys.uploadUrls(),
  getUserPost: (input) => kenarKeys.userPost(input?.token as string)
}

/**
 * Defaults of some queries. Upload URLs "may change without notice" (and
 * the v1 URL expires after about 10 minutes): they are always stale and
 * leave the cache as soon as nothing uses them.
 */
export const queryDefaults: { readonly [K in QueryName]?: { readonly staleTime: 0; readonly gcTime: 0 } } = {
  getUploadUrls: { staleTime: 0, gcTime: 0 },
  getImageUploadUrl: { staleTime: 0, gcTime: 0 }
}

/** The queries a mutation changes: subtrees to refetch, subtrees that no longer exist. */
export interface Targets {
  readonly invalidate: ReadonlyArray<QueryKey>
  readonly remove: ReadonlyArray<QueryKey>
}

const invalidate = (...keys: ReadonlyArray<QueryKey>): Targets => ({ invalidate: keys, remove: [] })

/** Which queries each mutation changes. */
export const targetsOf: { readonly [K in MutationName]: (input: OperationInput<K>) => Targets } = {
  createBusinessCustomizedButton: (input) => invalidate(kenarKeys.business(input.business_token)),
  deleteBusinessCustomizedButton: (input) => invalidate(kenarKeys.business(input.business_token)),
  deletePostCustomizedButton: (input) => invalidate(kenarKeys.post(input.post_token)),
  deleteUserPost: (input) => ({ invalidate: [], remove: [kenarKeys.post(input.post_token)] }),
  editPost: (input) => invalidate(kenarKeys.userPost(input.post_token)),
  editPostV2: (input) => invalidate(kenarKeys.userPost(input.post_token)),
  setPostCustomizedButton: (input) => invalidate(kenarKeys.post(input.post_token)),
  submitPostV2: (input) =>
    invalidate(kenarKeys.canUserSubmitPost(), kenarKeys.business(input.business_token)),
  submitUserPost: (input) =>
    invalidate(kenarKeys.canUserSubmitPost(), kenarKeys.business(input.business_token))
}

/**
 * Whether a failed call may still have changed something at Kenar: the
 * request may have reached it (a broken connection, a timeout), or it
 * answered something unreadable, or failed on its side midway.
 */
export const mayHaveChanged = (error: unknown): boolean => {
  if (!KenarError.isKenarError(error)) return false
  switch (error._tag) {
    case "TransportError":
      return error.mayHaveReachedServer
    case "ResponseError":
    case "DeadlineExceededError":
    case "InternalError":
    case "UnknownError":
      return true
    default:
      return false
  }
}

/** After a success: refetch what changed, drop what no longer exists. */
export const applySuccess = async (client: QueryClient, targets: Targets): Promise<void> => {
  await Promise.all(
    targets.remove.map(async (queryKey) => {
      await client.cancelQueries({ queryKey })
      client.removeQueries({ queryKey })
    })
  )
  await Promise.all(targets.invalidate.map((queryKey) => client.invalidateQueries({ queryKey })))
}

/** After a failure that may have changed something: refetch every target. */
export const applyUncertain = async (client: QueryClient, targets: Targets): Promise<void> => {
  await Promise.all(
    [...targets.invalidate, ...targets.remove].map((queryKey) => client.invalidateQueries({ queryKey }))
  )
}
