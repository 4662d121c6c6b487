import { KenarError, KenarPromiseClient, PostEdit, Posts, Uploads } from "@kenar/core"
import { isCancelledError, MutationObserver, skipToken } from "@tanstack/react-query"
import { describe, expect, it } from "vitest"
import { createKenarQueries, kenarKeys } from "../src/server.js"
import { button, jpeg, makeQueryClient, setup, sleep } from "./utils.js"

describe("createKenarQueries", () => {
  it("has factories for all 14 operations and both uploads", async () => {
    const h = await setup()
    const kenar = createKenarQueries(h.layer)
    for (const [name, { definition }] of Object.entries(Posts.all)) {
      const factory = kenar[name as keyof Posts.All]
      expect(factory.definition).toBe(definition)
      expect(Object.keys(factory).sort()).toEqual(
        definition.method === "GET"
          ? ["definition", "queryKey", "queryOptions"]
          : ["definition", "mutationKey", "mutationOptions"]
      )
    }
    expect(kenar.uploadImage.mutationKey()).toEqual(["kenar", "mutation", "uploadImage"])
    expect(kenar.uploadVideo.mutationKey()).toEqual(["kenar", "mutation", "uploadVideo"])
    await kenar.dispose()
  })

  it("builds queryOptions with the SDK's keys, retry off, TanStack options and skipToken", async () => {
    const h = await setup()
    const kenar = createKenarQueries(h.layer)
    const options = kenar.getUserPost.queryOptions({ token: h.published })
    expect(options.queryKey).toEqual(kenarKeys.userPost(h.published))
    expect(kenar.getUserPost.queryKey({ token: h.published })).toEqual([
      "kenar",
      "posts",
      h.published,
      "data"
    ])
    expect(kenar.getPostStats.queryOptions({ post_token: "x" }).queryKey).toEqual([
      "kenar",
      "posts",
      "x",
      "stats"
    ])
    expect(kenar.canUserSubmitPost.queryOptions().queryKey).toEqual(kenarKeys.canUserSubmitPost())
    expect(options.retry).toBe(false)
    expect(options.staleTime).toBeUndefined()
    // upload URLs may change without notice: always stale, never kept
    expect(kenar.getUploadUrls.queryOptions()).toMatchObject({ staleTime: 0, gcTime: 0, retry: false })
    expect(kenar.getImageUploadUrl.queryOptions()).toMatchObject({ staleTime: 0, gcTime: 0 })
    // the caller's options win; `call` does not leak into TanStack's options
    const custom = kenar.getUploadUrls.queryOptions({
      staleTime: 5_000,
      retry: 2,
      call: { timeout: "1 second" }
    })
    expect(custom).toMatchObject({ staleTime: 5_000, retry: 2 })
    expect(custom).not.toHaveProperty("call")
    expect(kenar.getUserPost.queryOptions(skipToken).queryFn).toBe(skipToken)
    await kenar.dispose()
  })

  it("fetches data and rejects with typed errors through a QueryClient", async () => {
    const h = await setup()
    const kenar = createKenarQueries(h.layer)
    const queryClient = makeQueryClient()
    const post = await queryClient.fetchQuery(kenar.getUserPost.queryOptions({ token: h.published }))
    expect(post.general_data.title).toBe(h.sim.post(h.published)!.general_data.title)
    expect(queryClient.getQueryData(kenarKeys.userPost(h.published))).toBe(post)
    const error = await queryClient
      .fetchQuery(kenar.getPostStats.queryOptions({ post_token: "Missing01" }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KenarError.NotFoundError)
    expect(queryClient.getQueryState(kenarKeys.postStats("Missing01"))?.error).toBe(error)
    const urls = await queryClient.fetchQuery(kenar.getUploadUrls.queryOptions())
    expect(urls.image.http_method).toBe("POST")
    await kenar.dispose()
  })

  it("cancelQueries aborts the request", async () => {
    const aborted: Array<string> = []
    const h = await setup({
      transport: "in-process",
      spy: (request) => request.signal.addEventListener("abort", () => aborted.push(request.url))
    })
    const kenar = createKenarQueries(h.layer)
    const queryClient = makeQueryClient()
    h.sim.faults.inject({ kind: "latency", ms: 10_000 })
    const fetching = queryClient.fetchQuery(kenar.canUserSubmitPost.queryOptions()).catch((e: unknown) => e)
    await sleep(50)
    await queryClient.cancelQueries({ queryKey: kenarKeys.user() })
    expect(isCancelledError(await fetching)).toBe(true)
    await sleep(10)
    expect(aborted).toHaveLength(1)
    await kenar.dispose()
  })

  it("mutationOptions invalidate exactly their targets, also queries not on screen", async () => {
    const h = await setup()
    const kenar = createKenarQueries(h.layer)
    const queryClient = makeQueryClient()
    const keys = [
      kenarKeys.userPost(h.published),
      kenarKeys.postStats(h.published),
      kenarKeys.userPost(h.waiting),
      kenarKeys.canUserSubmitPost()
    ] as const
    await queryClient.prefetchQuery(kenar.getUserPost.queryOptions({ token: h.published }))
    await queryClient.prefetchQuery(kenar.getPostStats.queryOptions({ post_token: h.published }))
    await queryClient.prefetchQuery(kenar.getUserPost.queryOptions({ token: h.waiting }))
    await queryClient.prefetchQuery(kenar.canUserSubmitPost.queryOptions())
    const invalidated = () =>
      keys.map((queryKey) => queryClient.getQueryState(queryKey)?.isInvalidated ?? "removed")

    await new MutationObserver(queryClient, kenar.setPostCustomizedButton.mutationOptions()).mutate({
      post_token: h.published,
      customized_button: button
    })
    expect(invalidated()).toEqual([true, true, false, false])
    expect(queryClient.isMutating({ mutationKey: kenarKeys.mutation("setPostCustomizedButton") })).toBe(0)

    await queryClient.refetchQueries()
    await new MutationObserver(queryClient, kenar.editPostV2.mutationOptions()).mutate({
      post_token: h.published,
      ...PostEdit.make({ general_data: { title: "عنوان تازه" } })
    })
    expect(invalidated()).toEqual([true, false, false, false])
    // the optimistic value stays until the next fetch
    expect(queryClient.getQueryData(kenarKeys.userPost(h.published))?.general_data.title).toBe("عنوان تازه")

    await new MutationObserver(queryClient, kenar.deleteUserPost.mutationOptions()).mutate({
      post_token: h.published
    })
    expect(invalidated()).toEqual(["removed", "removed", false, false])
    await kenar.dispose()
  })

  it("dispose() interrupts calls in flight", async () => {
    const h = await setup()
    const kenar = createKenarQueries(h.layer)
    const queryClient = makeQueryClient()
    h.sim.faults.inject({ kind: "latency", ms: 10_000 })
    const fetching = queryClient.fetchQuery(kenar.getUploadUrls.queryOptions()).catch((e: unknown) => e)
    await sleep(50)
    await kenar.dispose()
    expect(await fetching).toBeInstanceOf(KenarError.AbortedError)
  })

  it("over a layer, uses the uploads you give and leaves them to you", async () => {
    const h = await setup()
    const uploads = Uploads.makePromise(h.layer)
    const kenar = createKenarQueries(h.layer, { uploads })
    expect(kenar.uploads).toBe(uploads)
    await kenar.dispose()
    await expect(uploads.uploadImage(jpeg())).resolves.toMatchObject({ kind: "image" })
    await uploads.dispose()
  })

  it("works over a Promise client and uploads you own", async () => {
    const h = await setup()
    const client = KenarPromiseClient.make(h.layer)
    const uploads = Uploads.makePromise(h.layer)
    const kenar = createKenarQueries(client, { uploads })
    expect(kenar.client).toBe(client)
    expect("dispose" in kenar).toBe(false)
    const queryClient = makeQueryClient()
    const post = await queryClient.fetchQuery(kenar.getUserPost.queryOptions({ token: h.published }))
    expect(post.state).toBe("POST_STATE_PUBLISHED")
    const progress: Array<number> = []
    const image = await new MutationObserver(
      queryClient,
      kenar.uploadImage.mutationOptions({ onProgress: (p) => progress.push(p.sent) })
    ).mutate(jpeg(100_000))
    expect(image.kind).toBe("image")
    expect(h.sim.uploads().images.map((i) => i.path)).toContain(image.path)
    expect(progress.at(-1)).toBe(100_000)
    // without uploads, the upload factories say what is missing
    expect(() => createKenarQueries(client).uploadVideo.mutationOptions()).toThrow(TypeError)
    await client.dispose()
    await uploads.dispose()
  })
})
