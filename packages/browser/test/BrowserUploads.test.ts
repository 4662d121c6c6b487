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
