/**
 * The client's transport in browsers: one `fetch` per attempt, straight from
 * the request the executor built, without effect's `HttpClient` (whose
 * streams, cookies and tracing would come into every browser bundle).
 *
 * - `redirect: "manual"`: a redirect is never followed. The browser hides it
 *   (an opaque answer with status 0), which the client classifies as an
 *   `UnknownError` with `httpStatus: 0`.
 * - The deadline and an interruption (e.g. the Promise client's
 *   `AbortSignal`) abort the request through an `AbortController`.
 * - A rejected `fetch` (a `TypeError` such as "Failed to fetch": offline, DNS,
 *   CORS, connection refused, the browser does not say which) is a failure
 *   before the answer; a failure while reading the body is a body failure.
 */
import * as KenarTransport from "@kenar/core/KenarTransport"
import * as Effect from "effect/Effect"

export interface FetchTransportOptions {
  /** `fetch`'s credentials mode. */
  readonly credentials: RequestCredentials
  /** The `fetch` to call; default the global one, looked up at each call. */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/** Request headers a page cannot set: the browser sets them (and `fetch` would drop them anyway). */
const browserSets = new Set(["content-length", "user-agent", "host", "connection", "accept-encoding"])

/** The request's headers for `fetch`, without those the browser sets itself. */
const requestHeaders = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name of Object.keys(headers)) {
    if (!browserSets.has(name)) out[name] = headers[name]!
  }
  return out
}

/** The answer's headers as a record: `Headers` gives lower-case names, repeated values joined. */
const answerHeaders = (headers: Headers): Record<string, string> => {
  const out: Record<string, string> = Object.create(null)
  headers.forEach((value, name) => {
    out[name] = value
  })
  return out
}

/** A transport over `fetch`. */
export const make = (options: FetchTransportOptions): KenarTransport.KenarTransport["Service"] => {
  const { credentials } = options
  const send: typeof globalThis.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  return {
    send: (request, timeoutMillis) =>
      Effect.callback<KenarTransport.Answer, KenarTransport.Failure>((resume) => {
        const controller = new AbortController()
        let done = false
        let phase: "request" | "body" = "request"
        const settle = (outcome: Effect.Effect<KenarTransport.Answer, KenarTransport.Failure>) => {
          if (done) return
          done = true
          cancelDeadline()
          resume(outcome)
        }
        const cancelDeadline = KenarTransport.deadline(timeoutMillis, () => {
          settle(Effect.fail(KenarTransport.failure("timeout", undefined)))
          controller.abort()
        })
        let sent: Promise<Response>
        try {
          sent = send(request.url, {
            method: request.method,
            headers: requestHeaders(request.headers),
            body: request.body ?? null,
            credentials,
            redirect: "manual",
            signal: controller.signal
          })
        } catch (cause) {
          // a `fetch` that throws instead of rejecting (a custom one, an invalid argument)
          sent = Promise.reject(cause)
        }
        sent
          .then((response) => {
            phase = "body"
            return response.text().then(
              (text): KenarTransport.Answer => ({
                status: response.status,
                headers: answerHeaders(response.headers),
                text
              })
            )
          })
          .then(
            (answer) => settle(Effect.succeed(answer)),
            (cause: unknown) => settle(Effect.fail(KenarTransport.failure(phase, cause)))
          )
        return Effect.sync(() => {
          if (done) return
          done = true
          cancelDeadline()
          controller.abort()
        })
      })
  }
}
