/**
 * The client-side rate limiter: pacing (under the TestClock, over a scripted
 * transport), local 429s, the daily-quota hold, store failures, and no retry
 * storm after a daily-quota 429 across many concurrent calls (against the
 * simulator, in-process). The cross-process limit over Redis is tested in
 * `@kenar/node` (NodeRedis.test.ts).
 */
import { Clock, Effect, Exit, Fiber, Layer } from "effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as TestClock from "effect/testing/TestClock"
import { describe, expect, it } from "vitest"
import { KenarSimulator } from "../../testing/src/index.js"
import {
  KenarAuth,
  KenarClient,
  type KenarConfig,
  type KenarError,
  KenarRateLimit,
  Posts
} from "../src/index.js"
import { clientLayer, type Script, scripted } from "./utils/scripted.js"

const ok: Script = { status: 200, body: { can_submit: true } }
const daily: Script = {
  status: 429,
  body: { code: 8, message: "daily quota exceeded: 1000 requests per day" }
}

/** Runs `effect` under the TestClock, over a scripted transport with the given limiter. */
const run = <A, E>(
  script: ReadonlyArray<Script>,
  gate: Layer.Layer<KenarRateLimit.RequestGate>,
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
    Effect.provide(clientLayer(transport.layer, options).pipe(Layer.provide(gate))),
    Effect.provide(TestClock.layer()),
    Effect.runPromise
  )
}

/** Most timestamps in any half-open window of `width` ms. */
const maxInWindow = (times: ReadonlyArray<number>, width: number): number => {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let start = 0
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= width) start++
    best = Math.max(best, end - start + 1)
  }
  return best
}

const failure = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason?._tag !== "Fail") throw new Error(`expected a typed failure: ${String(exit.cause)}`)
  return reason.error as KenarError.KenarError
}

describe("KenarRateLimit.resolve", () => {
  it("derives the pacing: (window + margin) / (limit - burst) between slots", () => {
    const resolved = KenarRateLimit.resolve({ limit: 600 })
    expect(resolved).toMatchObject({
      limit: 600,
      windowMillis: 60_000,
      burst: 30,
      marginMillis: 1200,
      key: "kenar"
    })
    expect(resolved.refillMillis).toBeCloseTo(61_200 / 570)
    expect(KenarRateLimit.resolve({ limit: 1, window: "1 second", margin: 0 })).toMatchObject({
      burst: 1,
      refillMillis: 1000
    })
    expect(KenarRateLimit.resolve({ limit: 2 }).burst).toBe(1)
  })

  it("throws a TypeError naming a bad option", () => {
    expect(() => KenarRateLimit.layer({ limit: 0 })).toThrow(/limit/)
    expect(() => KenarRateLimit.layer({ limit: 1.5 })).toThrow(/limit/)
    expect(() => KenarRateLimit.layer({ limit: 10, burst: 10 })).toThrow(/burst/)
    expect(() => KenarRateLimit.layer({ limit: 10, window: "soon" as never })).toThrow(/window/)
    expect(() => KenarRateLimit.layer({ limit: 10, key: "" })).toThrow(/key/)
  })
})

describe("KenarRateLimit: pacing (TestClock)", () => {
  it("never lets more than `limit` attempts start in any window, and keeps (limit - burst) per window + margin", async () => {
    const gate = KenarRateLimit.layer({
      limit: 10,
      window: "1 second",
      burst: 2,
      margin: 0,
      maxWait: "1 minute"
    })
    const { exit, requests } = await run(
      [ok],
      gate,
      Effect.forEach(
        Array.from({ length: 50 }, () => Posts.canUserSubmitPost()),
        (call) => call,
        { concurrency: 50 }
      ),
      { timeout: "2 minutes" }
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    const times = requests.map((r) => r.at)
    const peak = maxInWindow(times, 1000)
    const span = Math.max(...times) - Math.min(...times)
    console.log(
      `[rate limit, memory store, TestClock] 50 calls, limit 10/1000 ms, burst 2: max ${peak} requests in any 1000 ms window, all sent within ${span} ms`
    )
    expect(requests).toHaveLength(50)
    expect(peak).toBeLessThanOrEqual(10)
    // 2 at once, then one every 125 ms
    expect(span).toBe(48 * 125)
  })

  it("counts every attempt: retries take slots too", async () => {
    const unavailable: Script = { status: 503, body: { code: 14, message: "later" } }
    const gate = KenarRateLimit.layer({
      limit: 2,
      window: "1 second",
      burst: 1,
      margin: 0,
      maxWait: "1 minute"
    })
    const { exit, requests } = await run(
      [unavailable, unavailable, ok],
      gate,
      Posts.canUserSubmitPost(undefined, { retry: { baseDelay: 1, jitter: false } }),
      { timeout: "1 minute" }
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(requests.map((r) => r.at)).toEqual([0, 1000, 2000])
  })

  it("an attempt that would wait past maxWait is not sent: a local, retryable RateLimitedError", async () => {
    const gate = KenarRateLimit.layer({
      limit: 2,
      window: "10 seconds",
      burst: 1,
      margin: 0,
      maxWait: "1 second"
    })
    const { exit, requests } = await run(
      [ok],
      gate,
      Effect.all(
        [
          Posts.canUserSubmitPost(undefined, { retry: false }),
          Posts.canUserSubmitPost(undefined, { retry: false })
        ],
        {
          concurrency: 2
        }
      )
    )
    const error = failure(exit)
    expect(requests).toHaveLength(1)
    expect(error).toMatchObject({ _tag: "RateLimitedError", limit: "minute", httpStatus: 429, code: 8 })
    expect((error as KenarError.RateLimitedError).details[0]?.["@type"]).toBe(
      KenarRateLimit.LOCAL_DETAIL_TYPE
    )
    expect((error as KenarError.RateLimitedError).retryAfterMillis).toBe(10_000)
  })

  it("the retry policy waits out a local 429 (Retry-After) and sends when a slot is free, submits included", async () => {
    const submitted: Script = { status: 200, body: { post_token: "AaEB0vbO" } }
    const gate = KenarRateLimit.layer({
      limit: 2,
      window: "10 seconds",
      burst: 1,
      margin: 0,
      maxWait: "1 second"
    })
    const submit = Posts.submitPostV2({
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
    })
    const { exit, requests } = await run(
      [submitted],
      gate,
      Effect.all([submit, submit], { concurrency: 2 }),
      { retry: { maxRetries: 3, baseDelay: 10, maxElapsed: "1 minute", jitter: false } }
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(requests.map((r) => r.at)).toEqual([0, 10_000])
  })
})

describe("KenarRateLimit: the daily quota", () => {
  it("holds the client after a daily-quota 429: calls fail locally, then one probe lifts the hold", async () => {
    // Kenar answers the daily-quota 429 at once, later calls after 1 s (so a probe is under way a while)
    const sent: Array<number> = []
    const transport = HttpClient.make((request) =>
      Effect.gen(function* () {
        sent.push(yield* Clock.currentTimeMillis)
        if (sent.length > 1) yield* Effect.sleep("1 second")
        const answer = sent.length === 1 ? daily : ok
        return HttpClientResponse.fromWeb(
          request,
          new Response(JSON.stringify((answer as { body: object }).body), { status: answer.status as number })
        )
      })
    )
    const gate = KenarRateLimit.layer({ limit: 1000, dailyQuotaHold: "15 minutes", maxWait: "1 second" })
    const result = await Effect.gen(function* () {
      const first = yield* Effect.exit(Posts.canUserSubmitPost())
      const held = yield* Effect.forEach(
        Array.from({ length: 20 }, () => 0),
        () => Effect.exit(Posts.canUserSubmitPost())
      )
      const sentWhileHeld = sent.length
      yield* TestClock.adjust("15 minutes")
      // one probe goes out; calls that start while it is under way fail locally
      const fiber = yield* Effect.forkChild(
        Effect.all(
          Array.from({ length: 5 }, () => Effect.exit(Posts.canUserSubmitPost())),
          { concurrency: 5 }
        )
      )
      yield* TestClock.adjust("2 seconds")
      const after = yield* Fiber.join(fiber)
      const sentAfterProbe = sent.length
      const laterFiber = yield* Effect.forkChild(Effect.exit(Posts.canUserSubmitPost()))
      yield* TestClock.adjust("2 seconds")
      const later = yield* Fiber.join(laterFiber)
      return { first, held, sentWhileHeld, after, sentAfterProbe, later }
    }).pipe(
      Effect.provide(
        clientLayer(Layer.succeed(HttpClient.HttpClient, transport), { timeout: "1 minute" }).pipe(
          Layer.provide(gate)
        )
      ),
      Effect.provide(TestClock.layer()),
      Effect.runPromise
    )
    expect(failure(result.first)).toMatchObject({ _tag: "RateLimitedError", limit: "daily", attempt: 1 })
    expect(result.sentWhileHeld).toBe(1)
    for (const exit of result.held) {
      const error = failure(exit) as KenarError.RateLimitedError
      expect(error).toMatchObject({ _tag: "RateLimitedError", limit: "daily" })
      expect(error.details[0]?.["@type"]).toBe(KenarRateLimit.LOCAL_DETAIL_TYPE)
    }
    expect(result.after.filter(Exit.isSuccess)).toHaveLength(1)
    for (const exit of result.after.filter(Exit.isFailure)) {
      expect(failure(exit)).toMatchObject({ _tag: "RateLimitedError", limit: "daily" })
    }
    expect(result.sentAfterProbe).toBe(2)
    expect(Exit.isSuccess(result.later)).toBe(true)
    expect(sent).toHaveLength(3)
  })

  it("no retry storm across many concurrent calls (simulator, in-process): one request per call without the hold, at most one per concurrent call with it", async () => {
    const figures: Array<string> = []
    for (const hold of [false, "15 minutes"] as const) {
      const sim = KenarSimulator.make({ rateLimit: { perMinute: 0, perDay: 5 } })
      const apiKey = sim.addApp()
      const base = KenarClient.layer({
        baseUrl: "http://kenar.test",
        retry: { baseDelay: 1, maxRetries: 5 }
      }).pipe(Layer.provide(KenarAuth.layer({ apiKey })), Layer.provide(KenarSimulator.layer(sim)))
      const layer = base.pipe(Layer.provide(KenarRateLimit.layer({ limit: 100_000, dailyQuotaHold: hold })))
      const calls = 300
      const concurrency = 25
      const exits = await Effect.runPromise(
        Effect.forEach(
          Array.from({ length: calls + 5 }, () => Effect.exit(Posts.getUploadUrls())),
          (call) => call,
          { concurrency }
        ).pipe(Effect.provide(layer))
      )
      const requests = sim.requests()
      const limited = requests.filter((r) => r.status === 429).length
      const errors = exits.filter(Exit.isFailure).map(failure)
      expect(exits.filter(Exit.isSuccess)).toHaveLength(5)
      expect(errors).toHaveLength(calls)
      for (const error of errors)
        expect(error).toMatchObject({ _tag: "RateLimitedError", limit: "daily", attempt: 1 })
      if (hold === false) {
        expect(limited).toBe(calls) // exactly one request per call: never retried
      } else {
        expect(limited).toBeGreaterThanOrEqual(1)
        expect(limited).toBeLessThanOrEqual(concurrency) // the calls already under way, then none
      }
      figures.push(
        `hold ${hold === false ? "off" : hold}: ${calls} calls over the quota (concurrency ${concurrency}), ${limited} daily-quota 429s from the simulator, ${calls - limited} failed locally`
      )
    }
    console.log(`[rate limit, daily quota] ${figures.join("; ")}`)
  })
})

describe("KenarRateLimit: store failures", () => {
  const brokenStore = Layer.succeed(RateLimiter.RateLimiterStore, {
    fixedWindow: () => Effect.fail(storeError()),
    tokenBucket: () => Effect.fail(storeError()),
    adaptiveConsume: () => Effect.fail(storeError()),
    adaptiveFeedback: () => Effect.fail(storeError())
  })
  function storeError() {
    return new RateLimiter.RateLimiterError({
      reason: new RateLimiter.RateLimitStoreError({ message: "connection refused" })
    })
  }

  it("sends without a slot when the store fails (default), or fails locally with onStoreError: deny", async () => {
    const allow = await run(
      [ok],
      KenarRateLimit.layerWithStore({ limit: 10 }).pipe(Layer.provide(brokenStore)),
      Posts.canUserSubmitPost(undefined, { retry: false })
    )
    expect(Exit.isSuccess(allow.exit)).toBe(true)
    expect(allow.requests).toHaveLength(1)
    const deny = await run(
      [ok],
      KenarRateLimit.layerWithStore({ limit: 10, onStoreError: "deny" }).pipe(Layer.provide(brokenStore)),
      Posts.canUserSubmitPost(undefined, { retry: false })
    )
    expect(failure(deny.exit)).toMatchObject({ _tag: "RateLimitedError", limit: "minute" })
    expect(deny.requests).toHaveLength(0)
  })
})
