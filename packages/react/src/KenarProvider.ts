"use client"
/**
 * Gives components the Kenar factories (and, when needed, a `QueryClient`).
 *
 * ```tsx
 * const KenarLive = BrowserKenarClient.layer({ baseUrl: "/api/kenar" }) // created once
 * const uploads = BrowserUploads.makePromise(KenarLive) // uploads through the proxy (browsers)
 *
 * <KenarProvider layer={KenarLive} uploads={uploads} queryClient={queryClient}>
 *   <App />
 * </KenarProvider>
 * ```
 *
 * The client:
 *
 * - `layer`: any layer providing `KenarClient`. The provider builds a
 *   Promise client and uploads from it (the layer itself is built on the
 *   first call), and disposes them when it unmounts or the layer changes,
 *   interrupting calls still running. Create the layer once (module scope
 *   or `useState`): a new layer on each render means a new client. Give
 *   `uploads` too to upload with your own (they stay yours); in a browser,
 *   `BrowserUploads.makePromise(layer)` from `@kenar/browser`, since core's
 *   uploads send the bytes to Kenar with the API key.
 * - `client`: a Promise client you own (`uploads` besides, to upload).
 *   Nothing is disposed for you.
 *
 * The `QueryClient`: the `queryClient` prop if given; else the one of an
 * enclosing `QueryClientProvider`; only when there is neither does the
 * provider create one, with TanStack's defaults, and clear it on unmount.
 *
 * @since 0.1.0
 */
import type { KenarClient, KenarPromiseClient, Uploads } from "@kenar/core"
import { QueryClient, QueryClientContext, QueryClientProvider } from "@tanstack/react-query"
import type * as Layer from "effect/Layer"
import { createContext, createElement, type ReactNode, useContext, useEffect, useMemo, useState } from "react"
import { createKenarQueries, type KenarQueries } from "./KenarQueries.js"

const KenarContext = /* @__PURE__ */ createContext<KenarQueries | undefined>(undefined)

/**
 * Props of {@link KenarProvider}: `layer`, or `client` (and `uploads`).
 *
 * @since 0.1.0
 * @category models
 */
export type KenarProviderProps = {
  readonly children?: ReactNode
  /** The `QueryClient` for the children; default: the enclosing one, else a new one. */
  readonly queryClient?: QueryClient | undefined
} & (
  | {
      /** A layer providing `KenarClient`; the provider owns what it builds from it. */
      readonly layer: Layer.Layer<KenarClient.KenarClient, unknown>
      readonly client?: undefined
      /** Uploads you own, instead of core's uploads over the layer. */
      readonly uploads?: Uploads.PromiseUploads | undefined
    }
  | {
      readonly layer?: undefined
      /** A Promise client you own. */
      readonly client: KenarPromiseClient.KenarPromiseClient
      /** Uploads you own, for the upload hooks. */
      readonly uploads?: Uploads.PromiseUploads | undefined
    }
)

/**
 * Releases something after its last user is gone. Disposal waits a task, so
 * React's Strict Mode (unmount and mount again at once) keeps the instance.
 */
const useRelease = (release: (() => unknown) | undefined) => {
  useEffect(() => {
    if (release === undefined) return
    const pending = pendingReleases.get(release)
    if (pending !== undefined) clearTimeout(pending)
    pendingReleases.delete(release)
    return () => {
      pendingReleases.set(
        release,
        setTimeout(() => {
          pendingReleases.delete(release)
          release()
        }, 0)
      )
    }
  }, [release])
}

const pendingReleases = new WeakMap<() => unknown, ReturnType<typeof setTimeout>>()

/**
 * Provides the Kenar factories to the hooks of its children.
 *
 * @since 0.1.0
 * @category components
 */
export const KenarProvider = (props: KenarProviderProps): ReactNode => {
  const { children, layer, client, uploads } = props
  const enclosing = useContext(QueryClientContext)
  const [created] = useState(() => {
    if (props.queryClient !== undefined || enclosing !== undefined) return undefined
    const queryClient = new QueryClient()
    return { queryClient, clear: () => queryClient.clear() }
  })
  const queryClient = props.queryClient ?? enclosing ?? created?.queryClient
  const owned = useMemo(
    () => (layer === undefined ? undefined : createKenarQueries(layer, { uploads })),
    [layer, uploads]
  )
  const queries = useMemo(
    () => owned ?? createKenarQueries(client as KenarPromiseClient.KenarPromiseClient, { uploads }),
    [owned, client, uploads]
  )
  useRelease(owned?.dispose)
  useRelease(queryClient === created?.queryClient ? created?.clear : undefined)
  const tree = createElement(KenarContext.Provider, { value: queries }, children)
  return queryClient === enclosing || queryClient === undefined
    ? tree
    : createElement(QueryClientProvider, { client: queryClient }, tree)
}

/**
 * The Kenar factories of the nearest {@link KenarProvider}, for TanStack's
 * own hooks: `useQuery(useKenar().getUserPost.queryOptions({ token }))`.
 * Throws when there is no provider.
 *
 * @since 0.1.0
 * @category hooks
 */
export const useKenar = (): KenarQueries => {
  const queries = useContext(KenarContext)
  if (queries === undefined) {
    throw new Error("@kenar/react: no KenarProvider above this component")
  }
  return queries
}
