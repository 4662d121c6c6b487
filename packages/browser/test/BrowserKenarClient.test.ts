/**
 * The browser client in real Chromium, through `NodeKenarProxy`, against the
 * Kenar simulator: every kind of call, typed errors across the proxy, the
 * API key guard, tokens kept in the browser, redirects.
 */
import { gzipSync } from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as BrowserKenarClient from "../src/BrowserKenarClient.js"
import { bundle, type Harness, startHarness } from "./utils/harness.js"

let harness: Harness

beforeAll(async () => {
  harness = await startHarness()
}, 60_000)

afterAll(async () => {
  await harness?.close()
})

describe("BrowserKenarClient in Chromium, through the proxy", () => {
  it("makes calls of every kind with the Promise client; the browser sends no secret", async () => {
    const { sim, demo } = harness
    const tab = await harness.open()
    sim.clearRequests()
    const seenBefore = harness.seen.length
    const post = demo.posts[0]!
    const result = await tab.evaluate(async (post) => {
      const { BrowserKenarClient } = window.kenar
      const kenar = BrowserKenarClient.makePromise()
      try {
        const read = await kenar.getUserPost({ token: post })
        const stats = await kenar.getPostStats({ post_token: post })
        const canSubmit = await kenar.canUserSubmitPost()
        const urls = await kenar.getUploadUrls()
        await kenar.editPostV2({
          post_token: post,
          update_mask: ["general_data.title"],
          general_data: { title: "ویرایش از مرورگر" }
        })
        await kenar.setPostCustomizedButton({
          post_token: post,
          customized_button: {
            type: "ONLINE_CALL",
            action: { open_server_link: { data: { from: "browser" } } }
          }
        })
        await kenar.deletePostCustomizedButton({ post_token: post })
        const after = await kenar.getUserPost({ token: post })
        return {
          title: read.general_data.title,
          views: stats.views.total,
          canSubmit: canSubmit.can_submit,
          imageMethod: urls.image.http_method,
          titleAfter: after.general_data.title
        }
      } finally {
        await kenar.dispose()
      }
    }, post)
    expect(result).toEqual({
      title: "آپارتمان ۸۵ متری نوساز در شهرک غرب",
      views: expect.any(Number),
      canSubmit: true,
      imageMethod: "POST",
      titleAfter: "ویرایش از مرورگر"
    })
    expect(result.views).toBeGreaterThan(0)
    expect(
      sim.requests().map((entry) => [entry.operation, entry.status, entry.apiKey, entry.accessToken])
    ).toEqual([
      ["getUserPost", 200, true, true],
      ["getPostStats", 200, true, true],
      ["canUserSubmitPost", 200, true, true],
      ["getUploadUrls", 200, true, false],
      ["editPostV2", 200, true, true],
      ["setPostCustomizedButton", 200, true, true],
      ["deletePostCustomizedButton", 200, true, true],
      ["getUserPost", 200, true, true]
    ])
    const fromBrowser = harness.seen
      .slice(seenBefore)
      .filter((request) => request.path.startsWith("/api/kenar/"))
    expect(fromBrowser).toHaveLength(8)
    for (const request of fromBrowser) {
      expect(request.headers["x-api-key"]).toBeUndefined()
      expect(request.headers.authorization).toBeUndefined()
      expect(request.headers.cookie).toMatch(/sid=/)
      expect(request.headers["user-agent"]).toMatch(/HeadlessChrome/)
      expect(request.headers["sec-fetch-site"]).toBe("same-origin")
    }
    await tab.context().close()
  })

  it("runs the Effect API with BrowserKenarClient.layer()", async () => {
    const tab = await harness.open()
    const title = await tab.evaluate(async (post) => {
      const { BrowserKenarClient, Effect, Posts } = window.kenar
      return Effect.runPromise(
        Posts.getUserPost({ token: post }).pipe(
          Effect.map((result) => result.general_data.title),
          Effect.provide(BrowserKenarClient.layer())
        )
      )
    }, harness.demo.posts[1]!)
    expect(title).toBe(harness.sim.post(harness.demo.posts[1]!)!.general_data.title)
    await tab.context().close()
  })

  it("gets Kenar's NOT_FOUND across the proxy as a typed NotFoundError with code 5", async () => {
    const tab = await harness.open()
    harness.sim.clearRequests()
    const error = await tab.evaluate(async () => {
      const { BrowserKenarClient, KenarError } = window.kenar
      const kenar = BrowserKenarClient.makePromise({ retry: false })
      try {
        await kenar.getUserPost({ token: "NoSuchPost1" })
        return undefined
      } catch (error) {
        const e = error as InstanceType<typeof KenarError.NotFoundError>
        return {
          tag: e._tag,
          code: e.code,
          status: e.status,
          httpStatus: e.httpStatus,
          operation: e.operation,
          statusBody: e.statusBody,
          instance: e instanceof KenarError.NotFoundError,
          kenarError: KenarError.isKenarError(e)
        }
      } finally {
        await kenar.dispose()
      }
    })
    expect(error).toEqual({
      tag: "NotFoundError",
      code: 5,
      status: "NOT_FOUND",
      httpStatus: 404,
      operation: "getUserPost",
      statusBody: true,
      instance: true,
      kenarError: true
    })
    expect(harness.sim.requests()).toEqual([
      expect.objectContaining({ operation: "getUserPost", status: 404 })
    ])
    await tab.context().close()
  })

  it("fails without a session as UnauthenticatedError, and invalid input before any request", async () => {
    const tab = await harness.open("/?anonymous")
    harness.sim.clearRequests()
    const seenBefore = harness.seen.length
    const errors = await tab.evaluate(async (post) => {
      const { BrowserKenarClient } = window.kenar
      const kenar = BrowserKenarClient.makePromise()
      const tagOf = (promise: Promise<unknown>) =>
        promise.then(
          () => "ok",
          (error: { _tag: string; code?: number; field?: string }) => [error._tag, error.code ?? error.field]
        )
      try {
        return {
          anonymous: await tagOf(kenar.getUserPost({ token: post })),
          invalid: await tagOf(kenar.getUserPost({ token: "../../__simulator/state" }))
        }
      } finally {
        await kenar.dispose()
      }
    }, harness.demo.posts[0]!)
    expect(errors).toEqual({ anonymous: ["UnauthenticatedError", 16], invalid: ["ValidationError", "token"] })
    expect(harness.sim.requests()).toEqual([])
    expect(harness.seen.slice(seenBefore).map((request) => request.path)).toEqual([
      `/api/kenar/v1/open-platform/user-post/${harness.demo.posts[0]}`
    ])
    await tab.context().close()
  })

  it("sends the session cookie as `credentials` says (default same-origin; omit sends none)", async () => {
    const tab = await harness.open()
    const seenBefore = harness.seen.length
    const outcomes = await tab.evaluate(async (post) => {
      const { BrowserKenarClient } = window.kenar
      const run = async (options: { credentials?: RequestCredentials }) => {
        const kenar = BrowserKenarClient.makePromise({ ...options, retry: false })
        try {
          await kenar.getUserPost({ token: post })
          return "ok"
        } catch (error) {
          return (error as { _tag: string })._tag
        } finally {
          await kenar.dispose()
        }
      }
      return [await run({}), await run({ credentials: "omit" })]
    }, harness.demo.posts[0]!)
    expect(outcomes).toEqual(["ok", "UnauthenticatedError"])
    const cookies = harness.seen
      .slice(seenBefore)
      .filter((request) => request.path.startsWith("/api/kenar/"))
      .map((request) => request.headers.cookie !== undefined)
    expect(cookies).toEqual([true, false])
    await tab.context().close()
  })

  it("does not follow a redirect: the call fails with httpStatus 0 and the target is never asked", async () => {
    const tab = await harness.open()
    const seenBefore = harness.seen.length
    const error = await tab.evaluate(async (post) => {
      const { BrowserKenarClient } = window.kenar
      const kenar = BrowserKenarClient.makePromise({ baseUrl: "/redirect", retry: false })
      try {
        await kenar.getUserPost({ token: post })
        return undefined
      } catch (error) {
        const e = error as { _tag: string; httpStatus: number }
        return { tag: e._tag, httpStatus: e.httpStatus }
      } finally {
        await kenar.dispose()
      }
    }, harness.demo.posts[0]!)
    expect(error).toEqual({ tag: "UnknownError", httpStatus: 0 })
    expect(harness.seen.slice(seenBefore).map((request) => request.path)).toEqual([
      `/redirect/v1/open-platform/user-post/${harness.demo.posts[0]}`
    ])
    await tab.context().close()
  })
})

describe("BrowserKenarClient: tokens kept in the browser", () => {
  it("sends its own bearer token to a proxy that forwards client tokens", async () => {
    const tab = await harness.open("/?anonymous")
    harness.sim.clearRequests()
    const title = await tab.evaluate(
      async ({ post, token }) => {
        const { BrowserKenarClient } = window.kenar
        const kenar = BrowserKenarClient.makePromise({ baseUrl: "/token-proxy", accessToken: token })
        try {
          return (await kenar.getUserPost({ token: post })).general_data.title
        } finally {
          await kenar.dispose()
        }
      },
      { post: harness.demo.posts[0]!, token: harness.demo.accessToken }
    )
    expect(title).toBe(harness.sim.post(harness.demo.posts[0]!)!.general_data.title)
    expect(harness.sim.requests()).toEqual([
      expect.objectContaining({ apiKey: true, accessToken: true, status: 200 })
    ])
    await tab.context().close()
  })

  it("reloads a refreshing token once when Kenar rejects it, shared by concurrent calls", async () => {
    const tab = await harness.open("/?anonymous")
    harness.sim.clearRequests()
    const result = await tab.evaluate(
      async ({ posts, token }) => {
        const { BrowserKenarClient } = window.kenar
        let loads = 0
        const accessToken = BrowserKenarClient.refreshingToken(async () => {
          loads++
          await new Promise((resolve) => setTimeout(resolve, 20))
          return loads === 1
            ? "sim_at_revoked-or-expired"
            : { accessToken: token, expiresAt: Date.now() + 3_600_000 }
        })
        const kenar = BrowserKenarClient.makePromise({ baseUrl: "/token-proxy", accessToken, retry: false })
        try {
          const titles = await Promise.all(posts.map((post) => kenar.getUserPost({ token: post })))
          const again = await kenar.getUserPost({ token: posts[0]! })
          return { loads, titles: titles.length, again: again.general_data.title.length > 0 }
        } finally {
          await kenar.dispose()
        }
      },
      { posts: harness.demo.posts.slice(0, 3), token: harness.demo.accessToken }
    )
    expect(result).toEqual({ loads: 2, titles: 3, again: true })
    const statuses = harness.sim.requests().map((entry) => entry.status)
    expect(statuses.filter((status) => status === 401)).toHaveLength(3)
    expect(statuses.filter((status) => status === 200)).toHaveLength(4)
    await tab.context().close()
  })
})

describe("BrowserKenarClient: the API key guard", () => {
  it("refuses an API key in a browser with a TypeError at construction, unless loudly allowed", async () => {
    const tab = await harness.open()
    const seenBefore = harness.seen.length
    const outcome = await tab.evaluate(async () => {
      const { BrowserKenarClient } = window.kenar
      const attempt = (build: () => unknown) => {
        try {
          build()
          return "built"
        } catch (error) {
          const e = error as TypeError & { _tag?: string }
          return {
            name: e.name,
            tag: e._tag,
            typeError: e instanceof TypeError,
            guard: e instanceof BrowserKenarClient.ApiKeyInBrowserError,
            leaks: e.message.includes("key-4c1d") || String(e.stack).includes("key-4c1d"),
            mentionsProxy: e.message.includes("NodeKenarProxy")
          }
        }
      }
      const promise = attempt(() => BrowserKenarClient.makePromise({ apiKey: "key-4c1d" }))
      const layer = attempt(() => BrowserKenarClient.layer({ apiKey: "key-4c1d", baseUrl: "/api/kenar" }))
      const empty = attempt(() => BrowserKenarClient.makePromise({ apiKey: "" }))
      // Loudly allowed: it is sent (here to the proxy, which drops it and uses its own).
      const allowed = BrowserKenarClient.makePromise({
        apiKey: "key-4c1d",
        dangerouslyAllowApiKeyInBrowser: true,
        baseUrl: "/api/kenar"
      })
      const urls = await allowed.getUploadUrls()
      await allowed.dispose()
      return {
        promise,
        layer,
        empty,
        isBrowser: BrowserKenarClient.isBrowser(),
        allowed: urls.image.http_method
      }
    })
    const refused = {
      name: "ApiKeyInBrowserError",
      tag: "ApiKeyInBrowserError",
      typeError: true,
      guard: true,
      leaks: false,
      mentionsProxy: true
    }
    expect(outcome).toEqual({
      promise: refused,
      layer: refused,
      empty: refused,
      isBrowser: true,
      allowed: "POST"
    })
    const sent = harness.seen.slice(seenBefore).filter((request) => request.path.startsWith("/api/kenar/"))
    expect(sent.map((request) => request.headers["x-api-key"])).toEqual(["key-4c1d"])
    await tab.context().close()
  })

  it("does not guard outside a browser (Node), where a relative base URL cannot be resolved", () => {
    expect(BrowserKenarClient.isBrowser()).toBe(false)
    expect(() => BrowserKenarClient.layer({ apiKey: "k", baseUrl: "https://kenar.example" })).not.toThrow()
    expect(() => BrowserKenarClient.layer()).toThrow(/relative/)
  })
})

describe("@kenar/browser bundle", () => {
  it("bundles for browsers without Node built-ins, small enough", async () => {
    const code = await bundle("minimal.ts", { minify: true })
    const gzipped = gzipSync(code).length
    expect(code).not.toMatch(/require\(["']node:|from ?["']node:/)
    // the server side of effect/http stays out (it comes in through the `effect/http` barrel)
    expect(code).not.toContain("HttpServerRequest")
    expect(gzipped).toBeLessThan(80 * 1024)
  })

  it("BrowserUploads.makePromise (uploads for KenarProvider) leaves core's Uploads module out", async () => {
    const code = await bundle("reactUploads.ts", { minify: true })
    const minimal = gzipSync(await bundle("minimal.ts", { minify: true })).length
    const gzipped = gzipSync(code).length
    // a string of core's Uploads module (`isUploadSource`), there as soon as the module is
    expect(code).not.toContain("@kenar/core/Uploads/UploadSource")
    expect(gzipped - minimal).toBeLessThan(4 * 1024)
    console.log(
      `[bundle] minimal Promise client ${(minimal / 1024).toFixed(1)} KB gzipped; layer + BrowserUploads.makePromise ${(gzipped / 1024).toFixed(1)} KB`
    )
  })
})
