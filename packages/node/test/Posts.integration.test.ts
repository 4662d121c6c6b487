/**
 * Every Post operation through the SDK against the simulator over real HTTP
 * on 127.0.0.1: success, each error it can return, and validation (which
 * never reaches the simulator).
 */

import { KenarAuth, KenarClient, type KenarError, PostEdit, Posts } from "@kenar/core"
import { KenarSimulator, NodeSimulatorServer } from "@kenar/testing"
import { Effect, Exit, Layer } from "effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import * as NodeHttpClient from "../src/NodeHttpClient.js"

const transports: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["the undici transport (NodeHttpClient)", NodeHttpClient.layer],
  ["fetch (FetchHttpClient)", FetchHttpClient.layer]
]

const generalData = {
  category_slug: "apartment-sell",
  title: "آپارتمان ۷۰ متری",
  description: "نورگیر، بازسازی شده",
  images: [] as Array<string>,
  city: "tehran",
  location_type: "LOCATION_TYPE_EXACT",
  hide_phone: false,
  chat_enabled: true
} as const

const button = { type: "ONLINE_CALL", action: { open_direct_link: "https://example.com/call" } } as const

for (const [transportName, transport] of transports) {
  describe(`Post operations over ${transportName} against the simulator`, () => {
    let sim: KenarSimulator.KenarSimulator
    let server: NodeSimulatorServer.Server
    let demo: KenarSimulator.Demo
    const now = Date.parse("2026-11-27T10:00:00Z")

    beforeAll(async () => {
      sim = KenarSimulator.make({ now: () => now })
      demo = KenarSimulator.seedDemo(sim)
      server = await NodeSimulatorServer.listen(sim)
    })
    afterAll(() => server.close())
    beforeEach(() => {
      sim.faults.clear()
      sim.clearRequests()
    })

    const layerWith = (auth: KenarAuth.AuthOptions) =>
      KenarClient.layer({ baseUrl: server.url, retry: { baseDelay: 5, jitter: false } }).pipe(
        Layer.provide(KenarAuth.layer(auth)),
        Layer.provide(transport)
      )
    const run = <A, E>(effect: Effect.Effect<A, E, KenarClient.KenarClient>, auth?: KenarAuth.AuthOptions) =>
      Effect.runPromise(
        effect.pipe(Effect.provide(layerWith(auth ?? { apiKey: demo.apiKey, accessToken: demo.accessToken })))
      )
    const fail = async <A, E>(
      effect: Effect.Effect<A, E, KenarClient.KenarClient>,
      auth?: KenarAuth.AuthOptions
    ) => {
      const exit = await Effect.runPromiseExit(
        effect.pipe(Effect.provide(layerWith(auth ?? { apiKey: demo.apiKey, accessToken: demo.accessToken })))
      )
      if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
      const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
      if (reason?._tag !== "Fail") throw new Error(`expected a typed failure: ${String(exit.cause)}`)
      return reason.error as KenarError.KenarError
    }
    const published = () => demo.posts[0]!
    const tokenWith = (scopes: Array<string>) => sim.issueToken({ user: demo.user, scopes })
    const freshPost = (state?: "POST_STATE_PUBLISHED" | "POST_STATE_RETIRED") =>
      sim.addPost({
        owner: demo.user,
        business: demo.business,
        general_data: { ...generalData },
        ...(state ? { state } : {})
      })

    it("getUserPost: reads a post with its state, decoded from proto3 JSON", async () => {
      const post = await run(Posts.getUserPost({ token: published() }))
      expect(post.state).toBe("POST_STATE_PUBLISHED")
      expect(post.general_data.title).toBe("آپارتمان ۸۵ متری نوساز در شهرک غرب")
      expect(post.business_data?.business_type).toBe("REAL_ESTATE")
      expect(post.category_data).toMatchObject({ size: 85 })
      expect(await fail(Posts.getUserPost({ token: "NoSuchPost" }))).toMatchObject({
        _tag: "NotFoundError",
        code: 5
      })
    })

    it("getUserPost: unauthenticated (bad key, bad token) and missing scope", async () => {
      expect(
        await fail(Posts.getUserPost({ token: published() }), {
          apiKey: "wrong",
          accessToken: demo.accessToken
        })
      ).toMatchObject({
        _tag: "UnauthenticatedError",
        httpStatus: 401
      })
      expect(
        await fail(Posts.getUserPost({ token: published() }), { apiKey: demo.apiKey, accessToken: "expired" })
      ).toMatchObject({
        _tag: "UnauthenticatedError"
      })
      expect(
        await fail(Posts.getUserPost({ token: published() }), {
          apiKey: demo.apiKey,
          accessToken: tokenWith(["DELETE_USER_POST"])
        })
      ).toMatchObject({ _tag: "PermissionDeniedError", code: 7 })
    })

    it("another user's post is not found", async () => {
      const other = sim.addUser()
      const token = sim.issueToken({ user: other, scopes: ["USER_POSTS_GET"] })
      expect(
        await fail(Posts.getUserPost({ token: published() }), { apiKey: demo.apiKey, accessToken: token })
      ).toMatchObject({
        _tag: "NotFoundError"
      })
    })

    it("getPostStats: totals and the last days, zeros filled in", async () => {
      const stats = await run(Posts.getPostStats({ post_token: published() }))
      expect(stats.views.total).toBeGreaterThan(0)
      expect(stats.views.daily.length).toBeGreaterThan(0)
      const none = await run(Posts.getPostStats({ post_token: demo.posts[1]! }))
      expect(none.views.total).toBe(0)
      expect(none.chats.daily).toHaveLength(7)
      expect(none.chats.daily.every((day) => day.count === 0 && /^\d{4}-\d{2}-\d{2}$/.test(day.date))).toBe(
        true
      )
      expect(await fail(Posts.getPostStats({ post_token: "NoSuchPost" }))).toMatchObject({
        _tag: "NotFoundError"
      })
    })

    it("canUserSubmitPost: true, and `{}` decodes to false", async () => {
      expect(await run(Posts.canUserSubmitPost())).toEqual({ can_submit: true })
      sim.setCanSubmit(demo.user, false)
      expect(await run(Posts.canUserSubmitPost())).toEqual({ can_submit: false })
      sim.setCanSubmit(demo.user, true)
      expect(
        await fail(Posts.canUserSubmitPost(), {
          apiKey: demo.apiKey,
          accessToken: tokenWith(["USER_POSTS_GET"])
        })
      ).toMatchObject({ _tag: "PermissionDeniedError" })
    })

    it("submitPostV2 and submitUserPost create posts waiting for payment", async () => {
      const before = sim.posts().length
      const provider = await run(
        Posts.submitPostV2({
          business_token: demo.business,
          general_data: generalData,
          category_fields: { size: 70, rooms: "دو" }
        })
      )
      const user = await run(
        Posts.submitUserPost({
          business_token: demo.business,
          general_data: generalData,
          category_fields: { size: 70, rooms: "دو" }
        })
      )
      expect(sim.posts().length).toBe(before + 2)
      expect(sim.post(provider.post_token)?.state).toBe("POST_STATE_WAITING_FOR_PAYMENT")
      expect((await run(Posts.getUserPost({ token: user.post_token }))).state).toBe(
        "POST_STATE_WAITING_FOR_PAYMENT"
      )
    })

    it("submit: server-side validation (category fields) and unknown business", async () => {
      expect(
        await fail(
          Posts.submitPostV2({
            business_token: demo.business,
            general_data: generalData,
            category_fields: { rooms: "دو" }
          })
        )
      ).toMatchObject({ _tag: "InvalidArgumentError", code: 3 })
      expect(
        await fail(
          Posts.submitPostV2({
            business_token: "NoSuchBiz",
            general_data: generalData,
            category_fields: { size: 1, rooms: "دو" }
          })
        )
      ).toMatchObject({ _tag: "NotFoundError" })
    })

    it("editPost (v1): edits title and description; expired posts fail the precondition", async () => {
      const token = freshPost()
      await run(Posts.editPost({ post_token: token, title: "عنوان تازه", description: "توضیح تازه" }), {
        apiKey: demo.apiKey,
        accessToken: tokenWith([`POST_EDIT.${token}`])
      })
      expect(sim.post(token)?.general_data.title).toBe("عنوان تازه")
      const retired = freshPost("POST_STATE_RETIRED")
      const precondition = await fail(
        Posts.editPost({ post_token: retired, title: "عنوان تازه", description: "توضیح" }),
        { apiKey: demo.apiKey, accessToken: tokenWith([`POST_EDIT.${retired}`]) }
      )
      expect(precondition).toMatchObject({ _tag: "FailedPreconditionError", code: 9 })
      expect(
        await fail(Posts.editPost({ post_token: token, title: "عنوان", description: "توضیح" }), {
          apiKey: demo.apiKey,
          accessToken: tokenWith(["POST_EDIT.SomeOther"])
        })
      ).toMatchObject({ _tag: "PermissionDeniedError" })
    })

    it("editPostV2: changes what the mask names, clears on purpose", async () => {
      const token = freshPost()
      await run(
        Posts.editPostV2({
          post_token: token,
          ...PostEdit.make({
            general_data: { title: "ویرایش شده", district: PostEdit.clear },
            category_data: { size: 75 }
          })
        })
      )
      const post = await run(Posts.getUserPost({ token }))
      expect(post.general_data.title).toBe("ویرایش شده")
      expect(post.general_data.district).toBe("")
      expect(post.category_data).toMatchObject({ size: 75 })
      expect(post.general_data.description).toBe(generalData.description)
      expect(
        await fail(
          Posts.editPostV2({ post_token: "NoSuchPost", ...PostEdit.make({ general_data: { title: "x" } }) })
        )
      ).toMatchObject({
        _tag: "NotFoundError"
      })
    })

    it("set, replace and delete a post's customized button", async () => {
      const token = freshPost()
      await run(Posts.setPostCustomizedButton({ post_token: token, customized_button: button }))
      await run(
        Posts.setPostCustomizedButton({
          post_token: token,
          customized_button: {
            type: "EXTERNAL_PRODUCT_STORE",
            action: { open_post_page: { post_token: token } }
          }
        })
      )
      expect(sim.post(token)?.customized_button?.type).toBe("EXTERNAL_PRODUCT_STORE")
      await run(Posts.deletePostCustomizedButton({ post_token: token }))
      expect(sim.post(token)?.customized_button).toBeUndefined()
      expect(await fail(Posts.deletePostCustomizedButton({ post_token: "NoSuchPost" }))).toMatchObject({
        _tag: "NotFoundError"
      })
    })

    it("create and delete a business's customized button; a second create already exists", async () => {
      await run(Posts.deleteBusinessCustomizedButton({ business_token: demo.business })).catch(
        () => undefined
      )
      await run(
        Posts.createBusinessCustomizedButton({ business_token: demo.business, customized_button: button })
      )
      expect(sim.business(demo.business)?.customized_button?.type).toBe("ONLINE_CALL")
      expect(
        await fail(
          Posts.createBusinessCustomizedButton({ business_token: demo.business, customized_button: button })
        )
      ).toMatchObject({ _tag: "AlreadyExistsError", code: 6 })
      await run(Posts.deleteBusinessCustomizedButton({ business_token: demo.business }))
      expect(sim.business(demo.business)?.customized_button).toBeUndefined()
      expect(await fail(Posts.deleteBusinessCustomizedButton({ business_token: "NoSuchBiz" }))).toMatchObject(
        {
          _tag: "NotFoundError"
        }
      )
    })

    it("deleteUserPost: deletes, then the post is gone", async () => {
      const token = freshPost()
      await run(Posts.deleteUserPost({ post_token: token }))
      expect(sim.post(token)?.state).toBe("POST_STATE_DELETED")
      expect(await fail(Posts.getUserPost({ token }))).toMatchObject({ _tag: "NotFoundError" })
      expect(await fail(Posts.deleteUserPost({ post_token: token }))).toMatchObject({ _tag: "NotFoundError" })
    })

    it("getUploadUrls and the deprecated getImageUploadUrl point at the simulator", async () => {
      const urls = await run(Posts.getUploadUrls(), { apiKey: demo.apiKey })
      expect(urls.image).toEqual({ url: expect.stringContaining(server.url), http_method: "POST" })
      expect(urls.video.http_method).toBe("PUT")
      const v1 = await run(Posts.getImageUploadUrl(), { apiKey: demo.apiKey })
      expect(v1.upload_url.startsWith(server.url)).toBe(true)
      expect(await fail(Posts.getUploadUrls(), { apiKey: "wrong" })).toMatchObject({
        _tag: "UnauthenticatedError"
      })
    })

    it("validation errors never reach the simulator", async () => {
      expect(await fail(Posts.getUserPost({ token: "../x" }))).toMatchObject({
        _tag: "ValidationError",
        field: "token"
      })
      expect(
        await fail(Posts.editPost({ post_token: published(), title: "ab", description: "توضیح" }))
      ).toMatchObject({
        _tag: "ValidationError",
        rule: "length"
      })
      expect(sim.requests()).toHaveLength(0)
    })

    it("a rate-limited call (per minute) is retried; the daily quota is not", async () => {
      sim.faults.inject({
        kind: "status",
        status: 429,
        code: 8,
        message: "rate limit exceeded: 600 requests per minute",
        times: 1
      })
      await run(Posts.getUserPost({ token: published() }))
      expect(sim.requests()).toHaveLength(2)
      sim.clearRequests()
      sim.faults.inject({ kind: "status", status: 429, code: 8, message: "daily quota exceeded", times: 1 })
      expect(await fail(Posts.getUserPost({ token: published() }))).toMatchObject({
        _tag: "RateLimitedError",
        limit: "daily"
      })
      expect(sim.requests()).toHaveLength(1)
    })

    it("a submit whose connection was reset after processing is not retried: exactly one post", async () => {
      const before = sim.posts().length
      sim.faults.inject({ kind: "reset-after", times: 1, operation: "submitPostV2" })
      const error = await fail(
        Posts.submitPostV2({
          business_token: demo.business,
          general_data: generalData,
          category_fields: { size: 70, rooms: "دو" }
        })
      )
      expect(error).toMatchObject({ _tag: "TransportError", mayHaveReachedServer: true })
      expect(sim.posts().length).toBe(before + 1)
      expect(sim.requests().filter((r) => r.operation === "submitPostV2")).toHaveLength(1)
    })

    it("a GET whose connection was reset is retried and succeeds", async () => {
      sim.faults.inject({ kind: "reset-before", times: 1, operation: "getUserPost" })
      await run(Posts.getUserPost({ token: published() }))
      expect(sim.requests().filter((r) => r.operation === "getUserPost")).toHaveLength(2)
    })

    it("an HTML 502 page is retried for reads and typed when it persists", async () => {
      sim.faults.inject({ kind: "html", status: 502 })
      const error = await fail(Posts.getPostStats({ post_token: published() }))
      expect(error).toMatchObject({
        _tag: "UnavailableError",
        httpStatus: 502,
        statusBody: false,
        attempt: 4
      })
    })

    it("a truncated body is retried for reads", async () => {
      sim.faults.inject({ kind: "truncated", times: 1, operation: "getPostStats" })
      const stats = await run(Posts.getPostStats({ post_token: published() }))
      expect(stats.views.total).toBeGreaterThan(0)
      expect(sim.requests().filter((r) => r.operation === "getPostStats")).toHaveLength(2)
    })
  })
}
