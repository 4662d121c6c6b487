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
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
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
 * Sends one request (method, URL with its query, headers, and an empty or
 * in-memory body) and reads the whole answer, within `timeoutMillis`.
 *
 * @since 0.2.0
 * @category models
 */
export type Send = (
  request: HttpClientRequest.HttpClientRequest,
  timeoutMillis: number
) => Effect.Effect<Answer, Failure>

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
    http.execute(request).pipe(
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

/**
 * The URL a request goes to: its URL with its query parameters and hash.
 *
 * @since 0.2.0
 * @category utils
 */
export const urlOf = (request: HttpClientRequest.HttpClientRequest): string => {
  // a fragment written into the URL string goes after the query parameters too
  const cut = request.url.indexOf("#")
  let url = cut === -1 ? request.url : request.url.slice(0, cut)
  const fragment =
    request.hash._tag === "Some" ? request.hash.value : cut === -1 ? undefined : request.url.slice(cut + 1)
  if (request.urlParams.params.length > 0) {
    url += (url.includes("?") ? "&" : "?") + UrlParams.toString(request.urlParams)
  }
  if (fragment !== undefined) url += `#${fragment}`
  return url
}

/**
 * The bytes or text of a request body a transport can send at once, or
 * `undefined` for an empty body. Streams and form data are not used by the
 * client's calls (uploads go through an `HttpClient`); they are refused.
 *
 * @since 0.2.0
 * @category utils
 */
export const bodyOf = (
  request: HttpClientRequest.HttpClientRequest
): Uint8Array | string | undefined | Failure => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      return body.body
    case "Raw":
      if (typeof body.body === "string" || body.body instanceof Uint8Array) return body.body
      return failure("request", new TypeError("KenarTransport: unsupported raw request body"))
    default:
      return failure("request", new TypeError(`KenarTransport: unsupported request body ${body._tag}`))
  }
}
