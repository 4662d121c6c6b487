import { EventEmitter } from "node:events"
import { KenarTransport } from "@kenar/core"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Cookies from "effect/http/Cookies"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as Url from "effect/http/Url"
import * as UrlParams from "effect/http/UrlParams"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import * as Result from "effect/Result"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Socket from "effect/socket/Socket"
import * as Tracer from "effect/Tracer"
import { Agent, type Dispatcher } from "undici"
import { compileSchemas } from "./compile.js"

/** Settings of the undici agent; see `NodeHttpClient.Options`. */
export interface AgentOptions {
  readonly connections?: number | undefined
  readonly pipelining?: number | undefined
  readonly connectTimeout?: Duration.Input | undefined
  readonly keepAliveTimeout?: Duration.Input | undefined
  readonly keepAliveMaxTimeout?: Duration.Input | undefined
  readonly headersTimeout?: Duration.Input | undefined
  readonly bodyTimeout?: Duration.Input | undefined
}

const millis = (input: Duration.Input | undefined, name: string): number | undefined => {
  if (input === undefined) return undefined
  const duration = Option.getOrUndefined(Duration.fromInput(input))
  const value = duration === undefined ? Number.NaN : Duration.toMillis(duration)
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new TypeError(`NodeHttpClient: ${name} must be a finite, non-negative duration`)
  }
  return Math.round(value)
}

/** Builds an undici `Agent` (one keep-alive pool per origin) from the options. */
export const makeAgent = (options: AgentOptions = {}): Agent => {
  const connections = options.connections
  if (connections !== undefined && !(Number.isInteger(connections) && connections > 0)) {
    throw new TypeError("NodeHttpClient: connections must be a positive integer")
  }
  const agentOptions: Agent.Options = {
    connections: connections ?? null,
    pipelining: options.pipelining ?? 1,
    connect: { timeout: millis(options.connectTimeout, "connectTimeout") ?? 10_000 },
    keepAliveTimeout: millis(options.keepAliveTimeout, "keepAliveTimeout") ?? 4_000,
    keepAliveMaxTimeout: millis(options.keepAliveMaxTimeout, "keepAliveMaxTimeout") ?? 600_000
  }
  const headersTimeout = millis(options.headersTimeout, "headersTimeout")
  if (headersTimeout !== undefined) agentOptions.headersTimeout = headersTimeout
  const bodyTimeout = millis(options.bodyTimeout, "bodyTimeout")
  if (bodyTimeout !== undefined) agentOptions.bodyTimeout = bodyTimeout
  return new Agent(agentOptions)
}

/**
 * An agent whose pools are closed when the scope closes: gracefully (pending
 * requests finish) for up to a second, then forcibly.
 */
export const scopedAgent = (options?: AgentOptions): Effect.Effect<Agent, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => makeAgent(options)),
    (agent) =>
      Effect.promise(() => agent.close()).pipe(
        Effect.timeoutOrElse({
          duration: Duration.seconds(1),
          orElse: () => Effect.promise(() => agent.destroy())
        }),
        Effect.ignore
      )
  )

const transportFailure = (request: HttpClientRequest.HttpClientRequest, cause: unknown) =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, cause }) })

const encodeFailure = (request: HttpClientRequest.HttpClientRequest, description: string) =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError({ request, description }) })

/** What undici accepts as a body (its types omit async iterables, which it takes). */
type UndiciBody =
  | Response
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>
  | NodeJS.ReadableStream

/**
 * The request body as undici takes it. Streams are handed over as async
 * iterables pulled with backpressure: never buffered whole.
 */
const bodyOf = (
  request: HttpClientRequest.HttpClientRequest,
  context: Context.Context<never>
): UndiciBody | undefined | HttpClientError.HttpClientError => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      // A text body keeps its string: undici encodes it once, when writing.
      return body.text ?? body.body
    case "Raw": {
      const raw = body.body
      if (raw === undefined || raw === null) return undefined
      if (raw instanceof FormData) return new Response(raw)
      if (typeof raw === "string" || raw instanceof Uint8Array || raw instanceof ArrayBuffer)
        return raw as UndiciBody
      if (
        typeof raw === "object" &&
        (Symbol.asyncIterator in raw || Symbol.iterator in raw || "pipe" in raw)
      ) {
        return raw as UndiciBody
      }
      if (raw instanceof Blob) return raw
      return encodeFailure(
        request,
        "a raw body must be a string, bytes, a Blob, a Readable or an (async) iterable"
      )
    }
    case "FormData":
      // Encoded by the global Response (undici 7 does not take the global FormData class);
      // `send` takes the multipart content type, boundary included, from it.
      return new Response(body.formData)
    case "Stream":
      return Stream.toAsyncIterableWith(body.stream, context)
  }
}

const headersFromUndici = (input: Record<string, string | Array<string> | undefined>): Headers.Headers => {
  const out: Record<string, string> = {}
  for (const key in input) {
    const value = input[key]
    if (value === undefined) continue
    // undici gives lower-case names already.
    out[key] = typeof value === "string" ? value : value.join(", ")
  }
  return Headers.fromRecordUnsafe(out)
}

const utf8 = (bytes: Buffer): string => {
  const start = bytes.length > 2 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  return bytes.toString("utf8", start)
}

/** Reads a whole body into one Buffer; a single chunk is used as it is. */
const collect = (body: Dispatcher.ResponseData["body"]): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let length = 0
    body.on("data", (chunk: Buffer) => {
      chunks.push(chunk)
      length += chunk.length
    })
    body.once("end", () =>
      resolve(
        chunks.length === 1
          ? chunks[0]!
          : chunks.length === 0
            ? Buffer.alloc(0)
            : Buffer.concat(chunks, length)
      )
    )
    body.once("error", reject)
  })

/**
 * An `HttpClientResponse` read straight from undici's response: headers are
 * converted on first use, the body is read once (on the first `text`, `json`,
 * `arrayBuffer`, ... call) and kept, or streamed by `stream`.
 */
class UndiciResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly request: HttpClientRequest.HttpClientRequest
  readonly status: number
  private readonly source: Dispatcher.ResponseData
  private readonly requestUrl: URL
  private cachedHeaders: Headers.Headers | undefined
  private cachedCookies: Cookies.Cookies | undefined
  private bytesEffect: Effect.Effect<Buffer, HttpClientError.HttpClientError> | undefined
  private textEffect: Effect.Effect<string, HttpClientError.HttpClientError> | undefined

  constructor(request: HttpClientRequest.HttpClientRequest, url: URL, source: Dispatcher.ResponseData) {
    super()
    this.request = request
    this.requestUrl = url
    this.source = source
    this.status = source.statusCode
  }

  get url(): string {
    const href = this.requestUrl.href
    const hash = href.indexOf("#")
    return hash === -1 ? href : href.slice(0, hash)
  }

  get headers(): Headers.Headers {
    if (this.cachedHeaders === undefined) this.cachedHeaders = headersFromUndici(this.source.headers)
    return this.cachedHeaders
  }

  get cookies(): Cookies.Cookies {
    if (this.cachedCookies !== undefined) return this.cachedCookies
    const setCookie = this.source.headers["set-cookie"]
    this.cachedCookies =
      setCookie === undefined
        ? Cookies.empty
        : Cookies.fromSetCookie(typeof setCookie === "string" ? [setCookie] : setCookie)
    return this.cachedCookies
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  private decodeFailure(cause: unknown) {
    return new HttpClientError.HttpClientError({
      reason: new HttpClientError.DecodeError({ request: this.request, response: this, cause })
    })
  }

  /** The whole body, read once; every reader after the first shares the result. */
  private get bytes(): Effect.Effect<Buffer, HttpClientError.HttpClientError> {
    if (this.bytesEffect !== undefined) return this.bytesEffect
    let promise: Promise<Buffer> | undefined
    this.bytesEffect = Effect.callback<Buffer, HttpClientError.HttpClientError>((resume) => {
      promise ??= collect(this.source.body)
      promise.then(
        (bytes) => resume(Effect.succeed(bytes)),
        (cause) => resume(Effect.fail(this.decodeFailure(cause)))
      )
      // An interrupted read destroys the body, which aborts the request.
      return Effect.sync(() => {
        if (!this.source.body.readableEnded) this.source.body.destroy()
      })
    })
    return this.bytesEffect
  }

  get text(): Effect.Effect<string, HttpClientError.HttpClientError> {
    if (this.textEffect === undefined) this.textEffect = Effect.map(this.bytes, utf8)
    return this.textEffect
  }

  get json(): Effect.Effect<Schema.Json, HttpClientError.HttpClientError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => (text === "" ? null : JSON.parse(text)) as Schema.Json,
        catch: (cause) => this.decodeFailure(cause)
      })
    )
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.HttpClientError> {
    return Effect.map(this.bytes, (bytes) => {
      const copy = new Uint8Array(bytes.byteLength)
      copy.set(bytes)
      return copy.buffer
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.HttpClientError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.decodeFailure(cause)
      })
    )
  }

  get formData(): Effect.Effect<FormData, HttpClientError.HttpClientError> {
    return Effect.flatMap(this.bytes, (bytes) =>
      Effect.tryPromise({
        try: () => {
          const contentType = this.source.headers["content-type"]
          const init: ResponseInit =
            typeof contentType === "string" ? { headers: { "content-type": contentType } } : {}
          return new Response(new Uint8Array(bytes) as Uint8Array<ArrayBuffer>, init).formData()
        },
        catch: (cause) => this.decodeFailure(cause)
      })
    )
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.HttpClientError> {
    return Stream.suspend(() =>
      this.source.body.bodyUsed
        ? Stream.fail(this.decodeFailure(new Error("the response body was already read")))
        : Stream.fromAsyncIterable(this.source.body as AsyncIterable<Uint8Array>, (cause) =>
            this.decodeFailure(cause)
          )
    )
  }

  get upgrade(): Effect.Effect<Socket.Socket, HttpClientError.HttpClientError> {
    return Effect.fail(
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.StatusCodeError({
          request: this.request,
          response: this,
          description: "NodeHttpClient does not hand over connections (HTTP upgrade)"
        })
      })
    )
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }

  pipe() {
    // biome-ignore lint/complexity/noArguments: Pipeable's calling convention
    return pipeArguments(this, arguments)
  }
}

/**
 * Sends one request. `signal` aborts it: the AbortSignal of `HttpClient.make`
 * (which aborts it on interruption), or an emitter that is made to emit
 * `abort` here when the wait for the answer is interrupted.
 */
const send = (
  dispatcher: Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  signal: AbortSignal | EventEmitter,
  context: Context.Context<never>
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  let body = bodyOf(request, context)
  if (body instanceof HttpClientError.HttpClientError) return Effect.fail(body)
  let headers = request.headers as unknown as Record<string, string>
  if (body instanceof Response) {
    headers = { ...headers, "content-type": body.headers.get("content-type") ?? "multipart/form-data" }
    body = body.body as unknown as AsyncIterable<Uint8Array>
  }
  if (request.headers.upgrade !== undefined) {
    return Effect.fail(encodeFailure(request, "NodeHttpClient does not send HTTP upgrade requests"))
  }
  return Effect.callback<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
    try {
      dispatcher.request(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: request.method as Dispatcher.HttpMethod,
          headers,
          body: (body ?? null) as unknown as NonNullable<Dispatcher.RequestOptions["body"]> | null,
          signal
        },
        (error, data) => {
          if (error) resume(Effect.fail(transportFailure(request, error)))
          else resume(Effect.succeed(new UndiciResponse(request, url, data)))
        }
      )
    } catch (cause) {
      // undici throws synchronously on invalid arguments (e.g. a bad header).
      resume(Effect.fail(transportFailure(request, cause)))
    }
    if (signal instanceof EventEmitter) return Effect.sync(() => signal.emit("abort"))
  })
}

/**
 * An `HttpClient` over an undici dispatcher, built with `HttpClient.make`:
 * spans, trace propagation, `HttpClient.withScope`, and an abort when an
 * unread response is garbage-collected. Interruption aborts the request;
 * failures to send carry undici's error (with its `code`) as the
 * `TransportError` cause.
 */
export const fromDispatcher = (dispatcher: Dispatcher): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal, fiber) => send(dispatcher, request, url, signal, fiber.context))

const urlOf = (request: HttpClientRequest.HttpClientRequest) =>
  Url.make(request.url, request.urlParams, Option.getOrUndefined(request.hash))

/**
 * The same transport with less work per request when the request is not
 * traced (`HttpClient.TracerDisabledWhen` or `Tracer.DisablePropagation`, as
 * Kenar calls are): no `AbortController`/`AbortSignal` (an emitter aborts
 * undici instead), no garbage-collection registration and no response
 * wrapper. Interruption still aborts the request, while waiting for the
 * answer and while reading its body. Not for `HttpClient.withScope`, and a
 * response must be read (or its body streamed) to free its connection.
 * Traced requests go through {@link fromDispatcher}.
 */
export const fromDispatcherLean = (dispatcher: Dispatcher): HttpClient.HttpClient => {
  const traced = fromDispatcher(dispatcher)
  const client = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (effect) =>
      Effect.flatMap(effect, (request) =>
        Effect.withFiber((fiber) => {
          if (
            !fiber.getRef(Tracer.DisablePropagation) &&
            !fiber.getRef(HttpClient.TracerDisabledWhen)(request)
          ) {
            return traced.execute(request)
          }
          const url = urlOf(request)
          if (Result.isFailure(url)) {
            return Effect.fail(
              new HttpClientError.HttpClientError({
                reason: new HttpClientError.InvalidUrlError({ request, cause: url.failure })
              })
            )
          }
          return send(dispatcher, request, url.success, new EventEmitter(), fiber.context)
        })
      ),
    Effect.succeed
  )
  // Kenar calls skip the HttpClient machinery altogether (uploads still use the client)
  return KenarTransport.attach(client, transportFromDispatcher(dispatcher))
}

/** `origin` and `path` of an absolute URL, split without parsing when it is already normal. */
/** Whether an origin string is already in normal form (as `new URL(...).origin` writes it). */
const origins = new Map<string, boolean>()
const isNormalOrigin = (origin: string): boolean => {
  let normal = origins.get(origin)
  if (normal === undefined) {
    try {
      normal = new URL(origin).origin === origin
    } catch {
      normal = false
    }
    if (origins.size < 64) origins.set(origin, normal)
  }
  return normal
}

/** A path and query that URL parsing would leave as they are: nothing to escape, no dot segments. */
const plainPath = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@%/?]*$/
const dotSegment = /(?:^|\/)\.\.?(?:[/?]|$)/

/**
 * `origin` and `path` of an absolute URL without a fragment: split as is when
 * parsing would not change it (Kenar's own calls), else through `new URL`,
 * so a path goes out the same way whatever was sent before.
 */
const splitUrl = (url: string): { readonly origin: string; readonly path: string } | undefined => {
  const scheme = url.indexOf("://")
  const slash = scheme === -1 ? -1 : url.indexOf("/", scheme + 3)
  const origin = slash === -1 ? url : url.slice(0, slash)
  const path = slash === -1 ? "/" : url.slice(slash)
  if (isNormalOrigin(origin) && plainPath.test(path) && !dotSegment.test(path)) return { origin, path }
  try {
    const parsed = new URL(url)
    return { origin: parsed.origin, path: parsed.pathname + parsed.search }
  } catch {
    return undefined
  }
}

/** Response headers as a record: lower-case names, repeated headers joined with ", ". */
const headersOfRaw = (raw: ReadonlyArray<Buffer | string>): Record<string, string> => {
  const out: Record<string, string> = Object.create(null)
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString("latin1").toLowerCase()
    const value = raw[i + 1]!.toString("latin1")
    const previous = out[name]
    out[name] = previous === undefined ? value : `${previous}, ${value}`
  }
  return out
}

/**
 * An undici dispatch handler that collects one whole answer (the low-level
 * API under `undici.request`, without its Readable stream, async resource
 * and callback). Settles once: with the answer, or with the failure and the
 * phase it happened in.
 */
class CallHandler implements Dispatcher.DispatchHandler {
  private abortRequest: ((reason?: Error) => void) | undefined
  private abortReason: Error | undefined
  private status = 0
  private rawHeaders: ReadonlyArray<Buffer | string> = []
  private readonly chunks: Array<Buffer> = []
  private length = 0
  private readonly settle: (outcome: KenarTransport.Answer | KenarTransport.Failure) => void

  constructor(settle: (outcome: KenarTransport.Answer | KenarTransport.Failure) => void) {
    this.settle = settle
  }

  /** Stops the request now, or as soon as it is connected. */
  abort(reason: Error): void {
    if (this.abortRequest !== undefined) this.abortRequest(reason)
    else this.abortReason = reason
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.abortReason !== undefined) abort(this.abortReason)
    else this.abortRequest = abort
  }

  onHeaders(statusCode: number, rawHeaders: Array<Buffer>): boolean {
    // 1xx informational answers are not the answer
    if (statusCode < 200) return true
    this.status = statusCode
    this.rawHeaders = rawHeaders
    return true
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk)
    this.length += chunk.length
    return true
  }

  onComplete(): void {
    const chunks = this.chunks
    const bytes =
      chunks.length === 1
        ? chunks[0]!
        : chunks.length === 0
          ? Buffer.alloc(0)
          : Buffer.concat(chunks, this.length)
    this.settle({ status: this.status, headers: headersOfRaw(this.rawHeaders), text: utf8(bytes) })
  }

  onError(error: Error): void {
    this.settle(KenarTransport.failure(this.status === 0 ? "request" : "body", error))
  }
}

/** Why the transport stopped a request: its deadline passed, or the call was interrupted. */
class CallAborted extends Error {
  override readonly name = "AbortError"
}

/**
 * The client's calls straight over undici (`KenarTransport`): one
 * `dispatcher.dispatch` with a handler that collects the whole answer (no
 * response stream), the deadline as one timer. The deadline or an
 * interruption aborts the request; a late answer is dropped.
 */
export const transportFromDispatcher = (dispatcher: Dispatcher): KenarTransport.KenarTransport["Service"] => {
  compileSchemas()
  return {
    send: (request, timeoutMillis) => {
      // a fragment is never sent
      const hash = request.url.indexOf("#")
      const target = splitUrl(hash === -1 ? request.url : request.url.slice(0, hash))
      if (target === undefined) {
        return Effect.fail(KenarTransport.failure("request", new TypeError(`Invalid URL: ${request.url}`)))
      }
      return Effect.callback<KenarTransport.Answer, KenarTransport.Failure>((resume) => {
        let done = false
        const handler = new CallHandler((outcome) => {
          if (done) return
          done = true
          cancelDeadline()
          resume("_tag" in outcome ? Effect.fail(outcome) : Effect.succeed(outcome))
        })
        const cancelDeadline = KenarTransport.deadline(timeoutMillis, () => {
          if (done) return
          done = true
          resume(Effect.fail(KenarTransport.failure("timeout", undefined)))
          handler.abort(new CallAborted(`no answer within ${timeoutMillis} ms`))
        })
        try {
          dispatcher.dispatch(
            {
              origin: target.origin,
              path: target.path,
              method: request.method as Dispatcher.HttpMethod,
              headers: request.headers,
              body: request.body ?? null
            },
            handler
          )
        } catch (cause) {
          // undici throws synchronously on invalid arguments (e.g. a bad header).
          handler.onError(cause instanceof Error ? cause : new Error(String(cause)))
        }
        return Effect.sync(() => {
          if (done) return
          done = true
          cancelDeadline()
          handler.abort(new CallAborted("the call was interrupted"))
        })
      })
    }
  }
}
