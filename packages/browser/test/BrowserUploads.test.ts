/**
 * Blob/File uploads in real Chromium, through the proxy's upload routes, to
 * the Kenar simulator's upload URLs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Harness, startHarness } from "./utils/harness.js"

let harness: Harness

beforeAll(async () => {
  harness = await startHarness()
}, 60_000)

afterAll(async () => {
  await harness?.close()
})

describe("BrowserUploads in Chromium", () => {
  it("uploads a Blob through the proxy with progress, and the path works in an edit", async () => {
    const { sim, demo } = harness
    const tab = await harness.open()
    sim.clearRequests()
    const size = 12 * 1024 * 1024
    const result = await tab.evaluate(
      async ({ size, post }) => {
        const { BrowserKenarClient } = window.kenar
        const bytes = new Uint8Array(size).fill(0x42)
        bytes.set([0xff, 0xd8, 0xff, 0xe0])
        const file = new File([bytes], "photo.jpg", { type: "image/jpeg" })
        const progress: Array<{ loaded: number; total: number; attempt: number }> = []
        const kenar = BrowserKenarClient.makePromise()
        try {
          const photo = await kenar.uploadImage(file, { onProgress: (event) => progress.push(event) })
          await kenar.editPostV2({
            post_token: post,
            update_mask: ["general_data.images"],
            general_data: { images: [photo.path] }
          })
          return { photo, progress }
        } finally {
          await kenar.dispose()
        }
      },
      { size, post: demo.posts[0]! }
    )
    expect(result.photo.path).toMatch(/\.jpg$/)
    expect(result.photo.photo_url).toContain(result.photo.path)
    const stored = sim.uploads().images.find((image) => image.path === result.photo.path)
    expect(stored).toMatchObject({ bytes: size, contentType: "image/jpeg" })
    expect(sim.post(demo.posts[0]!)!.general_data.images).toEqual([result.photo.path])
    // progress: starts at 0, never goes back, ends with every byte handed over
    const loaded = result.progress.map((event) => event.loaded)
    expect(loaded[0]).toBe(0)
    expect(loaded.at(-1)).toBe(size)
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b))
    expect(result.progress.every((event) => event.total === size && event.attempt === 1)).toBe(true)
    expect(sim.requests().map((entry) => [entry.operation, entry.apiKey, entry.accessToken])).toEqual([
      ["getUploadUrls", true, false],
      ["uploadImage", true, false],
      ["editPostV2", true, true]
    ])
    const sent = harness.seen.filter((request) => request.path === "/api/kenar/uploads/image").at(-1)!
    expect(sent.method).toBe("POST")
    expect(sent.headers["content-type"]).toBe("image/jpeg")
    expect(sent.headers["content-length"]).toBe(String(size))
    expect(sent.headers["x-api-key"]).toBeUndefined()
    expect(sent.headers.authorization).toBeUndefined()
    await tab.context().close()
  })

  it("uploads a video with the Effect API", async () => {
    const tab = await harness.open()
    const video = await tab.evaluate(async () => {
      const { BrowserKenarClient, BrowserUploads, Effect } = window.kenar
      const bytes = new Uint8Array(64 * 1024)
      bytes.set([0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d])
      return Effect.runPromise(
        BrowserUploads.uploadVideo(new Blob([bytes], { type: "video/mp4" })).pipe(
          Effect.provide(BrowserKenarClient.layer())
        )
      )
    })
    expect(harness.sim.uploads().videos.find((item) => item.name === video.video_name)?.bytes).toBe(64 * 1024)
    expect(video.thumbnail_name).not.toBe("")
    await tab.context().close()
  })

  it("refuses an empty file or a type Kenar does not take before sending anything", async () => {
    const tab = await harness.open()
    const seenBefore = harness.seen.length
    const errors = await tab.evaluate(async () => {
      const { BrowserKenarClient } = window.kenar
      const kenar = BrowserKenarClient.makePromise()
      const outcome = (promise: Promise<unknown>) =>
        promise.then(
          () => "ok",
          (error: { _tag: string; field: string; rule: string }) => [error._tag, error.field, error.rule]
        )
      try {
        return [
          await outcome(
            kenar.uploadImage(new Blob([new Uint8Array([0x47, 0x49, 0x46])], { type: "image/gif" }))
          ),
          await outcome(kenar.uploadImage(new Blob([], { type: "image/png" }))),
          await outcome(kenar.uploadVideo(new Blob([new Uint8Array(8)], { type: "video/quicktime" })))
        ]
      } finally {
        await kenar.dispose()
      }
    })
    expect(errors).toEqual([
      ["ValidationError", "contentType", "one-of"],
      ["ValidationError", "file", "non-empty"],
      ["ValidationError", "contentType", "one-of"]
    ])
    expect(harness.seen.slice(seenBefore).filter((request) => request.path.startsWith("/api/"))).toEqual([])
    await tab.context().close()
  })

  it("gets the proxy's size limit as a typed InvalidArgumentError (413)", async () => {
    const tab = await harness.open()
    const before = harness.sim.uploads().images.length
    const error = await tab.evaluate(async () => {
      const { BrowserKenarClient } = window.kenar
      const bytes = new Uint8Array(25 * 1024 * 1024)
      bytes.set([0xff, 0xd8, 0xff])
      const kenar = BrowserKenarClient.makePromise()
      try {
        await kenar.uploadImage(new Blob([bytes], { type: "image/jpeg" }))
        return undefined
      } catch (error) {
        const e = error as { _tag: string; code: number; httpStatus: number; operation: string }
        return { tag: e._tag, code: e.code, httpStatus: e.httpStatus, operation: e.operation }
      } finally {
        await kenar.dispose()
      }
    })
    expect(error).toEqual({ tag: "InvalidArgumentError", code: 3, httpStatus: 413, operation: "uploadImage" })
    expect(harness.sim.uploads().images.length).toBe(before)
    await tab.context().close()
  })

  it("aborts an upload with an AbortSignal", async () => {
    const tab = await harness.open()
    const outcome = await tab.evaluate(async () => {
      const { BrowserKenarClient } = window.kenar
      const bytes = new Uint8Array(20 * 1024 * 1024)
      bytes.set([0xff, 0xd8, 0xff])
      const kenar = BrowserKenarClient.makePromise()
      const controller = new AbortController()
      try {
        const upload = kenar.uploadImage(new Blob([bytes], { type: "image/jpeg" }), {
          signal: controller.signal,
          onProgress: () => controller.abort()
        })
        await upload
        return "uploaded"
      } catch (error) {
        return (error as { _tag: string })._tag
      } finally {
        await kenar.dispose()
      }
    })
    expect(outcome).toBe("AbortedError")
  })
})

describe("BrowserUploads.makePromise in Chromium: core's PromiseUploads over the proxy (for @kenar/react)", () => {
  it("uploads a File with core's progress, bytes without a media type, and answers like core's uploads", async () => {
    const { sim, demo } = harness
    const tab = await harness.open()
    sim.clearRequests()
    const size = 3 * 1024 * 1024
    const result = await tab.evaluate(
      async ({ size, post }) => {
        const { BrowserKenarClient, BrowserUploads } = window.kenar
        const jpeg = new Uint8Array(size).fill(0x42)
        jpeg.set([0xff, 0xd8, 0xff, 0xe0])
        const mp4 = new Uint8Array(64 * 1024)
        mp4.set([0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d])
        const layer = BrowserKenarClient.layer()
        const uploads = BrowserUploads.makePromise(layer)
        const progress: Array<{ sent: number; total: number | undefined; attempt: number }> = []
        try {
          const photo = await uploads.uploadImage(new File([jpeg], "photo.jpg", { type: "image/jpeg" }), {
            onProgress: (event) => progress.push(event)
          })
          // bytes, and a Blob without a type: recognised from their first bytes
          const video = await uploads.uploadVideo(mp4)
          const untyped = await uploads.uploadImage(new Blob([jpeg.subarray(0, 1024)]))
          // the default: the proxy at /api/kenar on this page's origin
          const byDefault = BrowserUploads.makePromise()
          const again = await byDefault.uploadImage(
            new Blob([jpeg.subarray(0, 2048)], { type: "image/JPEG" })
          )
          await byDefault.dispose()
          const kenar = BrowserKenarClient.makePromise()
          await kenar.editPostV2({
            post_token: post,
            update_mask: ["general_data.images"],
            general_data: { images: [photo.path, again.path] }
          })
          await kenar.dispose()
          return { photo, video, untyped, again, progress }
        } finally {
          await uploads.dispose()
        }
      },
      { size, post: demo.posts[1]! }
    )
    expect(result.photo).toMatchObject({ kind: "image", contentType: "image/jpeg", size })
    expect(result.photo.path).toMatch(/\.jpg$/)
    expect(result.photo.photo_url).toContain(result.photo.path)
    expect(result.video).toMatchObject({ kind: "video", contentType: "video/mp4", size: 64 * 1024 })
    expect(result.video.video_name).not.toBe("")
    expect(result.video.thumbnail_name).not.toBe("")
    expect(result.untyped).toMatchObject({ kind: "image", contentType: "image/jpeg", size: 1024 })
    expect(result.again).toMatchObject({ kind: "image", contentType: "image/jpeg", size: 2048 })
    // core's progress: { sent, total, attempt }, from 0 to every byte, never backwards
    const sent = result.progress.map((event) => event.sent)
    expect(sent[0]).toBe(0)
    expect(sent.at(-1)).toBe(size)
    expect([...sent].sort((a, b) => a - b)).toEqual(sent)
    expect(result.progress.every((event) => event.total === size && event.attempt === 1)).toBe(true)
    expect(sim.uploads().images.find((image) => image.path === result.photo.path)).toMatchObject({
      bytes: size,
      contentType: "image/jpeg"
    })
    expect(sim.uploads().videos.find((video) => video.name === result.video.video_name)?.bytes).toBe(
      64 * 1024
    )
    expect(sim.post(demo.posts[1]!)!.general_data.images).toEqual([result.photo.path, result.again.path])
    // through the proxy: the browser sent no key and no token with the bytes
    const uploadsSent = harness.seen.filter((request) => request.path.startsWith("/api/kenar/uploads/"))
    expect(uploadsSent.every((request) => request.headers["x-api-key"] === undefined)).toBe(true)
    expect(uploadsSent.every((request) => request.headers.authorization === undefined)).toBe(true)
    await tab.context().close()
  })

  it("uploadMany checks every item before sending any, then uploads each by its kind", async () => {
    const tab = await harness.open()
    const uploadsBefore = () =>
      harness.seen.filter((request) => request.path.startsWith("/api/kenar/uploads/"))
    const before = uploadsBefore().length
    const result = await tab.evaluate(async () => {
      const { BrowserKenarClient, BrowserUploads } = window.kenar
      const png = new Uint8Array(4096)
      png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
      const mp4 = new Uint8Array(8192)
      mp4.set([0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d])
      const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61])
      const uploads = BrowserUploads.makePromise(BrowserKenarClient.layer())
      const outcome = (promise: Promise<unknown>) =>
        promise.then(
          () => "ok",
          (error: { _tag?: string; name: string; field?: string; rule?: string }) =>
            error._tag === undefined ? [error.name] : [error._tag, error.field, error.rule]
        )
      try {
        const refusedBatch = await outcome(
          uploads.uploadMany([{ input: new Blob([png], { type: "image/png" }) }, { input: gif }])
        )
        const progress: Array<number> = []
        const batch = await uploads.uploadMany(
          [
            {
              input: new Blob([png], { type: "image/png" }),
              onProgress: (event) => progress.push(event.sent)
            },
            { input: mp4 },
            { input: png, kind: "image" }
          ],
          { concurrency: 2 }
        )
        return {
          refusedBatch,
          kinds: batch.map((one) => [one.kind, one.contentType, one.size]),
          progress,
          stream: await outcome(uploads.uploadImage(new Blob([png]).stream())),
          badConcurrency: await outcome(uploads.uploadMany([{ input: png }], { concurrency: 0 })),
          v1: await outcome(uploads.uploadImageV1(png))
        }
      } finally {
        await uploads.dispose()
      }
    })
    expect(result.refusedBatch).toEqual(["ValidationError", "items[1].contentType", "one-of"])
    expect(result.kinds).toEqual([
      ["image", "image/png", 4096],
      ["video", "video/mp4", 8192],
      ["image", "image/png", 4096]
    ])
    expect(result.progress.at(-1)).toBe(4096)
    expect(result.stream).toEqual(["ValidationError", "input", "type"])
    expect(result.badConcurrency).toEqual(["ValidationError", "concurrency", "positive"])
    expect(result.v1).toEqual(["TypeError"])
    // the refused batch, the stream and the bad concurrency sent nothing: only the good batch's three
    expect(uploadsBefore().length - before).toBe(3)
    await tab.context().close()
  })

  it("rejects with AbortedError when the signal fires, or has fired already", async () => {
    const tab = await harness.open()
    const outcome = await tab.evaluate(async () => {
      const { BrowserKenarClient, BrowserUploads } = window.kenar
      const bytes = new Uint8Array(20 * 1024 * 1024)
      bytes.set([0xff, 0xd8, 0xff])
      const uploads = BrowserUploads.makePromise(BrowserKenarClient.layer())
      const tagOf = (promise: Promise<unknown>) =>
        promise.then(
          () => "uploaded",
          (error: { _tag: string }) => error._tag
        )
      try {
        const controller = new AbortController()
        const during = await tagOf(
          uploads.uploadImage(new Blob([bytes], { type: "image/jpeg" }), {
            signal: controller.signal,
            onProgress: (progress) => {
              if (progress.sent > 0) controller.abort()
            }
          })
        )
        const before = await tagOf(uploads.uploadVideo(bytes, { signal: AbortSignal.abort() }))
        return { during, before }
      } finally {
        await uploads.dispose()
      }
    })
    expect(outcome).toEqual({ during: "AbortedError", before: "AbortedError" })
  })
})
