/**
 * `@kenar/react/server`: the parts of `@kenar/react` without React and
 * without `'use client'`, for server components and route loaders: the
 * query-key factory, the query and mutation factories, and error revival
 * for hydration. `@kenar/react` exports all of them too.
 *
 * ```ts
 * import { dehydrate, QueryClient } from "@tanstack/react-query"
 * import { NodeKenarClient } from "@kenar/node"
 * import { createKenarQueries } from "@kenar/react/server"
 *
 * const kenar = createKenarQueries(NodeKenarClient.makePromise({ accessToken }))
 * const queryClient = new QueryClient()
 * await queryClient.prefetchQuery(kenar.getUserPost.queryOptions({ token }))
 * const state = dehydrate(queryClient)
 * ```
 *
 * @since 0.1.0
 */

export * from "./KenarHydration.js"
export * from "./KenarOperation.js"
export * from "./KenarQueries.js"
export * from "./KenarQueryKeys.js"
