// @vitest-environment jsdom
import { KenarError, Uploads } from "@kenar/core"
import { act, renderHook, waitFor } from "@testing-library/react"
import { describe, expect, it } from "vitest"
import { kenarKeys, useUploadImage, useUploadUrls, useUploadVideo } from "../src/index.js"
import { jpeg, makeQueryClient, mp4, setup, wrapperOf } from "./utils.js"

describe("upload hooks", () => {
  it("upload an image with progress state", async () => {
    const h = await setup()
    const wrapper = wrapperOf({ layer: h.layer, queryClient: makeQueryClient() })
    const seen: Array<Uploads.Progress | undefined> = []
    const { result } = renderHook(
      () => {
        const upload = useUploadImage()
        seen.push(upload.progress)
        return upload
      },
      { wrapper }
    )
    expect(result.current.progress).toBeUndefined()
    expect(result.current.isIdle).toBe(true)
    const size = 300_000
    act(() => result.current.mutate(jpeg(size)))
    await waitFor(() => expect(result.current.isSuccess).toBe(true))
    expect(result.current.data).toMatchObject({ kind: "image", contentType: "image/jpeg", size })
    expect(h.sim.uploads().images.map((image) => image.path)).toContain(result.current.data!.path)
    expect(result.current.progress).toEqual({ sent: size, total: size, attempt: 1 })
    const sent = seen.flatMap((progress) => (progress === undefined ? [] : [progress.sent]))
    expect(sent[0]).toBe(0)
    // several renders in between, never going backwards
    expect(new Set(sent).size).toBeGreaterThan(2)
    expect([...sent].sort((a, b) => a - b)).toEqual(sent)
    act(() => result.current.reset())
    await waitFor(() => expect(result.current.progress).toBeUndefined())
    expect(result.current.isIdle).toBe(true)
  })

  it("upload a video, with per-upload options and the caller's callbacks", async () => {
    const h = await setup()
    const queryClient = makeQueryClient()
    const wrapper = wrapperOf({ layer: h.layer, queryClient })
    const calls: Array<unknown> = []
    const { result } = renderHook(
      () => ({
        urls: useUploadUrls(),
        upload: useUploadVideo({
          upload: { bodyMode: "whole" },
          onProgress: (progress) => calls.push(["progress", progress.sent]),
          onSuccess: (data) => calls.push(["success", data.kind])
        })
      }),
      { wrapper }
    )
    await waitFor(() => expect(result.current.urls.isSuccess).toBe(true))
    h.sim.clearRequests()
    const bytes = mp4(4_096)
    const video = await act(() =>
      result.current.upload.mutateAsync({
        input: bytes,
        contentType: "video/mp4",
        urls: result.current.urls.data!
      })
    )
    expect(video).toMatchObject({ kind: "video", contentType: "video/mp4", size: 4_096 })
    expect(h.sim.uploads().videos.map((v) => v.name)).toContain(video.video_name)
    // the URLs passed in were used: no getUploadUrls call for this upload
    expect(h.requests().map((entry) => entry.operation)).toEqual(["uploadVideo"])
    expect(calls).toContainEqual(["progress", 4_096])
    expect(calls.at(-1)).toEqual(["success", "video"])
    expect(result.current.upload.progress?.sent).toBe(4_096)
  })

  it("fail with typed errors", async () => {
    const h = await setup()
    const wrapper = wrapperOf({ layer: h.layer, queryClient: makeQueryClient() })
    const { result } = renderHook(() => ({ image: useUploadImage(), video: useUploadVideo() }), { wrapper })
    act(() => result.current.image.mutate(new Uint8Array(0)))
    await waitFor(() => expect(result.current.image.isError).toBe(true))
    expect(result.current.image.error).toBeInstanceOf(Uploads.UploadError)
    expect(result.current.image.error).toMatchObject({ _tag: "UploadError", reason: "EmptyInput" })
    act(() => result.current.video.mutate(jpeg()))
    await waitFor(() => expect(result.current.video.isError).toBe(true))
    expect(result.current.video.error).toMatchObject({ _tag: "UploadError", reason: "TypeMismatch" })
    // nothing was sent
    expect(h.requests()).toEqual([])
  })

  it("cancel() aborts the upload in flight", async () => {
    const aborted: Array<string> = []
    const h = await setup({
      transport: "in-process",
      spy: (request) =>
        request.signal.addEventListener("abort", () => aborted.push(new URL(request.url).pathname))
    })
    const wrapper = wrapperOf({ layer: h.layer, queryClient: makeQueryClient() })
    h.sim.faults.inject({ kind: "latency", ms: 10_000, operation: "uploadImage" })
    const { result } = renderHook(() => useUploadImage(), { wrapper })
    act(() => result.current.mutate(jpeg(1_000)))
    await waitFor(() => expect(h.requests("uploadImage")).toHaveLength(1))
    expect(result.current.isPending).toBe(true)
    const started = Date.now()
    act(() => result.current.cancel())
    await waitFor(() => expect(result.current.isError).toBe(true))
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(result.current.error).toBeInstanceOf(KenarError.AbortedError)
    expect(aborted).toHaveLength(1)
  })

  it("useUploadUrls leaves the cache as soon as nothing uses it", async () => {
    const h = await setup()
    const queryClient = makeQueryClient()
    const wrapper = wrapperOf({ layer: h.layer, queryClient })
    const { result, unmount } = renderHook(() => useUploadUrls(), { wrapper })
    await waitFor(() => expect(result.current.isSuccess).toBe(true))
    expect(queryClient.getQueryState(kenarKeys.uploadUrls())?.isInvalidated).toBe(false)
    unmount()
    await waitFor(() => expect(queryClient.getQueryData(kenarKeys.uploadUrls())).toBeUndefined())
  })
})
