/**
 * How a client's calls reach Kenar: one function that sends a request and
 * reads the whole answer as text within a per-attempt deadline.
 *
 * `KenarClient.layer` builds it from any effect `HttpClient`
 * ({@link fromHttpClient}). Platform packages give leaner ones that skip the
 * generic HTTP client machinery on the hot path: `@kenar/node` sends straight
 * through undici, `@kenar/browser` straight through `fetch` (which also keeps
 * `effect/http`'s client out of browser bundles). Build a client over one with
 * `KenarClient.layerWithTransport`.
 *
 * A transport must not follow redirects (a 3xx answer is returned as is) and
 * must stop the request when the deadline passes or the fiber is interrupted.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as UrlParams from "effect/http/UrlParams"

/**
 * A whole answer: status, headers (lower-case names) and body text.
 *
 * @since 0.2.0
 * @category models
 */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly text: string
}

/**
 * Why a request got no whole answer: it failed before the answer's head
 * (`"request"`), while its body was read (`"body"`), or the deadline passed
 * (`"timeout"`). `cause` is the underlying error; the client reads error codes
 * such as `ECONNREFUSED` from it to tell whether the request may have reached
 * Kenar.
 *
 * @since 0.2.0
 * @category models
 */
export interface Failure {
  readonly _tag: "TransportFailure"
  readonly phase: "request" | "body" | "timeout"
  readonly cause: unknown
}

/**
 * @since 0.2.0
 * @category constructors
 */
export const failure = (phase: Failure["phase"], cause: unknown): Failure => ({
  _tag: "TransportFailure",
  phase,
  cause
})

/**
 * One call's request, as plain data: the method, the absolute URL (path
 * parameters escaped, no fragment), the headers (lower-case names) and the
 * body text, if any. (A plain record rather than an `HttpClientRequest`, so
 * browser bundles need none of `effect/http`.)
 *
 * @since 0.2.0
 * @category models
 */
export interface Request {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

/**
 * The request with one header set (the name in lower case), as a new record.
 *
 * @since 0.2.0
 * @category utils
 */
export const setHeader = (request: Request, name: string, value: string): Request => ({
  ...request,
  headers: { ...request.headers, [name.toLowerCase()]: value }
})

/**
 * Sends one request and reads the whole answer, within `timeoutMillis` (any
 * length; `Infinity` for none).
 *
 * @since 0.2.0
 * @category models
 */
export type Send = (request: Request, timeoutMillis: number) => Effect.Effect<Answer, Failure>

/**
 * The transport service.
 *
 * @since 0.2.0
 * @category services
 */
export class KenarTransport extends Context.Service<KenarTransport, { readonly send: Send }>()(
  "@kenar/core/KenarTransport"
) {}

const TransportId = Symbol.for("@kenar/core/KenarTransport")

/**
 * Marks an `HttpClient` as backed by a leaner transport for the client's
 * calls: {@link fromHttpClient} (and so `KenarClient.layer`) then sends
 * calls through `transport` while uploads keep using the `HttpClient`. An
 * `HttpClient` derived from it (`HttpClient.mapRequest`, ...) is a new object
 * without the mark, so its own behaviour is kept. Returns `http` itself.
 *
 * @since 0.2.0
 * @category constructors
 */
export const attach = <C extends HttpClient.HttpClient>(http: C, transport: KenarTransport["Service"]): C => {
  Object.defineProperty(http, TransportId, { value: transport, enumerable: false })
  return http
}

/**
 * The transport {@link attach}ed to an `HttpClient`, if any.
 *
 * @since 0.2.0
 * @category utils
 */
export const attached = (http: HttpClient.HttpClient): KenarTransport["Service"] | undefined =>
  Object.hasOwn(http, TransportId)
    ? (http as unknown as Record<symbol, KenarTransport["Service"]>)[TransportId]
    : undefined

/**
 * A transport over an effect `HttpClient`: `execute`, then the body as text,
 * the whole raced against the deadline. (The `KenarClient` layers use the
 * client's {@link attach}ed transport instead when it has one.)
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromHttpClient = (http: HttpClient.HttpClient): KenarTransport["Service"] => ({
  send: (request, timeoutMillis) =>
    http.execute(toHttpClientRequest(request)).pipe(
      Effect.mapError((error) => failure("request", error)),
      Effect.flatMap((response) =>
        Effect.map(
          Effect.mapError(response.text, (error) => failure("body", error)),
          (text): Answer => ({ status: response.status, headers: response.headers, text })
        )
      ),
      Effect.timeoutOrElse({
        duration: timeoutMillis,
        orElse: () => Effect.fail(failure("timeout", undefined))
      })
    )
})

/** The longest delay `setTimeout` takes; longer ones would fire at once. */
const MAX_TIMER_MILLIS = 2 ** 31 - 1

/**
 * Calls `onTimeout` once `millis` have passed (any length: long deadlines
 * are re-armed in steps, as `setTimeout` fires anything over 2^31-1 ms at
 * once; none for `Infinity`). Returns the canceller. For transports.
 *
 * @since 0.2.0
 * @category utils
 */
export const deadline = (millis: number, onTimeout: () => void): (() => void) => {
  if (!(millis < Number.POSITIVE_INFINITY)) return () => {}
  let timer: ReturnType<typeof setTimeout>
  const arm = (left: number) => {
    timer =
      left > MAX_TIMER_MILLIS
        ? setTimeout(() => arm(left - MAX_TIMER_MILLIS), MAX_TIMER_MILLIS)
        : setTimeout(onTimeout, left)
  }
  arm(Math.max(0, millis))
  return () => clearTimeout(timer)
}

/**
 * The same request as an `HttpClientRequest`.
 *
 * @since 0.2.0
 * @category utils
 */
export const toHttpClientRequest = (request: Request): HttpClientRequest.HttpClientRequest => {
  if (request.body === undefined)
    return HttpClientRequest.make(request.method)(request.url, { headers: request.headers })
  // the body carries the content type (the client sends it as the header)
  const { "content-type": contentType = "application/json", ...headers } = request.headers
  return HttpClientRequest.bodyText(
    HttpClientRequest.make(request.method)(request.url, { headers }),
    request.body,
    contentType
  )
}

/**
 * A request built with effect's `HttpClientRequest` as a {@link Request}:
 * query parameters joined to the URL, the body as text (with its content
 * type as a header). Bodies that are not UTF-8 text (bytes, streams, form
 * data) are refused with a `TypeError`.
 *
 * @since 0.2.0
 * @category utils
 */
export const fromHttpClientRequest = (request: HttpClientRequest.HttpClientRequest): Request => {
  const cut = request.url.indexOf("#")
  let url = cut === -1 ? request.url : request.url.slice(0, cut)
  if (request.urlParams.params.length > 0) {
    url += (url.includes("?") ? "&" : "?") + UrlParams.toString(request.urlParams)
  }
  const fragment =
    request.hash._tag === "Some" ? request.hash.value : cut === -1 ? undefined : request.url.slice(cut + 1)
  if (fragment !== undefined) url += `#${fragment}`
  const headers: Record<string, string> = { ...request.headers }
  const body = request.body
  let text: string | undefined
  switch (body._tag) {
    case "Empty":
      break
    case "Uint8Array":
      // a text body (as the client's calls have); other bytes cannot be a Request's body
      text = new TextDecoder("utf-8", { fatal: true }).decode(body.body)
      headers["content-type"] ??= body.contentType
      break
    case "Raw":
      if (typeof body.body !== "string") throw new TypeError("KenarTransport: a raw body must be a string")
      text = body.body
      if (body.contentType !== undefined) headers["content-type"] ??= body.contentType
      break
    default:
      throw new TypeError(`KenarTransport: unsupported request body ${body._tag}`)
  }
  return { method: request.method as Request["method"], url, headers, body: text }
}
