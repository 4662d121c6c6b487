// @vitest-environment jsdom
import { type KenarClient, KenarError, KenarPromiseClient } from "@kenar/core"
import { QueryClient, QueryClientProvider, useQueryClient } from "@tanstack/react-query"
import { render, renderHook, waitFor } from "@testing-library/react"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createElement as el, type ReactNode, StrictMode } from "react"
import { describe, expect, it } from "vitest"
import { KenarProvider, useKenar, useUploadImage, useUserPost } from "../src/index.js"
import { makeQueryClient, setup, sleep, wrapperOf } from "./utils.js"

/** The harness's layer, plus a finalizer that tells when the layer was released. */
const tracked = (layer: Layer.Layer<KenarClient.KenarClient>) => {
  const events: Array<string> = []
  const withFinalizer = Layer.merge(
    layer,
    Layer.effectDiscard(
      Effect.acquireRelease(
        Effect.sync(() => events.push("built")),
        () => Effect.sync(() => events.push("released"))
      )
    )
  )
  return { layer: withFinalizer, events }
}

const PostTitle = ({ token }: { readonly token: string }) =>
  el("p", null, useUserPost({ token }).data?.general_data.title ?? "loading")

describe("KenarProvider", () => {
  it("uses the queryClient it is given", async () => {
    const h = await setup()
    const queryClient = makeQueryClient()
    const { result } = renderHook(() => useQueryClient(), {
      wrapper: wrapperOf({ layer: h.layer, queryClient })
    })
    expect(result.current).toBe(queryClient)
  })

  it("uses an enclosing QueryClientProvider's client without creating one", async () => {
    const h = await setup()
    const queryClient = makeQueryClient()
    const wrapper = ({ children }: { readonly children?: ReactNode }) =>
      el(QueryClientProvider, { client: queryClient }, el(KenarProvider, { layer: h.layer }, children))
    const { result } = renderHook(
      () => ({ client: useQueryClient(), post: useUserPost({ token: h.published }) }),
      {
        wrapper
      }
    )
    expect(result.current.client).toBe(queryClient)
    await waitFor(() => expect(result.current.post.isSuccess).toBe(true))
    expect(queryClient.getQueryCache().getAll()).toHaveLength(1)
  })

  it("creates a QueryClient only when there is none, and clears it on unmount", async () => {
    const h = await setup()
    const { result, unmount } = renderHook(
      () => ({ client: useQueryClient(), post: useUserPost({ token: h.published }) }),
      { wrapper: wrapperOf({ layer: h.layer }) }
    )
    const created = result.current.client
    expect(created).toBeInstanceOf(QueryClient)
    await waitFor(() => expect(result.current.post.isSuccess).toBe(true))
    expect(created.getQueryCache().getAll()).toHaveLength(1)
    unmount()
    await sleep(10)
    expect(created.getQueryCache().getAll()).toHaveLength(0)
  })

  it("disposes what it built from the layer on unmount, interrupting calls", async () => {
    const aborted: Array<string> = []
    const h = await setup({
      transport: "in-process",
      spy: (request) =>
        request.signal.addEventListener("abort", () => aborted.push(new URL(request.url).pathname))
    })
    const { layer, events } = tracked(h.layer)
    const queryClient = makeQueryClient()
    const { result, unmount } = renderHook(
      () => ({ post: useUserPost({ token: h.published }), kenar: useKenar() }),
      { wrapper: wrapperOf({ layer, queryClient }) }
    )
    await waitFor(() => expect(result.current.post.isSuccess).toBe(true))
    expect(events).toEqual(["built"])
    const { client } = result.current.kenar
    h.sim.faults.inject({ kind: "latency", ms: 10_000, operation: "getPostStats" })
    const pending = client.getPostStats({ post_token: h.published }).catch((error: unknown) => error)
    await waitFor(() => expect(h.requests("getPostStats")).toHaveLength(1))
    unmount()
    expect(await pending).toBeInstanceOf(KenarError.AbortedError)
    await waitFor(() => expect(events).toEqual(["built", "released"]))
    expect(aborted).toEqual([`/experimental/open-platform/posts/${h.published}/stats`])
  })

  it("survives Strict Mode's unmount and remount, and disposes on the real unmount", async () => {
    const h = await setup()
    const { layer, events } = tracked(h.layer)
    const queryClient = makeQueryClient()
    const view = render(
      el(StrictMode, null, el(KenarProvider, { layer, queryClient }, el(PostTitle, { token: h.published })))
    )
    await view.findByText(h.sim.post(h.published)!.general_data.title)
    await sleep(20)
    expect(events).toEqual(["built"])
    view.unmount()
    await waitFor(() => expect(events).toEqual(["built", "released"]))
  })

  it("disposes the old client when the layer changes", async () => {
    const h = await setup()
    const first = tracked(h.layer)
    const second = tracked(h.layer)
    const queryClient = makeQueryClient()
    const view = render(
      el(KenarProvider, { layer: first.layer, queryClient }, el(PostTitle, { token: h.published }))
    )
    await view.findByText(h.sim.post(h.published)!.general_data.title)
    view.rerender(
      el(KenarProvider, { layer: second.layer, queryClient }, el(PostTitle, { token: h.published }))
    )
    await waitFor(() => expect(first.events).toEqual(["built", "released"]))
    await queryClient.refetchQueries()
    expect(second.events).toEqual(["built"])
  })

  it("takes a Promise client it does not own", async () => {
    const h = await setup()
    const client = KenarPromiseClient.make(h.layer)
    const queryClient = makeQueryClient()
    const { result, unmount } = renderHook(() => useUserPost({ token: h.published }), {
      wrapper: wrapperOf({ client, queryClient })
    })
    await waitFor(() => expect(result.current.isSuccess).toBe(true))
    unmount()
    await sleep(10)
    // still usable: the provider did not dispose it
    await expect(client.getUserPost({ token: h.published })).resolves.toMatchObject({
      state: "POST_STATE_PUBLISHED"
    })
    await client.dispose()
    // without uploads, the upload hooks say what is missing
    expect(() => renderHook(() => useUploadImage(), { wrapper: wrapperOf({ client, queryClient }) })).toThrow(
      /uploadImage needs uploads/
    )
  })

  it("is required by the hooks", () => {
    expect(() => renderHook(() => useKenar())).toThrow(/no KenarProvider/)
  })
})
