import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import type { AuthContext, KenarAuth } from "../KenarAuth.js"
import type { CallOptions, ResolvedConfig } from "../KenarConfig.js"
import type { KenarError } from "../KenarError.js"
import type * as KenarTransport from "../KenarTransport.js"
import * as Operation from "../Operation.js"
import * as RetryPolicy from "../RetryPolicy.js"
import { type Answer, apiError, decodeSuccess, timeoutError, transportError } from "./classify.js"
import type { CallTracing, Observed } from "./tracing.js"
import { validateInputSync } from "./validate.js"

const provedNotProcessed = (error: KenarError): boolean =>
  (error._tag === "TransportError" && !error.mayHaveReachedServer) || error._tag === "RateLimitedError"

/**
 * Builds the generic executor of a client: validate, build the request, add
 * credentials, send with a per-attempt deadline, classify the answer, retry
 * per the operation's safety, all inside one span named after the operation.
 *
 * The common case costs little: the first attempt is one authorize and one
 * send; the machinery for token refresh, retries and `doneOnRetry` is built
 * only after a failure. Spans come from `tracing` (see `KenarTracing`), when
 * the client has it.
 */
export const makeExecutor = (
  send: KenarTransport.Send,
  auth: KenarAuth["Service"],
  config: ResolvedConfig,
  tracing: CallTracing["Service"] | undefined
) => {
  const baseHeaders: Record<string, string> = { accept: "application/json" }
  if (config.userAgent !== undefined) baseHeaders["user-agent"] = config.userAgent
  const defaultTimeoutMillis = Duration.toMillis(config.timeout)
  const bodyHeaders: Record<string, string> = { ...baseHeaders, "content-type": "application/json" }

  return (
    definition: Operation.Any,
    input: unknown,
    options?: CallOptions
  ): Effect.Effect<unknown, KenarError> =>
    tracing === undefined
      ? Effect.suspend(() => call(definition, input, options, undefined))
      : tracing.trace(definition, (observed) => call(definition, input, options, observed))

  function call(
    definition: Operation.Any,
    input: unknown,
    options: CallOptions | undefined,
    observed: Observed | undefined
  ): Effect.Effect<unknown, KenarError> {
    const valid = validateInputSync(definition, input)
    if (valid._tag === "ValidationError") return Effect.fail(valid)
    const url = config.baseUrl + Operation.pathFor(definition, valid.params)
    const request: KenarTransport.Request =
      definition.body === undefined
        ? { method: definition.method, url, headers: baseHeaders, body: undefined }
        : { method: definition.method, url, headers: bodyHeaders, body: JSON.stringify(valid.body) }
    const context: AuthContext = {
      operation: definition.name,
      scopes: Operation.scopesFor(definition, valid.params),
      accessToken:
        options?.accessToken === undefined
          ? undefined
          : Redacted.make(options.accessToken, { label: "kenar-secret" })
    }
    const timeoutMillis =
      options?.timeout === undefined
        ? defaultTimeoutMillis
        : Duration.toMillis(Duration.fromInputUnsafe(options.timeout))

    // The first attempt, lean: no per-attempt suspension, a fixed credential's request taken
    // as it is (no flatMap), and a transport failure left unmapped until the recovery below.
    let attempts = 1
    if (observed !== undefined) observed.attempts = 1
    const onAnswer = (response: KenarTransport.Answer) => answered(definition, response, 1, observed)
    const authorized = auth.authorize(request, context)
    // (`Effect.succeed` and `Effect.fail` are exits: what fixed credentials give)
    const settled = Exit.isExit(authorized)
      ? (authorized as Exit.Exit<KenarTransport.Request, KenarError>)
      : undefined
    const first: Effect.Effect<unknown, KenarError | KenarTransport.Failure> =
      settled !== undefined
        ? Exit.isSuccess(settled)
          ? Effect.flatMap(send(settled.value, timeoutMillis), onAnswer)
          : settled
        : Effect.flatMap(
            Effect.flatMap(authorized, (request) => send(request, timeoutMillis)),
            onAnswer
          )

    // What a failure may need (refresh, retries, doneOnRetry) is built after it, with the
    // failure replayed as the first attempt's outcome.
    return Effect.catch(first, (firstFailure) => {
      const firstError: KenarError =
        firstFailure._tag === "TransportFailure"
          ? failed(definition, firstFailure, 1, timeoutMillis)
          : firstFailure
      const sendOnce: Effect.Effect<unknown, KenarError> = Effect.suspend(() => {
        const attempt = ++attempts
        if (observed !== undefined) observed.attempts = attempt
        return Effect.flatMap(auth.authorize(request, context), (authorized) =>
          Effect.matchEffect(send(authorized, timeoutMillis), {
            onFailure: (failure) => Effect.fail(failed(definition, failure, attempt, timeoutMillis)),
            onSuccess: (response) => answered(definition, response, attempt, observed)
          })
        )
      })
      let replay = true
      const firstOrSend = Effect.suspend(() => {
        if (!replay) return sendOnce
        replay = false
        return Effect.fail(firstError)
      })

      let refreshed = false
      const attemptOnce: Effect.Effect<unknown, KenarError> = firstOrSend.pipe(
        Effect.catchTag("UnauthenticatedError", (error) => {
          if (refreshed) return Effect.fail(error)
          refreshed = true
          return Effect.flatMap(auth.onUnauthenticated(context), (renewed) =>
            renewed ? sendOnce : Effect.fail(error)
          )
        })
      )

      const policy =
        options?.retry === undefined ? config.retry : RetryPolicy.merge(config.retry, options.retry)
      // the first attempt whose request may have been processed by Kenar
      let firstLanded: number | undefined
      const tracked = attemptOnce.pipe(
        Effect.tapError((error) =>
          Effect.sync(() => {
            if (firstLanded === undefined && !provedNotProcessed(error)) firstLanded = attempts
          })
        )
      )
      // The retry schedule is entered only after a retryable failure; that failure is replayed
      // as the schedule's first input.
      const retried =
        policy === false || policy.maxRetries <= 0
          ? tracked
          : Effect.catchIf(
              tracked,
              (error) => RetryPolicy.isRetryable(definition.retry, error),
              (failed) => {
                let again = true
                return Effect.retry(
                  Effect.suspend(() => {
                    if (!again) return tracked
                    again = false
                    return Effect.fail(failed)
                  }),
                  scheduleFor(policy, definition.retry)
                )
              }
            )

      const doneOnRetry = definition.doneOnRetry
      if (doneOnRetry === undefined) return retried
      return Effect.catchIf(
        retried,
        (error) => error._tag === doneOnRetry && firstLanded !== undefined && firstLanded < error.attempt,
        () => Effect.succeed(decodeEmpty(definition))
      )
    })
  }
}

/** A transport failure as the call's error. */
const failed = (
  definition: Operation.Any,
  failure: KenarTransport.Failure,
  attempt: number,
  timeoutMillis: number
): KenarError =>
  failure.phase === "timeout"
    ? timeoutError(definition, attempt, timeoutMillis)
    : transportError(definition, failure.cause, attempt, failure.phase)

/** An answer as the call's outcome: the decoded value of a 2xx, the API error of anything else. */
const answered = (
  definition: Operation.Any,
  response: KenarTransport.Answer,
  attempt: number,
  observed: Observed | undefined
): Effect.Effect<unknown, KenarError> => {
  if (observed !== undefined) observed.lastStatus = response.status
  if (response.status >= 200 && response.status < 300) {
    return decodeSuccess(definition, answerOf(response, attempt, 0))
  }
  // the clock only matters for an HTTP-date Retry-After
  return Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.fail(apiError(definition, answerOf(response, attempt, now)))
  )
}

const answerOf = (response: KenarTransport.Answer, attempt: number, now: number): Answer => ({
  status: response.status,
  headers: response.headers,
  text: response.text,
  attempt,
  now
})

const schedules = new WeakMap<
  RetryPolicy.RetryOptions,
  Map<string, ReturnType<typeof RetryPolicy.schedule>>
>()

/** The retry schedule of a policy, built once per policy and retry safety. */
const scheduleFor = (policy: RetryPolicy.RetryOptions, safety: Operation.RetrySafety) => {
  let bySafety = schedules.get(policy)
  if (bySafety === undefined) {
    bySafety = new Map()
    schedules.set(policy, bySafety)
  }
  let schedule = bySafety.get(safety)
  if (schedule === undefined) {
    schedule = RetryPolicy.schedule(policy, safety)
    bySafety.set(safety, schedule)
  }
  return schedule
}

const decodeEmpty = (definition: Operation.Any): unknown => {
  const exit = decodeSuccess(definition, { status: 200, headers: {}, text: "{}", attempt: 0, now: 0 })
  return Exit.isSuccess(exit) ? exit.value : {}
}
