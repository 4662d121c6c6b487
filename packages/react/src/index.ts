"use client"
/**
 * @kenar/react: every Kenar Post operation as TanStack Query v5 options and
 * hooks with typed errors.
 *
 * - `useKenar()` gives `queryOptions`/`mutationOptions` factories for
 *   TanStack's own hooks: `useQuery(useKenar().getUserPost.queryOptions({ token }))`.
 * - Thin hooks on top: `useUserPost`, `useSuspenseUserPost`, `useEditPostV2`, ...
 * - `kenarKeys`: hierarchical keys to invalidate or prefetch yourself.
 * - `KenarProvider` takes a layer providing `KenarClient` (or a Promise client).
 * - `createKenarQueries` builds the same options without React (SSR
 *   prefetching; import it from `@kenar/react/server` in server components).
 * - `useUploadImage`/`useUploadVideo`: uploads with progress.
 *
 * @since 0.1.0
 */

export * from "./KenarHooks.js"
export * from "./KenarProvider.js"
export * from "./KenarUploadHooks.js"
export * from "./server.js"
