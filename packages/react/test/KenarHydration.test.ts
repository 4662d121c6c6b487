// @vitest-environment jsdom
import { KenarError, type KenarPromiseClient, Uploads } from "@kenar/core"
import { NodeKenarClient } from "@kenar/node"
import { type DehydratedState, dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query"
import { render, screen, waitFor } from "@testing-library/react"
import { createElement as el } from "react"
import { afterEach, describe, expect, it } from "vitest"
import {
  KenarProvider,
  kenarKeys,
  reviveKenarError,
  reviveKenarErrors,
  usePostStats,
  useUserPost
} from "../src/index.js"
import { createKenarQueries } from "../src/server.js"
import { type Harness, makeQueryClient, setup, sleep } from "./utils.js"

const serverClients: Array<KenarPromiseClient.KenarPromiseClient> = []
afterEach(async () => {
  await Promise.all(serverClients.splice(0).map((client) => client.dispose()))
})

/** What a server does: prefetch with a server-side client, dehydrate, serialize. */
const prefetchOnServer = async (
  h: Harness,
  tokens: ReadonlyArray<string>,
  options?: Parameters<typeof dehydrate>[1]
) => {
  const client = NodeKenarClient.makePromise({
    apiKey: h.demo.apiKey,
    accessToken: h.demo.accessToken,
    baseUrl: h.server.url
  })
  serverClients.push(client)
  const kenar = createKenarQueries(client)
  const queryClient = new QueryClient()
  for (const token of tokens) {
    await queryClient.prefetchQuery(kenar.getUserPost.queryOptions({ token }))
    await queryClient.prefetchQuery(kenar.getPostStats.queryOptions({ post_token: token }))
  }
  const state = JSON.parse(JSON.stringify(dehydrate(queryClient, options))) as DehydratedState
  queryClient.clear()
  return state
}

const Post = ({ token }: { readonly token: string }) => {
  const post = useUserPost({ token })
  const stats = usePostStats({ post_token: token })
  if (post.isError)
    return el("p", null, `error ${post.error._tag} ${post.error instanceof KenarError.NotFoundError}`)
  if (post.isPending || stats.isPending) return el("p", null, `loading ${token}`)
  return el("p", null, `${post.data.general_data.title} (${stats.data?.views.total} views)`)
}

describe("server prefetch and hydration", () => {
  it("renders prefetched data at once, without a request from the browser", async () => {
    const h = await setup()
    const state = await prefetchOnServer(h, [h.published])
    expect(state.queries.map((query) => query.queryKey)).toEqual([
      kenarKeys.userPost(h.published),
      kenarKeys.postStats(h.published)
    ])
    h.sim.clearRequests()
    // TanStack's SSR advice: a staleTime above 0, so hydrated data is not refetched on mount
    const queryClient = makeQueryClient({ defaultOptions: { queries: { staleTime: 60_000 } } })
    render(
      el(
        KenarProvider,
        { layer: h.layer, queryClient },
        el(HydrationBoundary, { state }, el(Post, { token: h.published }))
      )
    )
    const views =
      h.sim.post(h.published) && (state.queries[1]!.state.data as { views: { total: number } }).views.total
    // synchronously there on the first render: no loading state
    expect(screen.getByText(`${h.sim.post(h.published)!.general_data.title} (${views} views)`)).toBeTruthy()
    await sleep(100)
    expect(h.requests()).toEqual([])
  })

  it("refetches in the browser what failed on the server, with real error instances", async () => {
    const h = await setup()
    const state = await prefetchOnServer(h, [h.published, "Missing01"])
    // failed queries are not dehydrated by default
    expect(state.queries).toHaveLength(2)
    h.sim.clearRequests()
    const queryClient = makeQueryClient({ defaultOptions: { queries: { staleTime: 60_000 } } })
    render(
      el(
        KenarProvider,
        { layer: h.layer, queryClient },
        el(HydrationBoundary, { state }, el(Post, { token: h.published }), el(Post, { token: "Missing01" }))
      )
    )
    expect(await screen.findByText("error NotFoundError true")).toBeTruthy()
    expect(
      h
        .requests()
        .map((entry) => entry.operation)
        .sort()
    ).toEqual(["getPostStats", "getUserPost"])
  })

  it("revives dehydrated errors as instances of their classes", async () => {
    const h = await setup()
    const state = await prefetchOnServer(h, ["Missing01"], { shouldDehydrateQuery: () => true })
    const plain = state.queries[0]!.state.error as unknown as Record<string, unknown>
    expect(plain).not.toBeInstanceOf(Error)
    expect(plain).toMatchObject({ _tag: "NotFoundError", operation: "getUserPost", httpStatus: 404 })

    const revived = reviveKenarErrors(state)
    const error = revived.queries[0]!.state.error
    expect(error).toBeInstanceOf(KenarError.NotFoundError)
    expect(error).toMatchObject({ ...plain, kind: "api", message: plain.message })
    expect(KenarError.isKenarError(error)).toBe(true)
    // the data of successful queries is untouched, and the input is not changed
    expect(state.queries[0]!.state.error).toBe(plain)

    const queryClient = makeQueryClient()
    render(
      el(
        KenarProvider,
        { layer: h.layer, queryClient },
        el(HydrationBoundary, { state: revived }, el("p", null, "hydrated"))
      )
    )
    await waitFor(() =>
      expect(queryClient.getQueryState(kenarKeys.userPost("Missing01"))?.error).toBeInstanceOf(
        KenarError.NotFoundError
      )
    )
  })

  it("reviveKenarError leaves other values alone", () => {
    const instance = new KenarError.AbortedError({ operation: "getUserPost", message: "cancelled" })
    expect(reviveKenarError(instance)).toBe(instance)
    expect(reviveKenarError({ _tag: "Other" })).toEqual({ _tag: "Other" })
    expect(reviveKenarError(null)).toBeNull()
    expect(reviveKenarError("text")).toBe("text")
    expect(
      reviveKenarError({
        _tag: "UploadError",
        operation: "uploadImage",
        reason: "EmptyInput",
        message: "empty"
      })
    ).toBeInstanceOf(Uploads.UploadError)
    expect(reviveKenarErrors(undefined)).toBeUndefined()
    expect(reviveKenarErrors(null)).toBeNull()
  })
})
