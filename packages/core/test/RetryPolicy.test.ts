import { Effect, Exit, Fiber } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { describe, expect, it } from "vitest"
import type { KenarClient, KenarConfig } from "../src/index.js"
import { Posts } from "../src/index.js"
import { clientLayer, type Script, scripted } from "./utils/scripted.js"

const unavailable: Script = { status: 503, body: { code: 14, message: "try later" } }
const ok: Script = { status: 200, body: { can_submit: true } }
const minute: Script = {
  status: 429,
  body: { code: 8, message: "rate limit exceeded: 60 requests per minute" }
}
const daily: Script = { status: 429, body: { code: 8, message: "daily quota exceeded" } }
const submitBody = {
  business_token: "biz_1",
  category_fields: {},
  general_data: {
    category_slug: "light",
    title: "چراغ مطالعه",
    description: "توضیح",
    images: [],
    city: "tehran",
    location_type: "LOCATION_TYPE_EXACT",
    hide_phone: false,
    chat_enabled: true
  }
} as const

/** Runs `effect` against the script under the TestClock, advancing time until it ends. */
const run = <A, E>(
  script: ReadonlyArray<Script>,
  effect: Effect.Effect<A, E, KenarClient.KenarClient>,
  options?: KenarConfig.ClientOptions
) => {
  const transport = scripted(script)
  return Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(effect)
    yield* TestClock.adjust("10 minutes")
    const exit = yield* Fiber.await(fiber)
    return { exit, requests: transport.requests }
  }).pipe(
    Effect.provide(clientLayer(transport.layer, options)),
    Effect.provide(TestClock.layer()),
    Effect.runPromise
  )
}

const delays = (requests: ReadonlyArray<{ at: number }>) =>
  requests.slice(1).map((r, i) => r.at - requests[i]!.at)

describe("RetryPolicy", () => {
  it("retries UNAVAILABLE with exponential delays, then succeeds", async () => {
    const { exit, requests } = await run(
      [unavailable, unavailable, unavailable, ok],
      Posts.canUserSubmitPost()
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(requests).toHaveLength(4)
    expect(delays(requests)).toEqual([250, 500, 1000])
  })

  it("gives up after maxRetries and reports the last error with its attempt", async () => {
    const { exit, requests } = await run([unavailable], Posts.canUserSubmitPost())
    expect(requests).toHaveLength(4)
    expect(exit).toMatchObject({ _tag: "Failure" })
    const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
    expect(error).toMatchObject({ error: { _tag: "UnavailableError", attempt: 4, code: 14 } })
  })

  it("caps each delay at maxDelay and stops at maxElapsed", async () => {
    const { requests } = await run([unavailable], Posts.canUserSubmitPost(), {
      retry: { maxRetries: 10, baseDelay: 1000, maxDelay: 3000, maxElapsed: 10_000, jitter: false }
    })
    expect(delays(requests)).toEqual([1000, 2000, 3000, 3000])
  })

  it("honours Retry-After (seconds) on a 429", async () => {
    const { exit, requests } = await run(
      [{ ...minute, headers: { "retry-after": "3" } }, ok],
      Posts.canUserSubmitPost()
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(delays(requests)).toEqual([3000])
  })

  it("does not retry a daily-quota 429", async () => {
    const { exit, requests } = await run([daily, ok], Posts.canUserSubmitPost())
    expect(requests).toHaveLength(1)
    expect(Exit.isFailure(exit) && exit.cause.reasons[0]).toMatchObject({
      error: { _tag: "RateLimitedError", limit: "daily" }
    })
  })

  it("does not retry errors that will not change (NOT_FOUND, INVALID_ARGUMENT, INTERNAL)", async () => {
    for (const body of [
      { code: 5, message: "no such post" },
      { code: 3, message: "bad" },
      { code: 13, message: "boom" }
    ]) {
      const { requests } = await run([{ status: 400, body }, ok], Posts.getUserPost({ token: "AaEB0vbO" }))
      expect(requests).toHaveLength(1)
    }
  })

  it("retries an HTML 502 page and transport failures for idempotent operations", async () => {
    const { exit, requests } = await run(
      [
        { status: 502, body: "<html>Bad Gateway</html>", headers: { "content-type": "text/html" } },
        { fail: { code: "ECONNRESET" } },
        ok
      ],
      Posts.canUserSubmitPost()
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(requests).toHaveLength(3)
  })

  it("retries a submit only when it provably did not reach Kenar, or got a 429", async () => {
    const created: Script = { status: 200, body: { post_token: "AaEB0vbO" } }
    const refused = await run(
      [{ fail: { code: "ECONNREFUSED" } }, minute, created],
      Posts.submitPostV2(submitBody)
    )
    expect(Exit.isSuccess(refused.exit)).toBe(true)
    expect(refused.requests).toHaveLength(3)

    for (const first of [
      { fail: { code: "ECONNRESET" } },
      unavailable,
      { status: 502, body: "<html></html>", headers: { "content-type": "text/html" } },
      { status: 200, body: '{"post_tok' }
    ] satisfies ReadonlyArray<Script>) {
      const { exit, requests } = await run([first, created], Posts.submitPostV2(submitBody))
      expect(requests).toHaveLength(1)
      expect(Exit.isFailure(exit)).toBe(true)
    }
  })

  it("times out each attempt and retries a GET after a timeout", async () => {
    const { exit, requests } = await run([{ hang: true }, ok], Posts.canUserSubmitPost(), {
      timeout: "2 seconds"
    })
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(requests).toHaveLength(2)
    expect(delays(requests)).toEqual([2000 + 250])
  })

  it("never retries a submit after a timeout (it may have been processed)", async () => {
    const { exit, requests } = await run([{ hang: true }], Posts.submitUserPost(submitBody), {
      timeout: 1000
    })
    expect(requests).toHaveLength(1)
    expect(Exit.isFailure(exit) && exit.cause.reasons[0]).toMatchObject({
      error: { _tag: "TransportError", reason: "Timeout", mayHaveReachedServer: true }
    })
  })

  it("can be turned off per client and per call, and tuned per call", async () => {
    const off = await run([unavailable, ok], Posts.canUserSubmitPost(), { retry: false })
    expect(off.requests).toHaveLength(1)
    const perCall = await run([unavailable, ok], Posts.canUserSubmitPost(undefined, { retry: false }))
    expect(perCall.requests).toHaveLength(1)
    const tuned = await run([unavailable], Posts.canUserSubmitPost(undefined, { retry: { maxRetries: 1 } }))
    expect(tuned.requests).toHaveLength(2)
    const perCallOn = await run(
      [unavailable, ok],
      Posts.canUserSubmitPost(undefined, { retry: { maxRetries: 2 } }),
      {
        retry: false
      }
    )
    expect(perCallOn.requests).toHaveLength(2)
  })

  it("treats ALREADY_EXISTS on a retry of createBusinessCustomizedButton as success", async () => {
    const input = {
      business_token: "biz_1",
      customized_button: { type: "ONLINE_CALL", action: { open_direct_link: "https://example.com/call" } }
    } as const
    const { exit, requests } = await run(
      [{ fail: { code: "ECONNRESET" } }, { status: 409, body: { code: 6, message: "exists" } }],
      Posts.createBusinessCustomizedButton(input)
    )
    expect(requests).toHaveLength(2)
    expect(exit).toMatchObject({ _tag: "Success", value: {} })
    // after an attempt that provably never reached Kenar, ALREADY_EXISTS is a real error too
    const refused = await run(
      [{ fail: { code: "ECONNREFUSED" } }, { status: 409, body: { code: 6, message: "exists" } }],
      Posts.createBusinessCustomizedButton(input)
    )
    expect(refused.requests).toHaveLength(2)
    expect(Exit.isFailure(refused.exit) && refused.exit.cause.reasons[0]).toMatchObject({
      error: { _tag: "AlreadyExistsError", attempt: 2 }
    })
    // on the first attempt, ALREADY_EXISTS is a real error
    const first = await run(
      [{ status: 409, body: { code: 6, message: "exists" } }],
      Posts.createBusinessCustomizedButton(input)
    )
    expect(Exit.isFailure(first.exit) && first.exit.cause.reasons[0]).toMatchObject({
      error: { _tag: "AlreadyExistsError" }
    })
  })

  it("treats NOT_FOUND on a retry of deleteUserPost as success once an attempt may have deleted the post", async () => {
    const lost = await run(
      [{ fail: { code: "ECONNRESET" } }, { status: 404, body: { code: 5, message: "post not found" } }],
      Posts.deleteUserPost({ post_token: "AaEB0vbO" })
    )
    expect(lost.requests).toHaveLength(2)
    expect(lost.exit).toMatchObject({ _tag: "Success", value: {} })
    const never = await run(
      [{ fail: { code: "ECONNREFUSED" } }, { status: 404, body: { code: 5, message: "post not found" } }],
      Posts.deleteUserPost({ post_token: "AaEB0vbO" })
    )
    expect(Exit.isFailure(never.exit) && never.exit.cause.reasons[0]).toMatchObject({
      error: { _tag: "NotFoundError" }
    })
    const first = await run(
      [{ status: 404, body: { code: 5, message: "post not found" } }],
      Posts.deleteUserPost({ post_token: "AaEB0vbO" })
    )
    expect(Exit.isFailure(first.exit) && first.exit.cause.reasons[0]).toMatchObject({
      error: { _tag: "NotFoundError" }
    })
  })
})
