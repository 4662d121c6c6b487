// @vitest-environment jsdom
import { KenarError, PostEdit } from "@kenar/core"
import { skipToken, useQuery } from "@tanstack/react-query"
import { render, renderHook, screen, waitFor } from "@testing-library/react"
import { Component, createElement as el, type ReactNode, Suspense } from "react"
import { describe, expect, it, vi } from "vitest"
import {
  kenarKeys,
  type MutationName,
  useCanUserSubmitPost,
  useCreateBusinessCustomizedButton,
  useDeleteBusinessCustomizedButton,
  useDeletePostCustomizedButton,
  useDeleteUserPost,
  useEditPost,
  useEditPostV2,
  useImageUploadUrl,
  usePostStats,
  useSetPostCustomizedButton,
  useSubmitPost,
  useSubmitUserPost,
  useSuspenseCanUserSubmitPost,
  useSuspenseImageUploadUrl,
  useSuspensePostStats,
  useSuspenseUploadUrls,
  useSuspenseUserPost,
  useUploadUrls,
  useUserPost
} from "../src/index.js"
import { button, generalData, makeQueryClient, setup, sleep, wrapperOf } from "./utils.js"

describe("query hooks", () => {
  it("answer each read operation's data", async () => {
    const h = await setup()
    const wrapper = wrapperOf({ layer: h.layer, queryClient: makeQueryClient() })
    const { result } = renderHook(
      () => ({
        post: useUserPost({ token: h.published }),
        stats: usePostStats({ post_token: h.published }),
        canSubmit: useCanUserSubmitPost(),
        urls: useUploadUrls(),
        imageUrl: useImageUploadUrl()
      }),
      { wrapper }
    )
    await waitFor(() => expect(Object.values(result.current).every((query) => query.isSuccess)).toBe(true))
    const { post, stats, canSubmit, urls, imageUrl } = result.current
    expect(post.data?.general_data.title).toBe(h.sim.post(h.published)!.general_data.title)
    expect(post.data?.state).toBe("POST_STATE_PUBLISHED")
    expect(stats.data?.views.daily).toHaveLength(7)
    expect(stats.data?.views.total).toBeGreaterThan(0)
    expect(canSubmit.data).toEqual({ can_submit: true })
    expect(urls.data?.image.url.startsWith(h.server.url)).toBe(true)
    expect(urls.data?.video.http_method).toBe("PUT")
    expect(imageUrl.data?.upload_url.startsWith(h.server.url)).toBe(true)
  })

  it("put the operation's typed error instance in `error`", async () => {
    const h = await setup()
    const wrapper = wrapperOf({ layer: h.layer, queryClient: makeQueryClient() })
    const { result } = renderHook(
      () => ({
        post: useUserPost({ token: "Missing01" }),
        stats: usePostStats({ post_token: "Missing01" }),
        invalid: useUserPost({ token: "not/a/token" })
      }),
      { wrapper }
    )
    await waitFor(() => expect(Object.values(result.current).every((query) => query.isError)).toBe(true))
    const { post, stats, invalid } = result.current
    expect(post.error).toBeInstanceOf(KenarError.NotFoundError)
    expect(post.error?._tag).toBe("NotFoundError")
    expect(post.error).toMatchObject({ operation: "getUserPost", httpStatus: 404, status: "NOT_FOUND" })
    expect(stats.error).toBeInstanceOf(KenarError.NotFoundError)
    expect(stats.error).toMatchObject({ operation: "getPostStats" })
    expect(invalid.error).toBeInstanceOf(KenarError.ValidationError)
    expect(invalid.error).toMatchObject({ _tag: "ValidationError", field: "token", rule: "url-safe" })
    // one request per query: TanStack does not retry on top of the SDK, nothing is sent for invalid input
    expect(h.requests("getUserPost")).toHaveLength(1)
    expect(h.requests("getPostStats")).toHaveLength(1)
  })

  it("wait for an input given as skipToken", async () => {
    const h = await setup()
    const wrapper = wrapperOf({ layer: h.layer, queryClient: makeQueryClient() })
    const { result, rerender } = renderHook(
      ({ token }: { token: string | undefined }) => useUserPost(token === undefined ? skipToken : { token }),
      { wrapper, initialProps: { token: undefined as string | undefined } }
    )
    await sleep(50)
    expect(result.current.fetchStatus).toBe("idle")
    expect(result.current.isPending).toBe(true)
    expect(h.requests("getUserPost")).toHaveLength(0)
    rerender({ token: h.published })
    await waitFor(() => expect(result.current.isSuccess).toBe(true))
    expect(h.requests("getUserPost")).toHaveLength(1)
  })

  it("apply TanStack options: select, enabled", async () => {
    const h = await setup()
    const wrapper = wrapperOf({ layer: h.layer, queryClient: makeQueryClient() })
    const { result } = renderHook(
      () => ({
        title: useUserPost({ token: h.published }, { select: (post) => post.general_data.title }),
        disabled: usePostStats({ post_token: h.published }, { enabled: false })
      }),
      { wrapper }
    )
    await waitFor(() => expect(result.current.title.isSuccess).toBe(true))
    expect(result.current.title.data).toBe(h.sim.post(h.published)!.general_data.title)
    expect(result.current.disabled.fetchStatus).toBe("idle")
    expect(h.requests("getPostStats")).toHaveLength(0)
  })
})

describe("retries and per-call options", () => {
  it("leave retries to the SDK's policy: TanStack does not retry on top", async () => {
    const h = await setup()
    const wrapper = wrapperOf({ layer: h.layer, queryClient: makeQueryClient() })
    h.sim.faults.inject({ kind: "status", status: 503, times: 1, operation: "getUserPost" })
    const { result } = renderHook(() => useUserPost({ token: h.published }), { wrapper })
    await waitFor(() => expect(result.current.isSuccess).toBe(true))
    expect(result.current.failureCount).toBe(0)
    expect(h.requests("getUserPost").map((entry) => entry.status)).toEqual([503, 200])

    h.sim.faults.inject({ kind: "status", status: 503, operation: "getPostStats" })
    const stats = renderHook(() => usePostStats({ post_token: h.published }), { wrapper })
    await waitFor(() => expect(stats.result.current.isError).toBe(true))
    expect(stats.result.current.error).toBeInstanceOf(KenarError.UnavailableError)
    expect(stats.result.current.error).toMatchObject({ attempt: 4 })
    // 1 attempt + the SDK's 3 retries; TanStack's default would have made it 16
    expect(h.requests("getPostStats")).toHaveLength(4)
  })

  it("pass `call` options to the SDK: retry, accessToken", async () => {
    const h = await setup({ withAccessToken: false })
    const wrapper = wrapperOf({ layer: h.layer, queryClient: makeQueryClient() })
    h.sim.faults.inject({ kind: "status", status: 503, operation: "getPostStats" })
    const { result } = renderHook(
      () => ({
        noRetry: usePostStats(
          { post_token: h.published },
          { call: { retry: false, accessToken: h.demo.accessToken } }
        ),
        withToken: useUserPost({ token: h.published }, { call: { accessToken: h.demo.accessToken } }),
        withoutToken: useCanUserSubmitPost()
      }),
      { wrapper }
    )
    await waitFor(() => expect(result.current.noRetry.isError).toBe(true))
    expect(result.current.noRetry.error?._tag).toBe("UnavailableError")
    expect(h.requests("getPostStats")).toHaveLength(1)
    await waitFor(() => expect(result.current.withToken.isSuccess).toBe(true))
    await waitFor(() => expect(result.current.withoutToken.isError).toBe(true))
    expect(result.current.withoutToken.error).toBeInstanceOf(KenarError.CredentialError)
    expect(h.requests("canUserSubmitPost")).toHaveLength(0)
  })
})

describe("cancellation", () => {
  it("unmounting aborts the request in flight", async () => {
    const aborted: Array<string> = []
    const h = await setup({
      transport: "in-process",
      spy: (request) =>
        request.signal.addEventListener("abort", () => aborted.push(new URL(request.url).pathname))
    })
    const queryClient = makeQueryClient()
    const wrapper = wrapperOf({ layer: h.layer, queryClient })
    h.sim.faults.inject({ kind: "latency", ms: 10_000, operation: "getUserPost" })
    const { unmount } = renderHook(() => useUserPost({ token: h.published }), { wrapper })
    await waitFor(() => expect(h.requests("getUserPost")).toHaveLength(1))
    const started = Date.now()
    unmount()
    await waitFor(() => expect(aborted).toEqual([`/v1/open-platform/user-post/${h.published}`]))
    expect(Date.now() - started).toBeLessThan(2_000)
    // the simulator is still "thinking": it never answered
    expect(h.requests("getUserPost")[0]!.status).toBeUndefined()
    const state = queryClient.getQueryState(kenarKeys.userPost(h.published))
    expect(state).toMatchObject({ status: "pending", fetchStatus: "idle", error: null })
  })

  it("queryClient.cancelQueries aborts the request over HTTP and reverts the query", async () => {
    const h = await setup()
    const queryClient = makeQueryClient()
    const wrapper = wrapperOf({ layer: h.layer, queryClient })
    const { result } = renderHook(() => useUserPost({ token: h.published }), { wrapper })
    await waitFor(() => expect(result.current.isSuccess).toBe(true))
    h.sim.faults.inject({ kind: "latency", ms: 10_000, operation: "getUserPost" })
    void queryClient.refetchQueries({ queryKey: kenarKeys.post(h.published) })
    await waitFor(() => expect(h.requests("getUserPost")).toHaveLength(2))
    const started = Date.now()
    await queryClient.cancelQueries({ queryKey: kenarKeys.post(h.published) })
    await waitFor(() => expect(result.current.fetchStatus).toBe("idle"))
    expect(Date.now() - started).toBeLessThan(2_000)
    // reverted to the data it had, no error
    expect(result.current.isSuccess).toBe(true)
    expect(result.current.error).toBeNull()
    expect(h.requests("getUserPost")[1]!.status).toBeUndefined()
  })
})

class Boundary extends Component<{ readonly children: ReactNode }, { error: unknown }> {
  override state = { error: undefined as unknown }
  static getDerivedStateFromError(error: unknown) {
    return { error }
  }
  override render() {
    const { error } = this.state
    return error === undefined
      ? this.props.children
      : el("p", null, `failed: ${(error as { _tag: string })._tag}`)
  }
}

const SuspensePost = ({ token }: { readonly token: string }) => {
  const post = useSuspenseUserPost({ token })
  const stats = useSuspensePostStats({ post_token: token })
  const canSubmit = useSuspenseCanUserSubmitPost()
  const urls = useSuspenseUploadUrls()
  const imageUrl = useSuspenseImageUploadUrl()
  return el(
    "ul",
    null,
    el("li", null, post.data.general_data.title),
    el("li", null, `views ${stats.data.views.total}`),
    el("li", null, `can submit ${canSubmit.data.can_submit}`),
    el("li", null, urls.data.image.http_method),
    el("li", null, imageUrl.data.upload_url.length > 0 ? "v1 url" : "none")
  )
}

describe("suspense hooks", () => {
  it("suspend until every read operation's data is there", async () => {
    const h = await setup()
    const Wrapper = wrapperOf({ layer: h.layer, queryClient: makeQueryClient() })
    render(
      el(
        Wrapper,
        null,
        el(Suspense, { fallback: el("p", null, "loading") }, el(SuspensePost, { token: h.published }))
      )
    )
    expect(screen.getByText("loading")).toBeTruthy()
    expect(await screen.findByText(h.sim.post(h.published)!.general_data.title)).toBeTruthy()
    expect(screen.getByText(/^views \d+$/)).toBeTruthy()
    expect(screen.getByText("can submit true")).toBeTruthy()
    expect(screen.getByText("POST")).toBeTruthy()
    expect(screen.getByText("v1 url")).toBeTruthy()
  })

  it("throw the typed error to the error boundary", async () => {
    const h = await setup()
    const Wrapper = wrapperOf({ layer: h.layer, queryClient: makeQueryClient() })
    const errors = vi.spyOn(console, "error").mockImplementation(() => {})
    render(
      el(
        Wrapper,
        null,
        el(
          Boundary,
          null,
          el(Suspense, { fallback: el("p", null, "loading") }, el(SuspensePost, { token: "Missing01" }))
        )
      )
    )
    expect(await screen.findByText("failed: NotFoundError")).toBeTruthy()
    expect(h.requests("getUserPost")).toHaveLength(1)
    errors.mockRestore()
  })
})

const useMutations = () => ({
  createBusinessCustomizedButton: useCreateBusinessCustomizedButton(),
  deleteBusinessCustomizedButton: useDeleteBusinessCustomizedButton(),
  setPostCustomizedButton: useSetPostCustomizedButton(),
  deletePostCustomizedButton: useDeletePostCustomizedButton(),
  editPost: useEditPost(),
  editPostV2: useEditPostV2(),
  submitPostV2: useSubmitPost(),
  submitUserPost: useSubmitUserPost(),
  deleteUserPost: useDeleteUserPost()
})

describe("mutation hooks", () => {
  /** Every watched query, by name. */
  const watched = (h: Awaited<ReturnType<typeof setup>>) => ({
    post: kenarKeys.userPost(h.published),
    stats: kenarKeys.postStats(h.published),
    otherPost: kenarKeys.userPost(h.waiting),
    otherStats: kenarKeys.postStats(h.waiting),
    canSubmit: kenarKeys.canUserSubmitPost(),
    business: [...kenarKeys.business(h.demo.business), "mine"],
    otherBusiness: [...kenarKeys.business("Other0001"), "mine"]
  })

  const cases: ReadonlyArray<{
    readonly name: MutationName
    readonly refetched: ReadonlyArray<keyof ReturnType<typeof watched>>
    readonly removed?: ReadonlyArray<keyof ReturnType<typeof watched>>
    readonly run: (
      h: Awaited<ReturnType<typeof setup>>,
      hooks: ReturnType<typeof useMutations>
    ) => Promise<unknown>
  }> = [
    {
      name: "createBusinessCustomizedButton",
      refetched: ["business"],
      run: (h, m) =>
        m.createBusinessCustomizedButton.mutateAsync({
          business_token: h.demo.business,
          customized_button: button
        })
    },
    {
      name: "deleteBusinessCustomizedButton",
      refetched: ["business"],
      run: (h, m) => m.deleteBusinessCustomizedButton.mutateAsync({ business_token: h.demo.business })
    },
    {
      name: "setPostCustomizedButton",
      refetched: ["post", "stats"],
      run: (h, m) =>
        m.setPostCustomizedButton.mutateAsync({ post_token: h.published, customized_button: button })
    },
    {
      name: "deletePostCustomizedButton",
      refetched: ["post", "stats"],
      run: (h, m) => m.deletePostCustomizedButton.mutateAsync({ post_token: h.published })
    },
    {
      name: "editPost",
      refetched: ["post"],
      run: (h, m) =>
        m.editPost.mutateAsync({ post_token: h.published, title: "عنوان تازه", description: "توضیح تازه" })
    },
    {
      name: "editPostV2",
      refetched: ["post"],
      run: (h, m) =>
        m.editPostV2.mutateAsync({
          post_token: h.published,
          ...PostEdit.make({ general_data: { title: "عنوان تازه" } })
        })
    },
    {
      name: "submitPostV2",
      refetched: ["canSubmit", "business"],
      run: (h, m) =>
        m.submitPostV2.mutateAsync({
          business_token: h.demo.business,
          general_data: generalData,
          category_fields: { size: 70, rooms: "دو" }
        })
    },
    {
      name: "submitUserPost",
      refetched: ["canSubmit", "business"],
      run: (h, m) =>
        m.submitUserPost.mutateAsync({
          business_token: h.demo.business,
          general_data: generalData,
          category_fields: { size: 70, rooms: "دو" }
        })
    },
    {
      name: "deleteUserPost",
      refetched: [],
      removed: ["post", "stats"],
      run: (h, m) => m.deleteUserPost.mutateAsync({ post_token: h.published })
    }
  ]

  it.each(cases)(
    "$name refreshes exactly the queries it changes",
    async ({ name, refetched, removed = [], run }) => {
      const h = await setup()
      const queryClient = makeQueryClient()
      const wrapper = wrapperOf({ layer: h.layer, queryClient })
      const keys = watched(h)
      const { result } = renderHook(
        () => {
          useUserPost({ token: h.published })
          usePostStats({ post_token: h.published })
          useUserPost({ token: h.waiting })
          usePostStats({ post_token: h.waiting })
          useCanUserSubmitPost()
          useQuery({ queryKey: keys.business, queryFn: () => Date.now() })
          useQuery({ queryKey: keys.otherBusiness, queryFn: () => Date.now() })
          return useMutations()
        },
        { wrapper }
      )
      await waitFor(() => expect(queryClient.isFetching()).toBe(0))
      const queries = Object.fromEntries(
        Object.entries(keys).map(([watch, queryKey]) => [
          watch,
          queryClient.getQueryCache().find({ queryKey, exact: true })!
        ])
      )
      for (const query of Object.values(queries)) expect(query.state.status).toBe("success")
      const before = Object.fromEntries(
        Object.entries(queries).map(([watch, query]) => [watch, query.state.dataUpdateCount])
      )

      await run(h, result.current)

      expect(h.requests(name)).toMatchObject([{ status: 200 }])
      for (const [watch, query] of Object.entries(queries)) {
        const inCache = queryClient.getQueryCache().getAll().includes(query)
        expect({ watch, removed: !inCache }).toEqual({ watch, removed: removed.includes(watch as never) })
        const count = query.state.dataUpdateCount - before[watch]!
        expect({ watch, refetched: count > 0 }).toEqual({
          watch,
          refetched: refetched.includes(watch as never)
        })
      }
    }
  )

  it("edits update the cached post at once and keep it when Kenar agrees", async () => {
    const h = await setup()
    const queryClient = makeQueryClient()
    const wrapper = wrapperOf({ layer: h.layer, queryClient })
    const { result } = renderHook(
      () => ({ post: useUserPost({ token: h.published }), edit: useEditPostV2() }),
      {
        wrapper
      }
    )
    await waitFor(() => expect(result.current.post.isSuccess).toBe(true))
    const original = result.current.post.data!
    h.sim.faults.inject({ kind: "latency", ms: 300, operation: "editPostV2", times: 1 })
    const done = result.current.edit.mutateAsync({
      post_token: h.published,
      ...PostEdit.make({
        general_data: { title: "عنوان خوش‌بینانه", district: PostEdit.clear },
        category_data: { price: 13_000_000_000 }
      })
    })
    await waitFor(() => expect(result.current.post.data?.general_data.title).toBe("عنوان خوش‌بینانه"))
    // the server has not answered yet: this is the optimistic value
    expect(h.sim.post(h.published)!.general_data.title).toBe(original.general_data.title)
    expect(result.current.post.data?.general_data.district).toBe("")
    expect(result.current.post.data?.general_data.city).toBe(original.general_data.city)
    expect(result.current.post.data?.category_data).toMatchObject({ price: 13_000_000_000, size: 85 })
    await done
    expect(h.sim.post(h.published)!.general_data.title).toBe("عنوان خوش‌بینانه")
    expect(result.current.post.data?.general_data.title).toBe("عنوان خوش‌بینانه")
    expect(h.requests("getUserPost")).toHaveLength(2)
  })

  it("edits roll the cached post back when Kenar refuses, without a refetch", async () => {
    const h = await setup()
    const queryClient = makeQueryClient()
    const wrapper = wrapperOf({ layer: h.layer, queryClient })
    const seen: Array<string | undefined> = []
    const { result } = renderHook(
      () => {
        const post = useUserPost({ token: h.published })
        seen.push(post.data?.general_data.title)
        return { post, edit: useEditPostV2(), editV1: useEditPost({ call: { retry: false } }) }
      },
      { wrapper }
    )
    await waitFor(() => expect(result.current.post.isSuccess).toBe(true))
    const original = result.current.post.data!
    h.sim.faults.inject([
      { kind: "latency", ms: 200, operation: "editPostV2", times: 1 },
      { kind: "status", status: 400, code: 9, message: "post expired", operation: "editPostV2", times: 1 }
    ])
    const error = await result.current.edit
      .mutateAsync({ post_token: h.published, ...PostEdit.make({ general_data: { title: "عنوان رد شده" } }) })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KenarError.FailedPreconditionError)
    await waitFor(() => expect(result.current.edit.isError).toBe(true))
    expect(result.current.edit.error?._tag).toBe("FailedPreconditionError")
    expect(seen).toContain("عنوان رد شده")
    expect(result.current.post.data).toEqual(original)
    expect(h.requests("getUserPost")).toHaveLength(1)

    // v1 too; a transport failure that may have reached Kenar refetches after the rollback
    h.sim.faults.inject({ kind: "reset-after", operation: "editPost", times: 1 })
    await result.current.editV1
      .mutateAsync({ post_token: h.published, title: "عنوان نسخه یک", description: "توضیح" })
      .catch(() => undefined)
    await waitFor(() => expect(result.current.editV1.isError).toBe(true))
    expect(result.current.editV1.error).toMatchObject({ _tag: "TransportError", mayHaveReachedServer: true })
    expect(seen).toContain("عنوان نسخه یک")
    // reset-after processed the edit: the refetch shows what Kenar has
    await waitFor(() => expect(h.requests("getUserPost")).toHaveLength(2))
    await waitFor(() => expect(result.current.post.data?.general_data.title).toBe("عنوان نسخه یک"))
  })

  it("run the caller's callbacks too, with the caller's onMutate result", async () => {
    const h = await setup()
    const queryClient = makeQueryClient()
    const wrapper = wrapperOf({ layer: h.layer, queryClient })
    const calls: Array<unknown> = []
    const { result } = renderHook(
      () => ({
        post: useUserPost({ token: h.published }),
        edit: useEditPostV2({
          onMutate: (input) => {
            calls.push([
              "onMutate",
              queryClient.getQueryData(kenarKeys.userPost(input.post_token))?.general_data.title
            ])
            return "mine" as const
          },
          onSuccess: (data, _input, onMutateResult, context) => {
            calls.push(["onSuccess", data, onMutateResult, context.client === queryClient])
          },
          onError: (error, _input, onMutateResult) => {
            calls.push(["onError", error._tag, onMutateResult])
          },
          onSettled: (_data, error) => {
            calls.push(["onSettled", error?._tag])
          }
        })
      }),
      { wrapper }
    )
    await waitFor(() => expect(result.current.post.isSuccess).toBe(true))
    await result.current.edit.mutateAsync({
      post_token: h.published,
      ...PostEdit.make({ general_data: { title: "عنوان یک" } })
    })
    await waitFor(() => expect(result.current.edit.context).toBe("mine"))
    await result.current.edit
      .mutateAsync({ post_token: "Missing01", ...PostEdit.make({ general_data: { title: "عنوان دو" } }) })
      .catch(() => undefined)
    expect(calls).toEqual([
      // the SDK's optimistic update runs first
      ["onMutate", "عنوان یک"],
      ["onSuccess", {}, "mine", true],
      ["onSettled", undefined],
      ["onMutate", undefined],
      ["onError", "NotFoundError", "mine"],
      ["onSettled", "NotFoundError"]
    ])
    // TanStack's own per-call callbacks still work
    const perCall = vi.fn()
    await result.current.edit.mutateAsync(
      { post_token: h.published, ...PostEdit.make({ general_data: { title: "عنوان سه" } }) },
      { onSuccess: perCall }
    )
    await waitFor(() => expect(perCall).toHaveBeenCalledOnce())
  })
})
