/**
 * Client-side rate limiting: keeps an app under Kenar's per-minute limit,
 * in one process (in-memory store) or across processes and hosts sharing a
 * store (Effect's `RateLimiter` with its Redis store; `NodeRedis` in
 * `@kenar/node` provides the `Redis` it needs). Off unless you provide it:
 *
 * ```ts
 * import { Layer } from "effect"
 * import { KenarRateLimit } from "@kenar/core"
 * import { NodeKenarClient, NodeRedis } from "@kenar/node"
 *
 * // one process
 * const KenarLive = NodeKenarClient.layer().pipe(Layer.provide(KenarRateLimit.layer({ limit: 600 })))
 *
 * // every process using the same Redis and key shares the limit
 * const Shared = NodeKenarClient.layer().pipe(
 *   Layer.provide(KenarRateLimit.layerWithStore({ limit: 600, key: "kenar:my-app" })),
 *   Layer.provide(NodeRedis.layerRateLimiterStore({ url: process.env.REDIS_URL }))
 * )
 * ```
 *
 * How it works:
 *
 * - Every attempt of every call (retries and the resend after a token
 *   refresh included; upload bytes excepted, Kenar does not count them) takes
 *   a slot first. Slots come from a token bucket of `burst` slots refilled
 *   evenly, one every `(window + margin) / (limit - burst)`: so in ANY
 *   stretch of `window + margin` at most `limit` attempts start, which keeps
 *   under a sliding window as well as a fixed one, with `margin` to absorb
 *   network delay between here and Kenar. Sustained throughput is
 *   `(limit - burst) / (window + margin)` (93% of the limit with the defaults).
 * - An attempt waits for its slot, up to `maxWait`. Waiting happens inside
 *   the attempt's timeout, so `maxWait` stays below it (default: a quarter of
 *   the client's timeout, at most 2.5 s). An attempt that would wait longer is
 *   not sent: it fails locally as a `RateLimitedError` (`limit: "minute"`,
 *   HTTP 429, a `Retry-After` of the time until a slot, `details[0]["@type"]`
 *   {@link LOCAL_DETAIL_TYPE}), which the retry policy retries after that
 *   time, submits included (nothing was sent).
 * - A daily-quota 429 from Kenar holds the client: for `dailyQuotaHold`
 *   (default 15 minutes, or Kenar's `Retry-After`), every call fails at once,
 *   locally, as a `RateLimitedError` with `limit: "daily"`, without a
 *   request. Then ONE call probes Kenar while the others keep failing
 *   locally; its answer ends or renews the hold. The hold is per client
 *   (per process), not shared through the store.
 * - When the store fails (Redis down), attempts are sent without a slot and
 *   a warning is logged (`onStoreError: "allow"`, the default), or fail
 *   locally like a full limiter (`"deny"`).
 *
 * With several hosts sharing Redis, keep their clocks in sync (NTP): the
 * token bucket reads each caller's clock.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as RateLimiter from "effect/persistence/RateLimiter"
import { rateLimitOf } from "./internal/classify.js"
import * as internal from "./internal/gate.js"
import type * as KenarTransport from "./KenarTransport.js"

/**
 * The hook a Kenar client picks up from the context it is built in: every
 * attempt of its calls goes through it. {@link layer} and
 * {@link layerWithStore} provide one.
 *
 * @since 0.1.0
 * @category services
 */
export const RequestGate: typeof internal.RequestGate = internal.RequestGate

/**
 * @since 0.1.0
 * @category services
 */
export type RequestGate = internal.RequestGate

/**
 * The `@type` of the detail a locally produced 429 carries, so that it can be
 * told from Kenar's own: `error.details[0]["@type"] === KenarRateLimit.LOCAL_DETAIL_TYPE`.
 *
 * @since 0.1.0
 * @category constants
 */
export const LOCAL_DETAIL_TYPE = "type.kenar-ts/LocalRateLimit"

/**
 * Settings of the limiter.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Requests Kenar allows the app per `window` (the app's per-minute limit). */
  readonly limit: number
  /** The window of `limit`. Default: 1 minute. */
  readonly window?: Duration.Input | undefined
  /**
   * What requests are counted under. Processes sharing a store and a key
   * share the limit: use one key per app (API key). Default: `"kenar"`.
   */
  readonly key?: string | undefined
  /**
   * Attempts that may start at once after a quiet spell; the rest are paced
   * evenly. Default: `limit / 20` rounded up (at least 1, at most `limit - 1`).
   */
  readonly burst?: number | undefined
  /**
   * Added to the window for network delay between here and Kenar (a request
   * started on time may arrive late). Default: `window / 50` (1.2 s a minute).
   */
  readonly margin?: Duration.Input | undefined
  /**
   * How long one attempt may wait for its slot before failing locally with a
   * retryable 429. Default: a quarter of the client's timeout, at most 2.5 s.
   * Keep it below every per-call timeout: the wait counts against it.
   */
  readonly maxWait?: Duration.Input | undefined
  /**
   * After Kenar answers a daily-quota 429, fail calls locally for this long
   * (or Kenar's `Retry-After`), then let one probe through. `false`: never
   * hold (each call then still sends exactly one request: the daily quota is
   * never retried). Default: 15 minutes.
   */
  readonly dailyQuotaHold?: Duration.Input | false | undefined
  /** What to do when the store fails: send anyway (default, logged as a warning) or fail locally. */
  readonly onStoreError?: "allow" | "deny" | undefined
}

/**
 * The limiter's settings with defaults applied and derived values.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedOptions {
  readonly limit: number
  readonly windowMillis: number
  readonly key: string
  readonly burst: number
  readonly marginMillis: number
  /** Milliseconds between two slots: `(window + margin) / (limit - burst)`. */
  readonly refillMillis: number
  readonly maxWaitMillis: number | undefined
  readonly dailyQuotaHoldMillis: number | undefined
  readonly onStoreError: "allow" | "deny"
}

const millisOf = (input: Duration.Input, name: string): number => {
  let millis: number
  try {
    millis = Duration.toMillis(Duration.fromInputUnsafe(input))
  } catch {
    millis = Number.NaN
  }
  if (!Number.isFinite(millis) || millis < 0) {
    throw new TypeError(`KenarRateLimit: ${name} must be a finite, non-negative duration`)
  }
  return millis
}

/**
 * Checks the options and derives the pacing. Throws a `TypeError` naming a
 * bad option.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (options: Options): ResolvedOptions => {
  const limit = options.limit
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new TypeError("KenarRateLimit: limit must be a positive integer")
  }
  const windowMillis = millisOf(options.window ?? Duration.minutes(1), "window")
  if (windowMillis <= 0) throw new TypeError("KenarRateLimit: window must be positive")
  const burst = options.burst ?? Math.min(Math.max(1, Math.ceil(limit / 20)), Math.max(1, limit - 1))
  if (!Number.isSafeInteger(burst) || burst < 1 || (limit > 1 && burst >= limit) || burst > limit) {
    throw new TypeError("KenarRateLimit: burst must be an integer from 1 to limit - 1")
  }
  const marginMillis = options.margin === undefined ? windowMillis / 50 : millisOf(options.margin, "margin")
  const key = options.key ?? "kenar"
  if (typeof key !== "string" || key === "")
    throw new TypeError("KenarRateLimit: key must be a non-empty string")
  const hold = options.dailyQuotaHold ?? Duration.minutes(15)
  return {
    limit,
    windowMillis,
    key,
    burst,
    marginMillis,
    // With a single slot, two attempts are a full refill apart, so one per window + margin.
    refillMillis: (windowMillis + marginMillis) / (limit === 1 ? 1 : limit - burst),
    maxWaitMillis: options.maxWait === undefined ? undefined : millisOf(options.maxWait, "maxWait"),
    dailyQuotaHoldMillis: hold === false ? undefined : millisOf(hold, "dailyQuotaHold"),
    onStoreError: options.onStoreError ?? "allow"
  }
}

/** A 429 made here, in Kenar's `google.rpc.Status` shape; classified like Kenar's own. */
const localAnswer = (
  message: string,
  reason: "minute" | "daily",
  retryAfterMillis: number
): KenarTransport.Answer => ({
  status: 429,
  headers: {
    "content-type": "application/json",
    "retry-after": (Math.max(0, retryAfterMillis) / 1000).toFixed(3)
  },
  text: JSON.stringify({ code: 8, message, details: [{ "@type": LOCAL_DETAIL_TYPE, limit: reason }] })
})

/** Whether a 429's body says the daily quota was hit (as the client classifies it). */
const isDailyQuota = (text: string): boolean => {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return false
  }
  if (typeof body !== "object" || body === null) return false
  const { message, details } = body as { message?: unknown; details?: unknown }
  return (
    rateLimitOf(
      typeof message === "string" ? message : "",
      Array.isArray(details) ? (details as Array<never>) : []
    ) === "daily"
  )
}

const retryAfterMillisOf = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined
  return Math.round(Number(value.trim()) * 1000)
}

type Slot = { readonly _tag: "Slot" } | { readonly _tag: "TooLong"; readonly retryAfterMillis: number }

/**
 * Builds the gate over a `RateLimiter`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWith = (limiter: RateLimiter.RateLimiter, options: Options): RequestGate["Service"] => {
  const settings = resolve(options)
  const consumeOptions = {
    algorithm: "token-bucket",
    onExceeded: "fail",
    key: settings.key,
    limit: settings.burst,
    window: Duration.millis(settings.refillMillis * settings.burst),
    tokens: 1
  } as const

  // the daily-quota hold of this client
  let heldUntil: number | undefined
  let probing = false

  const acquire = (maxWaitMillis: number, waited: number): Effect.Effect<Slot> =>
    limiter.consume(consumeOptions).pipe(
      Effect.as<Slot>({ _tag: "Slot" }),
      Effect.catch((error): Effect.Effect<Slot> => {
        const reason = error.reason
        if (reason._tag === "RateLimitExceeded") {
          const retryAfterMillis = Math.max(1, Math.ceil(Duration.toMillis(reason.retryAfter)))
          if (waited + retryAfterMillis > maxWaitMillis) {
            return Effect.succeed({ _tag: "TooLong", retryAfterMillis })
          }
          return Effect.flatMap(Effect.sleep(Duration.millis(retryAfterMillis)), () =>
            acquire(maxWaitMillis, waited + retryAfterMillis)
          )
        }
        if (settings.onStoreError === "deny") {
          return Effect.succeed<Slot>({ _tag: "TooLong", retryAfterMillis: 1000 })
        }
        return Effect.as(
          Effect.logWarning(`KenarRateLimit: the store failed (${reason.message}); sending without a slot`),
          { _tag: "Slot" } as Slot
        )
      })
    )

  return {
    wrap: (send, config) => {
      const maxWaitMillis = settings.maxWaitMillis ?? Math.min(2500, Duration.toMillis(config.timeout) / 4)
      const minuteMessage = (retryAfterMillis: number) =>
        `rate limit reached locally (KenarRateLimit: ${settings.limit} requests per ${settings.windowMillis} ms); not sent, a slot frees in ${retryAfterMillis} ms`

      return (request, timeoutMillis) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          let probe = false
          if (heldUntil !== undefined) {
            if (now < heldUntil || probing) {
              const left = Math.max(0, heldUntil - now)
              return localAnswer(
                `daily quota exceeded: held locally by KenarRateLimit after Kenar's daily-quota answer; not sent (next probe in ${Math.ceil(left / 1000)} s)`,
                "daily",
                left
              )
            }
            probing = true
            probe = true
          }
          const slot = yield* acquire(maxWaitMillis, 0)
          if (slot._tag === "TooLong") {
            if (probe) probing = false
            return localAnswer(minuteMessage(slot.retryAfterMillis), "minute", slot.retryAfterMillis)
          }
          const response = yield* send(request, timeoutMillis).pipe(
            Effect.onExit((exit) =>
              Effect.sync(() => {
                if (probe && Exit.isFailure(exit)) probing = false
              })
            )
          )
          if (settings.dailyQuotaHoldMillis !== undefined && (response.status === 429 || probe)) {
            const daily = response.status === 429 && isDailyQuota(response.text)
            const at = yield* Clock.currentTimeMillis
            if (daily) {
              heldUntil =
                at + (retryAfterMillisOf(response.headers["retry-after"]) ?? settings.dailyQuotaHoldMillis)
            } else if (probe) {
              heldUntil = undefined
            }
            if (probe) probing = false
          }
          return response
        })
    }
  }
}

/**
 * Builds the gate over the `RateLimiterStore` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<RequestGate["Service"], never, RateLimiter.RateLimiterStore> => {
  resolve(options)
  return Effect.map(RateLimiter.make, (limiter) => makeWith(limiter, options))
}

/**
 * The limiter over the `RateLimiterStore` in context: `RateLimiter.layerStoreMemory`
 * (one process), `RateLimiter.layerStoreRedis()` over a `Redis`, or
 * `NodeRedis.layerRateLimiterStore` from `@kenar/node`. Provide it where the
 * client layer is built. Invalid options throw a `TypeError` at once.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithStore = (
  options: Options
): Layer.Layer<RequestGate, never, RateLimiter.RateLimiterStore> => Layer.effect(RequestGate, make(options))

/**
 * The limiter with an in-memory store: holds the limit within this process
 * (each process, and each layer built, has its own budget). Provide it where
 * the client layer is built:
 *
 * ```ts
 * NodeKenarClient.layer().pipe(Layer.provide(KenarRateLimit.layer({ limit: 600 })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<RequestGate> =>
  layerWithStore(options).pipe(Layer.provide(RateLimiter.layerStoreMemory))
