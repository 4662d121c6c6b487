import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { constTrue } from "effect/Function"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import type { AuthContext, KenarAuth } from "../KenarAuth.js"
import type { CallOptions, ResolvedConfig } from "../KenarConfig.js"
import type { KenarError } from "../KenarError.js"
import * as Operation from "../Operation.js"
import * as RetryPolicy from "../RetryPolicy.js"
import { type Answer, apiError, decodeSuccess, timeoutError, transportError } from "./classify.js"
import { validateInput } from "./validate.js"

const provedNotProcessed = (error: KenarError): boolean =>
  (error._tag === "TransportError" && !error.mayHaveReachedServer) || error._tag === "RateLimitedError"

/**
 * Builds the generic executor of a client: validate, build the request, add
 * credentials, send with a per-attempt timeout, classify the answer, retry
 * per the operation's safety, all inside one span named after the operation.
 */
export const makeExecutor = (
  http: HttpClient.HttpClient,
  auth: KenarAuth["Service"],
  config: ResolvedConfig
) => {
  const baseHeaders: Record<string, string> = { accept: "application/json" }
  if (config.userAgent !== undefined) baseHeaders["user-agent"] = config.userAgent

  return (
    definition: Operation.Any,
    input: unknown,
    options?: CallOptions
  ): Effect.Effect<unknown, KenarError> => Effect.suspend(() => call(definition, input, options))

  function call(
    definition: Operation.Any,
    input: unknown,
    options?: CallOptions
  ): Effect.Effect<unknown, KenarError> {
    let attempts = 0
    let lastStatus: number | undefined
    const run = Effect.gen(function* () {
      const valid = yield* validateInput(definition, input)
      const url = config.baseUrl + Operation.pathFor(definition, valid.params)
      let request = HttpClientRequest.make(definition.method)(url, { headers: baseHeaders })
      if (definition.body !== undefined) {
        request = HttpClientRequest.bodyText(request, JSON.stringify(valid.body), "application/json")
      }
      const context: AuthContext = {
        operation: definition.name,
        scopes: Operation.scopesFor(definition, valid.params),
        accessToken:
          options?.accessToken === undefined
            ? undefined
            : Redacted.make(options.accessToken, { label: "kenar-secret" })
      }
      const timeout =
        options?.timeout === undefined ? config.timeout : Duration.fromInputUnsafe(options.timeout)
      const timeoutMillis = Duration.toMillis(timeout)

      const sendOnce: Effect.Effect<unknown, KenarError> = Effect.suspend(() => {
        const attempt = ++attempts
        return auth.authorize(request, context).pipe(
          Effect.flatMap((authorized) =>
            http.execute(authorized).pipe(
              Effect.mapError((error) => transportError(definition, error, attempt, "request")),
              Effect.flatMap((response) => {
                lastStatus = response.status
                return Effect.map(
                  Effect.mapError(response.text, (error) =>
                    transportError(definition, error, attempt, "body")
                  ),
                  (text) => [response, text] as const
                )
              })
            )
          ),
          Effect.timeoutOrElse({
            duration: timeout,
            orElse: () => Effect.fail(timeoutError(definition, attempt, timeoutMillis))
          }),
          Effect.flatMap(([response, text]): Effect.Effect<unknown, KenarError> => {
            const answer = (now: number): Answer => ({
              status: response.status,
              headers: response.headers,
              text,
              attempt,
              now
            })
            if (response.status >= 200 && response.status < 300) return decodeSuccess(definition, answer(0))
            // the clock only matters for an HTTP-date Retry-After
            return Effect.flatMap(Clock.currentTimeMillis, (now) =>
              Effect.fail(apiError(definition, answer(now)))
            )
          })
        )
      })

      let refreshed = false
      const attemptOnce: Effect.Effect<unknown, KenarError> = sendOnce.pipe(
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
      // The retry schedule is entered only after a retryable failure, so a call that succeeds
      // at once pays nothing for it; the failure is replayed as the schedule's first input.
      const retried =
        policy === false || policy.maxRetries <= 0
          ? tracked
          : Effect.catchIf(
              tracked,
              (error) => RetryPolicy.isRetryable(definition.retry, error),
              (first) => {
                let replay = true
                return Effect.retry(
                  Effect.suspend(() => {
                    if (!replay) return tracked
                    replay = false
                    return Effect.fail(first)
                  }),
                  scheduleFor(policy, definition.retry)
                )
              }
            )

      const doneOnRetry = definition.doneOnRetry
      if (doneOnRetry === undefined) return yield* retried
      return yield* Effect.catchIf(
        retried,
        (error) => error._tag === doneOnRetry && firstLanded !== undefined && firstLanded < error.attempt,
        () => Effect.succeed(decodeEmpty(definition))
      )
    })

    return run.pipe(
      Effect.onExit((exit) =>
        Effect.annotateCurrentSpan({
          "kenar.attempts": attempts,
          ...(lastStatus === undefined ? {} : { "http.response.status_code": lastStatus }),
          ...(Exit.isFailure(exit) ? { "kenar.outcome": "failure" } : { "kenar.outcome": "success" })
        })
      ),
      Effect.provideService(HttpClient.TracerDisabledWhen, constTrue),
      Effect.withSpan(
        `kenar.${definition.name}`,
        {
          kind: "client",
          attributes: {
            "kenar.operation": definition.name,
            "kenar.operation_id": definition.operationId,
            "http.request.method": definition.method,
            "http.route": definition.path
          }
        },
        { captureStackTrace: false }
      )
    )
  }
}

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
