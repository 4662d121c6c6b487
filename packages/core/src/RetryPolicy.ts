/**
 * When and how a failed call is sent again.
 *
 * The policy is a `Schedule`: exponential backoff from `baseDelay`, jittered,
 * each delay capped at `maxDelay`, stretched to a `Retry-After` the answer
 * asked for, at most `maxRetries` retries and never past `maxElapsed`.
 * Which failures are retried depends on the operation:
 *
 * - idempotent operations: 429 (not the daily quota), UNAVAILABLE and HTTP
 *   502/503/504, DEADLINE_EXCEEDED, ABORTED, transport failures, and bodies
 *   that broke off (empty or invalid JSON);
 * - the two submit operations: only a 429 (rejected before processing) or a
 *   transport failure that provably never reached Kenar.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Schedule from "effect/Schedule"
import type { KenarError } from "./KenarError.js"
import type { RetrySafety } from "./Operation.js"

/**
 * Settings of the retry policy.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). `0` disables retries. */
  readonly maxRetries: number
  /** Delay before the first retry, doubled for each next one (default 250 ms). */
  readonly baseDelay: Duration.Input
  /** Upper bound of one backoff delay (default 5 s). */
  readonly maxDelay: Duration.Input
  /** No retry starts later than this after the first attempt (default 30 s). */
  readonly maxElapsed: Duration.Input
  /** Randomise each delay by ±20% so clients do not retry in lockstep (default true). */
  readonly jitter: boolean
}

/**
 * A retry policy: its settings, or `false` for no retries at all.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryPolicy = RetryOptions | false

/**
 * What a client or a single call may say about retries: `false` for none,
 * or the settings to change.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryInput = Partial<RetryOptions> | false

/**
 * The default policy: 3 retries, 250 ms doubling, capped at 5 s per delay and
 * 30 s in all, jittered.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: RetryOptions = {
  maxRetries: 3,
  baseDelay: /* @__PURE__ */ Duration.millis(250),
  maxDelay: /* @__PURE__ */ Duration.seconds(5),
  maxElapsed: /* @__PURE__ */ Duration.seconds(30),
  jitter: true
}

/**
 * Applies `input` over `base`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const merge = (base: RetryPolicy, input: RetryInput | undefined): RetryPolicy => {
  if (input === undefined) return base
  if (input === false) return false
  return { ...(base === false ? defaults : base), ...input }
}

/**
 * Whether a failure of an operation with the given safety may be retried.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetryable = (safety: RetrySafety, error: KenarError): boolean => {
  switch (error._tag) {
    case "RateLimitedError":
      return error.limit !== "daily"
    case "TransportError":
      return safety === "idempotent" || !error.mayHaveReachedServer
    case "UnavailableError":
    case "DeadlineExceededError":
    case "AbortedByServerError":
      return safety === "idempotent"
    case "ResponseError":
      return safety === "idempotent" && error.reason !== "SchemaMismatch"
    default:
      return false
  }
}

const retryAfterOf = (error: unknown): Duration.Duration | undefined => {
  const millis = (error as { readonly retryAfterMillis?: number | undefined } | undefined)?.retryAfterMillis
  return typeof millis === "number" && millis >= 0 ? Duration.millis(millis) : undefined
}

/**
 * The retry `Schedule` of a policy for an operation with the given safety. Its
 * input is the failure; it stops on a failure that is not retryable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const schedule = (
  policy: RetryOptions,
  safety: RetrySafety
): Schedule.Schedule<Duration.Duration, KenarError> => {
  const maxDelay = Duration.fromInputUnsafe(policy.maxDelay)
  const maxElapsed = Duration.toMillis(Duration.fromInputUnsafe(policy.maxElapsed))
  return Schedule.exponential(policy.baseDelay, 2).pipe(
    policy.jitter ? Schedule.jittered : identity,
    Schedule.setInputType<KenarError>(),
    Schedule.modifyDelay(({ duration, input }) => {
      const capped = Duration.min(duration, maxDelay)
      const asked = retryAfterOf(input)
      return Effect.succeed(asked === undefined ? capped : Duration.max(capped, asked))
    }),
    Schedule.while(
      ({ input, attempt, elapsed, duration }) =>
        isRetryable(safety, input) &&
        attempt <= policy.maxRetries &&
        elapsed + Duration.toMillis(duration) <= maxElapsed
    )
  )
}
