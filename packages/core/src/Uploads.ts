/**
 * Media uploads: images and videos for `general_data.images` and
 * `general_data.video`.
 *
 * ```ts
 * import { Effect, Layer } from "effect"
 * import * as FetchHttpClient from "effect/http/FetchHttpClient"
 * import { KenarAuth, KenarClient, Posts, Uploads } from "@kenar/core"
 *
 * const KenarLive = Layer.mergeAll(KenarClient.layer(), Uploads.layer({ apiKey })).pipe(
 *   Layer.provide(KenarAuth.layer({ apiKey })),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 *
 * const program = Effect.gen(function* () {
 *   const photo = yield* Uploads.uploadImage(bytes, { onProgress: (p) => console.log(p.sent, p.total) })
 *   const clip = yield* Uploads.uploadVideo(file)
 *   yield* Posts.submitPostV2({
 *     business_token,
 *     category_fields,
 *     general_data: { ...generalData, images: [photo.path], video: Uploads.postVideo(clip, 34) }
 *   })
 * })
 * ```
 *
 * What an upload does:
 *
 * 1. Reads the input's first bytes and decides its content type (JPEG, PNG,
 *    WebP, MP4); an empty or unrecognised input, or an image sent as a video,
 *    fails with an {@link UploadError} before any I/O. A `contentType` you
 *    give wins, if it is of the right kind and does not contradict the bytes.
 * 2. Asks Kenar where to upload (`Posts.getUploadUrls`: once per call or per
 *    {@link uploadMany} batch, never cached: the URLs may change).
 * 3. Checks the URL: its host must be on the allow-list ({@link DEFAULT_ALLOWED_HOSTS}
 *    or your `allowedHosts`, plus the client's base URL host), and it must be
 *    https when the base URL is. Otherwise nothing is sent.
 * 4. Streams the bytes with the method Kenar named, `Content-Type`,
 *    `x-api-key` and no `Authorization` header. Redirects are not followed:
 *    a 3xx answer fails with reason `"Redirected"`. With `FetchHttpClient`
 *    uploads run with `FetchHttpClient.RequestInit` `redirect: "manual"`
 *    (merged over yours: by default `fetch` follows redirects and keeps
 *    custom headers such as `x-api-key` on the new host); the undici
 *    transport of `@kenar/node` never follows. Do not give the uploader an
 *    `HttpClient` wrapped in `HttpClient.followRedirects`: it keeps
 *    `x-api-key` across hosts too.
 * 5. Retries 429 (not the daily quota), 502/503/504 and broken connections
 *    with the client's retry policy, but only when the input can be read
 *    again (bytes, a `Blob`, a file path in `@kenar/node`); a one-shot
 *    stream is sent once.
 *
 * Inputs are never read whole into memory: they are streamed as the
 * transport pulls them, and `onProgress` counts those bytes. Interrupting
 * the fiber aborts the upload.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { constTrue, identity } from "effect/Function"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpBody from "effect/http/HttpBody"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { type Answer, apiError, decodeSuccess, timeoutError, transportError } from "./internal/classify.js"
import { protoString, rule } from "./internal/proto.js"
import * as internal from "./internal/upload.js"
import { KenarClient } from "./KenarClient.js"
import { AbortedError, type CommonError, CredentialError, ValidationError } from "./KenarError.js"
import { settle } from "./KenarPromiseClient.js"
import * as Operation from "./Operation.js"
import type * as PostSchema from "./PostSchema.js"
import * as Posts from "./Posts.js"
import * as RetryPolicy from "./RetryPolicy.js"

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

/**
 * Why an upload failed on the SDK's side:
 *
 * - `EmptyInput`: the input has no bytes.
 * - `UnsupportedType`: the bytes are not a format Kenar takes (JPEG, PNG,
 *   WebP, MP4) and no `contentType` was given, or `contentType` is not an
 *   image or video media type.
 * - `TypeMismatch`: image bytes (or an image `contentType`) sent as a video,
 *   or the other way round.
 * - `SizeMismatch`: the input gave more or fewer bytes than its declared `size`.
 * - `SourceFailed`: reading the input failed (a file that cannot be opened,
 *   a stream that errored or gave something other than bytes).
 * - `InvalidTarget`: Kenar's answer had no usable upload URL or method.
 * - `UntrustedHost`: the upload URL's host is not on the allow-list; nothing was sent.
 * - `InsecureUrl`: the upload URL is plain http while the API is https; nothing was sent.
 * - `Redirected`: the upload host answered with a redirect, which is not followed.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadErrorReason =
  | "EmptyInput"
  | "UnsupportedType"
  | "TypeMismatch"
  | "SizeMismatch"
  | "SourceFailed"
  | "InvalidTarget"
  | "UntrustedHost"
  | "InsecureUrl"
  | "Redirected"

/**
 * An upload failed on the SDK's side (see {@link UploadErrorReason}).
 * Answers of the upload host are reported with the SDK's API and transport
 * errors instead. Carries no secret: hosts are named, URLs (whose query may
 * be a signature) are not.
 *
 * @since 0.1.0
 * @category errors
 */
export class UploadError extends /* @__PURE__ */ Data.TaggedError("UploadError")<{
  /** `"uploadImage"`, `"uploadVideo"`, `"uploadImageV1"` or `"uploadMany"`. */
  readonly operation: string
  readonly reason: UploadErrorReason
  readonly message: string
  /** The host involved (`UntrustedHost`, `InsecureUrl`, `Redirected`, `InvalidTarget`). */
  readonly host?: string | undefined
  /** HTTP status of a `Redirected` answer. */
  readonly httpStatus?: number | undefined
  /** What went wrong reading the input (`SourceFailed`). */
  readonly cause?: unknown
}> {
  /** Discriminates API errors from local ones. */
  readonly kind = "local" as const
}

/**
 * Whether a value is an {@link UploadError}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isUploadError = (u: unknown): u is UploadError => u instanceof UploadError

/**
 * Every way an upload can fail: {@link UploadError}, and the errors of any
 * Kenar call (getting the URLs, credentials, transport, the upload host's
 * answer).
 *
 * @since 0.1.0
 * @category models
 */
export type UploadFailure = UploadError | CommonError

// -----------------------------------------------------------------------------
// answers
// -----------------------------------------------------------------------------

const nonEmptyString = (what: string) =>
  Schema.String.check(rule<string>("non-empty", `Expected a non-empty ${what}`, (s) => s.trim().length > 0))

/**
 * The image upload's answer: `path` goes into `general_data.images`.
 *
 * @since 0.1.0
 * @category responses
 */
export const ImageUploadResponse = /* @__PURE__ */ Schema.Struct({
  path: /* @__PURE__ */ nonEmptyString("image path"),
  photo_url: protoString,
  thumbnail_url: protoString
})

/**
 * The video upload's answer: `video_name` and `thumbnail_name` go into
 * `general_data.video` (see {@link postVideo}).
 *
 * @since 0.1.0
 * @category responses
 */
export const VideoUploadResponse = /* @__PURE__ */ Schema.Struct({
  video_name: /* @__PURE__ */ nonEmptyString("video name"),
  video_url: protoString,
  thumbnail_name: /* @__PURE__ */ nonEmptyString("thumbnail name"),
  thumbnail_url: protoString
})

/**
 * The deprecated v1 image upload's answer.
 *
 * @since 0.1.0
 * @category responses
 */
export const ImageUploadV1Response = /* @__PURE__ */ Schema.Struct({
  path: /* @__PURE__ */ nonEmptyString("image path")
})

/**
 * What the SDK adds to an upload's answer: which kind it was, the content
 * type sent, and how many bytes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sent {
  readonly contentType: string
  /** Bytes sent. */
  readonly size: number
}

/**
 * An uploaded image; put `path` in `general_data.images`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ImageUpload extends Sent {
  readonly kind: "image"
  readonly path: string
  readonly photo_url: string
  readonly thumbnail_url: string
}

/**
 * An uploaded video; {@link postVideo} turns it into `general_data.video`.
 *
 * @since 0.1.0
 * @category models
 */
export interface VideoUpload extends Sent {
  readonly kind: "video"
  readonly video_name: string
  readonly video_url: string
  readonly thumbnail_name: string
  readonly thumbnail_url: string
}

/**
 * An image uploaded through the deprecated v1 flow.
 *
 * @since 0.1.0
 * @category models
 */
export interface ImageUploadV1 extends Sent {
  readonly kind: "image"
  readonly path: string
}

/**
 * The `general_data.video` value of an uploaded video, given its duration
 * in seconds (rounded to whole seconds). Throws a `RangeError` for a
 * negative or non-finite duration.
 *
 * ```ts
 * general_data: { ...rest, video: Uploads.postVideo(clip, 34) }
 * // { name: "raw/….mp4", thumbnail_name: "thumbnail/….jpg", duration: "34" }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const postVideo = (
  video: Pick<VideoUpload, "video_name" | "thumbnail_name">,
  durationSeconds: number
): PostSchema.PostVideo => {
  if (!Number.isFinite(durationSeconds) || durationSeconds < 0) {
    throw new RangeError(`Uploads.postVideo: duration must be a non-negative number of seconds`)
  }
  return {
    name: video.video_name,
    thumbnail_name: video.thumbnail_name,
    duration: String(Math.round(durationSeconds))
  }
}

// -----------------------------------------------------------------------------
// inputs
// -----------------------------------------------------------------------------

const SourceTypeId = "~@kenar/core/Uploads/UploadSource" as const

/**
 * Bytes to upload, however they are read. Build one with {@link makeSource}
 * for a source of your own (`@kenar/node` does for file paths).
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadSource {
  readonly [SourceTypeId]: typeof SourceTypeId
  /** The byte count when known (sent as `Content-Length`, and checked). */
  readonly size: number | undefined
  /** Whether {@link UploadSource.open} may be called again (for retries). */
  readonly replayable: boolean
  /** The bytes as a stream; a source that is not replayable is opened once. */
  readonly open: () => Stream.Stream<Uint8Array, unknown>
  /** The first `length` bytes without opening the whole (replayable sources only). */
  readonly head: ((length: number) => Effect.Effect<Uint8Array, unknown>) | undefined
  /** The whole body in one piece, for sources already in memory (see `bodyMode`). */
  readonly whole: ((contentType: string) => HttpBody.HttpBody) | undefined
}

/**
 * What can be uploaded: bytes, a `Blob`/`File`, a web `ReadableStream`, an
 * async iterable of bytes, an Effect `Stream`, or an {@link UploadSource}.
 * Bytes and Blobs are replayable (retried); streams are sent once.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadInput =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Stream.Stream<Uint8Array, unknown>
  | UploadSource

/**
 * Whether a value is an {@link UploadSource}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isUploadSource = (u: unknown): u is UploadSource =>
  typeof u === "object" && u !== null && SourceTypeId in u

/**
 * A source of your own. `open` is called once per attempt; say
 * `replayable: true` only when each call reads the same bytes afresh.
 *
 * ```ts
 * const source = Uploads.makeSource({ size, replayable: true, open: () => Stream.fromReadableStream(...) })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSource = (options: {
  readonly open: () => Stream.Stream<Uint8Array, unknown>
  readonly size?: number | undefined
  readonly replayable?: boolean | undefined
  readonly head?: ((length: number) => Effect.Effect<Uint8Array, unknown>) | undefined
  readonly whole?: ((contentType: string) => HttpBody.HttpBody) | undefined
}): UploadSource => ({
  [SourceTypeId]: SourceTypeId,
  size: options.size,
  replayable: options.replayable ?? false,
  open: options.open,
  head: options.replayable ? options.head : undefined,
  whole: options.whole
})

/**
 * Bytes in memory: replayable, streamed in 64 KiB views (no copy).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBytes = (bytes: Uint8Array): UploadSource =>
  makeSource({
    size: bytes.byteLength,
    replayable: true,
    open: () => internal.bytesStream(bytes),
    head: (length) => Effect.succeed(bytes.subarray(0, length)),
    whole: (contentType) => HttpBody.uint8Array(bytes, contentType)
  })

/**
 * A `Blob` or `File`: replayable, streamed with `blob.stream()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBlob = (blob: Blob): UploadSource =>
  makeSource({
    size: blob.size,
    replayable: true,
    open: () => Stream.fromReadableStream({ evaluate: () => blob.stream(), onError: identity }),
    head: (length) =>
      Effect.map(
        Effect.tryPromise({ try: () => blob.slice(0, length).arrayBuffer(), catch: identity }),
        (buffer) => new Uint8Array(buffer)
      ),
    whole: (contentType) => HttpBody.raw(blob, { contentType, contentLength: blob.size })
  })

/**
 * A web `ReadableStream` of bytes: sent once (never retried).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromReadableStream = (
  stream: ReadableStream<Uint8Array>,
  options: { readonly size?: number | undefined } = {}
): UploadSource =>
  makeSource({
    size: options.size,
    open: () => Stream.fromReadableStream({ evaluate: () => stream, onError: identity })
  })

/**
 * An async iterable of bytes (a Node `Readable`, an async generator): sent
 * once (never retried).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromAsyncIterable = (
  iterable: AsyncIterable<Uint8Array>,
  options: { readonly size?: number | undefined } = {}
): UploadSource =>
  makeSource({ size: options.size, open: () => Stream.fromAsyncIterable(iterable, identity) })

/**
 * An Effect `Stream` of bytes. Sent once unless you say it is `replayable`
 * (running it again reads the same bytes, e.g. `Stream.fromIterable(chunks)`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStream = (
  stream: Stream.Stream<Uint8Array, unknown>,
  options: { readonly size?: number | undefined; readonly replayable?: boolean | undefined } = {}
): UploadSource => makeSource({ size: options.size, replayable: options.replayable, open: () => stream })

/**
 * Turns any {@link UploadInput} into a source, or `undefined` for a value
 * that is none of them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toSource = (
  input: UploadInput,
  options: { readonly size?: number | undefined } = {}
): UploadSource | undefined => {
  if (isUploadSource(input)) return input
  if (input instanceof Uint8Array) return fromBytes(input)
  if (input instanceof ArrayBuffer) return fromBytes(new Uint8Array(input))
  if (typeof Blob !== "undefined" && input instanceof Blob) return fromBlob(input)
  if (typeof ReadableStream !== "undefined" && input instanceof ReadableStream) {
    return fromReadableStream(input, options)
  }
  if (Stream.isStream(input)) return fromStream(input as Stream.Stream<Uint8Array, unknown>, options)
  if (typeof input === "object" && input !== null && Symbol.asyncIterator in input) {
    return fromAsyncIterable(input, options)
  }
  return undefined
}

// -----------------------------------------------------------------------------
// service
// -----------------------------------------------------------------------------

/**
 * Hosts the API key may be sent to by default: `divar.ir` and its
 * subdomains (`open-api.divar.ir`, and the upload hosts Kenar answers
 * with). The client's base URL host is always allowed besides.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_ALLOWED_HOSTS: ReadonlyArray<string> = ["divar.ir", "*.divar.ir"]

/**
 * What uploads need besides the {@link KenarClient}: the transport to send
 * bytes with, the API key, and the allow-list of upload hosts.
 *
 * @since 0.1.0
 * @category services
 */
export class Uploader extends /* @__PURE__ */ Context.Service<
  Uploader,
  {
    readonly http: HttpClient.HttpClient
    /** Adds `x-api-key` (and nothing else) to an upload request. */
    readonly authorize: (
      request: HttpClientRequest.HttpClientRequest,
      operation: string
    ) => Effect.Effect<HttpClientRequest.HttpClientRequest, CredentialError>
    /** Host names and `*.domain` patterns, lower case. */
    readonly allowedHosts: ReadonlyArray<string>
  }
>()("@kenar/core/Uploads/Uploader") {}

/**
 * Options of {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploaderOptions {
  /** The app's API key. Without it, uploads fail with a `CredentialError`. */
  readonly apiKey?: string | Redacted.Redacted<string> | undefined
  /**
   * Hosts upload URLs may point at, replacing {@link DEFAULT_ALLOWED_HOSTS}:
   * exact host names, or `"*.example.com"` for any subdomain. The client's
   * base URL host is always allowed.
   */
  readonly allowedHosts?: ReadonlyArray<string> | undefined
}

const normalizeHosts = (hosts: ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  (hosts ?? DEFAULT_ALLOWED_HOSTS).map(internal.checkHostPattern)

const makeWith = (
  http: HttpClient.HttpClient,
  apiKey: Redacted.Redacted<string> | undefined,
  allowedHosts: ReadonlyArray<string>
): Uploader["Service"] => ({
  http,
  allowedHosts,
  authorize: (request, operation) =>
    apiKey === undefined || Redacted.value(apiKey) === ""
      ? Effect.fail(
          new CredentialError({
            operation,
            credential: "apiKey",
            message: "No API key for uploads: pass `apiKey` to Uploads.layer or set KENAR_API_KEY"
          })
        )
      : Effect.succeed(
          HttpClientRequest.removeHeader(
            HttpClientRequest.setHeader(request, "x-api-key", Redacted.value(apiKey)),
            "authorization"
          )
        )
})

/**
 * The uploader a client implies when no {@link Uploader} is provided: its
 * transport, its API key (and no access token), the default allow-list.
 */
const fromClient = (client: KenarClient["Service"], http: HttpClient.HttpClient): Uploader["Service"] => ({
  http,
  allowedHosts: normalizeHosts(undefined),
  // the client's auth adds its headers to a bare request; they are copied onto the upload's
  authorize: (request, operation) =>
    Effect.map(
      client.auth.authorize(
        { method: "PUT", url: request.url, headers: {}, body: undefined },
        { operation, scopes: undefined, accessToken: undefined }
      ),
      (authorized) => {
        const { authorization: _token, ...headers } = authorized.headers
        return HttpClientRequest.removeHeader(HttpClientRequest.setHeaders(request, headers), "authorization")
      }
    )
})

const toRedacted = (key: string | Redacted.Redacted<string> | undefined) =>
  key === undefined
    ? undefined
    : Redacted.isRedacted(key)
      ? key
      : Redacted.make(key, { label: "kenar-secret" })

/**
 * Builds the uploader over the `HttpClient` in context. Throws a
 * `TypeError` at once for an invalid `allowedHosts` entry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: UploaderOptions = {}
): Effect.Effect<Uploader["Service"], never, HttpClient.HttpClient> => {
  const hosts = normalizeHosts(options.allowedHosts)
  const apiKey = toRedacted(options.apiKey)
  return HttpClient.HttpClient.useSync((http) => makeWith(http, apiKey, hosts))
}

/**
 * The uploader layer, over the `HttpClient` in context (give it the same
 * transport as the client).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: UploaderOptions = {}): Layer.Layer<Uploader, never, HttpClient.HttpClient> =>
  Layer.effect(Uploader, make(options))

/**
 * The uploader layer with the API key read from `KENAR_API_KEY` (as
 * `Redacted`) when `options.apiKey` is not given. A missing key fails
 * uploads with a `CredentialError`, not the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: {
    readonly apiKey?: Config.Config<Redacted.Redacted<string>> | undefined
    readonly allowedHosts?: ReadonlyArray<string> | undefined
  } = {}
): Layer.Layer<Uploader, Config.ConfigError, HttpClient.HttpClient> => {
  const hosts = normalizeHosts(options.allowedHosts)
  return Layer.effect(
    Uploader,
    Effect.gen(function* () {
      const http = yield* HttpClient.HttpClient
      const apiKey =
        options.apiKey === undefined
          ? Option.getOrUndefined(yield* Config.option(Config.Redacted("KENAR_API_KEY")))
          : yield* options.apiKey
      return makeWith(http, apiKey, hosts)
    })
  )
}

// -----------------------------------------------------------------------------
// options
// -----------------------------------------------------------------------------

/**
 * Progress of an upload attempt: bytes the transport has pulled so far, and
 * the total when known. Within an attempt `sent` only grows; the last event
 * has `sent === total` (for an input of unknown size, `total` is given in
 * the last event only). A retry starts again from 0 with the next `attempt`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly sent: number
  readonly total: number | undefined
  readonly attempt: number
}

/**
 * Options of {@link uploadImage}, {@link uploadVideo} and {@link uploadImageV1}.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadOptions {
  /** The media type to send (e.g. `"image/png"`); default: from the input's first bytes. */
  readonly contentType?: string | undefined
  /** The input's size in bytes, when a stream's is known (sent as `Content-Length`). */
  readonly size?: number | undefined
  /** Called as the transport pulls bytes. */
  readonly onProgress?: ((progress: Progress) => void) | undefined
  /** Retry settings for this upload, or `false` (default: the client's policy). */
  readonly retry?: RetryPolicy.RetryInput | undefined
  /** Timeout of each attempt (default: none; interrupt to cancel). */
  readonly timeout?: Duration.Input | undefined
  /**
   * How bytes and Blobs are sent: `"stream"` (default; progress as the
   * transport pulls) or `"whole"` (one body: the transport sets
   * `Content-Length` itself, which `fetch` does not do for streams; progress
   * then goes from 0 to the total at once). Streams are always streamed.
   */
  readonly bodyMode?: "stream" | "whole" | undefined
}

/**
 * Options of {@link uploadImage} and {@link uploadVideo}: those of every
 * upload, plus upload URLs already fetched for this batch.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadV2Options extends UploadOptions {
  /** `Posts.getUploadUrls()`'s answer for this batch; default: fetched for this upload. */
  readonly urls?: PostSchema.GetUploadURLsV2Response | undefined
}

/**
 * One input of {@link uploadMany}.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadItem extends Omit<UploadOptions, "retry" | "timeout" | "bodyMode"> {
  readonly input: UploadInput
  /** Default: from `contentType`, else from the input's first bytes. */
  readonly kind?: internal.MediaKind | undefined
}

/**
 * Options of {@link uploadMany}.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadManyOptions extends Pick<UploadOptions, "retry" | "timeout" | "bodyMode"> {
  /** How many uploads run at once (default 4). */
  readonly concurrency?: number | undefined
  /** `Posts.getUploadUrls()`'s answer; default: fetched once for the batch. */
  readonly urls?: PostSchema.GetUploadURLsV2Response | undefined
}

// -----------------------------------------------------------------------------
// internals
// -----------------------------------------------------------------------------

const definitionOf = (name: string, output: Schema.Top): Operation.Any =>
  Operation.make({
    name,
    operationId: name,
    officialName: name,
    summary: `Send media bytes to the upload URL (${name})`,
    method: "POST",
    path: "/",
    params: Schema.Struct({}),
    body: undefined,
    output,
    permission: "UPLOAD_POST_IMAGE",
    scopes: undefined,
    retry: "idempotent"
  })

const definitions = {
  uploadImage: /* @__PURE__ */ definitionOf("uploadImage", ImageUploadResponse),
  uploadVideo: /* @__PURE__ */ definitionOf("uploadVideo", VideoUploadResponse),
  uploadImageV1: /* @__PURE__ */ definitionOf("uploadImageV1", ImageUploadV1Response)
} as const

type UploadOperation = keyof typeof definitions

/** An input whose type has been decided, ready to send. */
interface Prepared {
  readonly kind: internal.MediaKind
  readonly contentType: string
  readonly size: number | undefined
  readonly replayable: boolean
  /** The body of the first attempt (a one-shot input's bytes, already peeked at). */
  readonly first: Stream.Stream<Uint8Array, unknown>
  readonly source: UploadSource
}

const uploadError = (
  operation: string,
  reason: UploadErrorReason,
  message: string,
  extra: { readonly host?: string | undefined; readonly httpStatus?: number; readonly cause?: unknown } = {}
) => new UploadError({ operation, reason, message, ...extra })

const sourceFailed = (operation: string, cause: unknown): UploadError =>
  cause instanceof UploadError
    ? cause
    : cause instanceof internal.NotBytes
      ? uploadError(operation, "SourceFailed", `the input gave ${cause.found} instead of bytes`)
      : uploadError(
          operation,
          "SourceFailed",
          `reading the input failed${cause instanceof Error ? `: ${cause.message}` : ""}`,
          { cause }
        )

const invalidOption = (operation: string, field: string, message: string) =>
  new ValidationError({
    operation,
    field,
    rule: "value",
    message,
    issues: [{ field, rule: "value", message }]
  })

const validSize = (size: number | undefined) =>
  size === undefined || (Number.isSafeInteger(size) && size >= 0)

/** Reads the first bytes, decides the type, and keeps a one-shot input's stream open in the scope. */
const prepare = (
  operation: string,
  input: UploadInput,
  options: Pick<UploadOptions, "contentType" | "size">,
  expected: internal.MediaKind | undefined
): Effect.Effect<Prepared, UploadError | ValidationError, Scope.Scope> =>
  Effect.gen(function* () {
    if (!validSize(options.size)) {
      return yield* invalidOption(operation, "size", "size must be a non-negative integer number of bytes")
    }
    const source = toSource(input, { size: options.size })
    if (source === undefined) {
      return yield* uploadError(
        operation,
        "UnsupportedType",
        "the input is not bytes, a Blob, a ReadableStream, an async iterable or a Stream"
      )
    }
    const size = source.size ?? options.size
    if (options.size !== undefined && source.size !== undefined && options.size !== source.size) {
      return yield* uploadError(
        operation,
        "SizeMismatch",
        `size is ${options.size} but the input has ${source.size} bytes`
      )
    }
    if (size === 0) return yield* uploadError(operation, "EmptyInput", "the input is empty")
    let head: Uint8Array
    let first: Stream.Stream<Uint8Array, unknown>
    if (source.replayable && source.head !== undefined) {
      head = yield* Effect.mapError(source.head(internal.HEAD_LENGTH), (e) => sourceFailed(operation, e))
      first = source.open()
    } else {
      const peeked = yield* Effect.mapError(internal.peek(source.open(), internal.HEAD_LENGTH), (e) =>
        sourceFailed(operation, e)
      )
      head = peeked.head
      first = peeked.body
    }
    if (head.byteLength === 0) return yield* uploadError(operation, "EmptyInput", "the input is empty")
    const decision = internal.decideType(head, options.contentType, expected)
    if (decision._tag === "Refused") return yield* uploadError(operation, decision.reason, decision.message)
    return {
      kind: decision.kind,
      contentType: decision.contentType,
      size,
      replayable: source.replayable,
      first,
      source
    }
  })

const bodyMethods = new Set(["POST", "PUT", "PATCH"])

/**
 * The method to send with: the one Kenar named, or the documented one when
 * the answer names none (an omitted enum decodes to its zero value, `GET`).
 */
const methodOf = (named: string, fallback: "POST" | "PUT"): "POST" | "PUT" | "PATCH" | undefined => {
  const upper = named.toUpperCase()
  if (upper === "" || upper === "GET") return fallback
  return bodyMethods.has(upper) ? (upper as "POST" | "PUT" | "PATCH") : undefined
}

const isRedirect = (status: number) => status === 0 || (status >= 300 && status < 400)

const locationHost = (response: HttpClientResponse.HttpClientResponse): string | undefined => {
  const location = response.headers.location
  if (location === undefined) return undefined
  try {
    return new URL(location, response.request.url).hostname
  } catch {
    return undefined
  }
}

/** Keeps `fetch` from following redirects (it would carry `x-api-key` to the new host). */
const withoutRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (init) =>
    Effect.provideService(effect, FetchHttpClient.RequestInit, {
      ...Option.getOrElse(init, () => ({})),
      redirect: "manual"
    })
  )

interface Target {
  readonly url: string
  readonly method: string
  readonly fallbackMethod: "POST" | "PUT"
  readonly withApiKey: boolean
}

/** Sends a prepared input to a target: checks, attempts, retries. Returns the decoded answer and the bytes sent. */
const send = (
  operation: UploadOperation,
  prepared: Prepared,
  target: Target,
  options: UploadOptions
): Effect.Effect<{ readonly answer: unknown; readonly size: number }, UploadFailure, KenarClient> =>
  Effect.gen(function* () {
    const client = yield* KenarClient
    const provided = yield* Effect.serviceOption(Uploader)
    if (Option.isNone(provided) && client.http === undefined) {
      return yield* Effect.die(
        new Error(
          "Kenar uploads: this client was built over a bare transport with no HttpClient; provide Uploads.layer (with an HttpClient) or build the client with one"
        )
      )
    }
    const uploader = Option.isSome(provided) ? provided.value : fromClient(client, client.http!)
    const definition = definitions[operation]
    const checked = internal.checkTarget(target.url, client.config.baseUrl, uploader.allowedHosts)
    if (checked._tag === "Refused") {
      return yield* uploadError(operation, checked.reason, checked.message, { host: checked.host })
    }
    const url = checked.url
    const method = methodOf(target.method, target.fallbackMethod)
    if (method === undefined) {
      return yield* uploadError(
        operation,
        "InvalidTarget",
        `Kenar named ${target.method} as the upload method; only POST, PUT and PATCH carry a body`,
        { host: url.hostname }
      )
    }
    const timeout = options.timeout === undefined ? undefined : Duration.fromInputUnsafe(options.timeout)
    let attempts = 0
    let lastStatus: number | undefined

    const sendOnce = Effect.suspend(() => {
      const attempt = ++attempts
      let bodyFailure: UploadError | undefined
      let sent = 0
      const onBodyFailure = (error: unknown) =>
        Effect.sync(() => {
          bodyFailure = sourceFailedOrSize(operation, error)
        })
      const whole =
        options.bodyMode === "whole" && prepared.source.whole !== undefined && prepared.size !== undefined
          ? prepared.source.whole(prepared.contentType)
          : undefined
      const total = prepared.size
      const body =
        whole ??
        HttpBody.stream(
          internal
            .account(attempt === 1 ? prepared.first : prepared.source.open(), {
              total,
              attempt,
              onProgress: options.onProgress,
              onSent: (n) => {
                sent = n
              }
            })
            .pipe(Stream.tapError(onBodyFailure)),
          prepared.contentType,
          total
        )
      let request = HttpClientRequest.make(method)(url, {
        headers:
          client.config.userAgent === undefined
            ? { accept: "application/json" }
            : { accept: "application/json", "user-agent": client.config.userAgent }
      })
      request = HttpClientRequest.setBody(request, body)
      const authorized = target.withApiKey
        ? uploader.authorize(request, operation)
        : Effect.succeed(HttpClientRequest.removeHeader(request, "authorization"))
      const report = (progress: Progress) => Effect.sync(() => options.onProgress?.(progress))
      return Effect.gen(function* () {
        const ready = yield* authorized
        yield* report({ sent: 0, total, attempt })
        const response = yield* uploader.http
          .execute(ready)
          .pipe(
            Effect.mapError(
              (error): UploadFailure => bodyFailure ?? transportError(definition, error, attempt, "request")
            )
          )
        lastStatus = response.status
        const text = yield* Effect.mapError(
          response.text,
          (error): UploadFailure => transportError(definition, error, attempt, "body")
        )
        if (isRedirect(response.status)) {
          const host = locationHost(response)
          return yield* uploadError(
            operation,
            "Redirected",
            `the upload host answered HTTP ${response.status} (a redirect${host === undefined ? "" : ` to ${host}`}); redirects are not followed, so the API key stays on the allow-list`,
            { host, httpStatus: response.status }
          )
        }
        const now = yield* Clock.currentTimeMillis
        const answer: Answer = { status: response.status, headers: response.headers, text, attempt, now }
        if (response.status < 200 || response.status >= 300) {
          // No specific errors are declared for uploads, so apiError gives common ones only.
          return yield* Effect.fail(apiError(definition, answer) as CommonError)
        }
        if (bodyFailure !== undefined) return yield* Effect.fail(bodyFailure)
        const decoded = yield* decodeSuccess(definition, answer)
        if (whole !== undefined) {
          sent = total ?? 0
          yield* report({ sent, total, attempt })
        }
        return { answer: decoded, size: sent }
      }).pipe(
        timeout === undefined
          ? identity
          : Effect.timeoutOrElse({
              duration: timeout,
              orElse: () => Effect.fail(timeoutError(definition, attempt, Duration.toMillis(timeout)))
            })
      )
    })

    const policy = RetryPolicy.merge(client.config.retry, options.retry)
    // UploadErrors are carried as values so the retry schedule only sees Kenar's errors.
    const attemptOnce = sendOnce.pipe(
      Effect.map((value) => Result.succeed(value)),
      Effect.catchTag("UploadError", (error) => Effect.succeed(Result.fail(error)))
    )
    const retried: Effect.Effect<
      Result.Result<{ readonly answer: unknown; readonly size: number }, UploadError>,
      CommonError
    > = !prepared.replayable || policy === false || policy.maxRetries <= 0
      ? attemptOnce
      : Effect.retry(attemptOnce, RetryPolicy.schedule(policy, "idempotent"))
    return yield* Effect.flatMap(retried, (result) => Effect.fromResult(result)).pipe(
      withoutRedirects,
      Effect.provideService(HttpClient.TracerDisabledWhen, constTrue),
      Effect.onExit((exit) =>
        Effect.annotateCurrentSpan({
          "kenar.attempts": attempts,
          "kenar.outcome": Exit.isFailure(exit) ? "failure" : "success",
          ...(lastStatus === undefined ? {} : { "http.response.status_code": lastStatus })
        })
      ),
      Effect.withSpan(`kenar.${operation}`, {
        kind: "client",
        attributes: {
          "kenar.operation": operation,
          "http.request.method": method,
          "server.address": url.hostname,
          "kenar.upload.content_type": prepared.contentType,
          ...(prepared.size === undefined ? {} : { "kenar.upload.size": prepared.size })
        }
      })
    )
  })

const sourceFailedOrSize = (operation: string, error: unknown): UploadError => {
  if (typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "SizeMismatch") {
    const mismatch = error as { expected: number; actual: number; more: boolean }
    return uploadError(
      operation,
      "SizeMismatch",
      mismatch.more
        ? `the input gave more than its declared size of ${mismatch.expected} bytes`
        : `the input gave ${mismatch.actual} bytes, not its declared ${mismatch.expected}`
    )
  }
  return sourceFailed(operation, error)
}

const imageResult = (prepared: Prepared, sent: { answer: unknown; size: number }): ImageUpload => {
  const answer = sent.answer as typeof ImageUploadResponse.Type
  return {
    kind: "image",
    path: answer.path,
    photo_url: answer.photo_url,
    thumbnail_url: answer.thumbnail_url,
    contentType: prepared.contentType,
    size: sent.size
  }
}

const videoResult = (prepared: Prepared, sent: { answer: unknown; size: number }): VideoUpload => {
  const answer = sent.answer as typeof VideoUploadResponse.Type
  return {
    kind: "video",
    video_name: answer.video_name,
    video_url: answer.video_url,
    thumbnail_name: answer.thumbnail_name,
    thumbnail_url: answer.thumbnail_url,
    contentType: prepared.contentType,
    size: sent.size
  }
}

const sendImage = (
  prepared: Prepared,
  urls: PostSchema.GetUploadURLsV2Response,
  options: UploadOptions
): Effect.Effect<ImageUpload, UploadFailure, KenarClient> =>
  Effect.map(
    send(
      "uploadImage",
      prepared,
      { url: urls.image.url, method: urls.image.http_method, fallbackMethod: "POST", withApiKey: true },
      options
    ),
    (sent) => imageResult(prepared, sent)
  )

const sendVideo = (
  prepared: Prepared,
  urls: PostSchema.GetUploadURLsV2Response,
  options: UploadOptions
): Effect.Effect<VideoUpload, UploadFailure, KenarClient> =>
  Effect.map(
    send(
      "uploadVideo",
      prepared,
      { url: urls.video.url, method: urls.video.http_method, fallbackMethod: "PUT", withApiKey: true },
      options
    ),
    (sent) => videoResult(prepared, sent)
  )

/** Checks the input, then gets the upload URLs (unless given), then sends. */
const uploadV2 = <A>(
  operation: "uploadImage" | "uploadVideo",
  input: UploadInput,
  options: UploadV2Options,
  sendTo: (
    prepared: Prepared,
    urls: PostSchema.GetUploadURLsV2Response,
    options: UploadOptions
  ) => Effect.Effect<A, UploadFailure, KenarClient>
): Effect.Effect<A, UploadFailure, KenarClient> =>
  Effect.scoped(
    Effect.gen(function* () {
      const prepared = yield* prepare(
        operation,
        input,
        options,
        operation === "uploadImage" ? "image" : "video"
      )
      const urls = options.urls ?? (yield* Posts.getUploadUrls())
      return yield* sendTo(prepared, urls, options)
    })
  )

// -----------------------------------------------------------------------------
// uploads
// -----------------------------------------------------------------------------

/**
 * Uploads an image (JPEG, PNG or WebP) through the v2 flow; put the
 * answer's `path` in `general_data.images`.
 *
 * ```ts
 * const { path } = yield* Uploads.uploadImage(bytes)
 * ```
 *
 * @since 0.1.0
 * @category uploads
 */
export const uploadImage = (
  input: UploadInput,
  options: UploadV2Options = {}
): Effect.Effect<ImageUpload, UploadFailure, KenarClient> =>
  uploadV2("uploadImage", input, options, sendImage)

/**
 * Uploads an MP4 video through the v2 flow; {@link postVideo} turns the
 * answer into `general_data.video`.
 *
 * @since 0.1.0
 * @category uploads
 */
export const uploadVideo = (
  input: UploadInput,
  options: UploadV2Options = {}
): Effect.Effect<VideoUpload, UploadFailure, KenarClient> =>
  uploadV2("uploadVideo", input, options, sendVideo)

/**
 * Uploads images and videos as one batch: every input is checked first
 * (nothing is sent if one is empty or unsupported), the upload URLs are
 * fetched once, then at most `concurrency` uploads run at a time. Results
 * come in input order; the first failure interrupts the others.
 *
 * ```ts
 * const [photo, clip] = yield* Uploads.uploadMany([{ input: jpeg }, { input: mp4, kind: "video" }], { concurrency: 2 })
 * ```
 *
 * @since 0.1.0
 * @category uploads
 */
export const uploadMany = (
  items: ReadonlyArray<UploadItem>,
  options: UploadManyOptions = {}
): Effect.Effect<Array<ImageUpload | VideoUpload>, UploadFailure, KenarClient> =>
  Effect.scoped(
    Effect.gen(function* () {
      const concurrency = options.concurrency ?? 4
      if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
        return yield* invalidOption("uploadMany", "concurrency", "concurrency must be a positive integer")
      }
      const prepared = yield* Effect.forEach(items, (item) =>
        prepare("uploadMany", item.input, item, item.kind)
      )
      if (prepared.length === 0) return []
      const urls = options.urls ?? (yield* Posts.getUploadUrls())
      return yield* Effect.forEach(
        prepared,
        (one, i): Effect.Effect<ImageUpload | VideoUpload, UploadFailure, KenarClient> => {
          const itemOptions = { ...options, onProgress: items[i]!.onProgress }
          return one.kind === "image" ? sendImage(one, urls, itemOptions) : sendVideo(one, urls, itemOptions)
        },
        { concurrency }
      )
    })
  )

/**
 * Uploads an image through the deprecated v1 flow: gets a pre-signed URL
 * (valid about 10 minutes) and POSTs the bytes there. The URL is signed, so
 * the API key is not sent with the bytes; the URL's host is still checked
 * against the allow-list. Prefer {@link uploadImage}.
 *
 * @since 0.1.0
 * @category uploads
 * @deprecated Kenar deprecated GetImageUploadURL; use {@link uploadImage}.
 */
export const uploadImageV1 = (
  input: UploadInput,
  options: UploadOptions = {}
): Effect.Effect<ImageUploadV1, UploadFailure, KenarClient> =>
  Effect.scoped(
    Effect.gen(function* () {
      const prepared = yield* prepare("uploadImageV1", input, options, "image")
      const { upload_url } = yield* Posts.getImageUploadUrl()
      const sent = yield* send(
        "uploadImageV1",
        prepared,
        { url: upload_url, method: "POST", fallbackMethod: "POST", withApiKey: false },
        options
      )
      const answer = sent.answer as typeof ImageUploadV1Response.Type
      return { kind: "image" as const, path: answer.path, contentType: prepared.contentType, size: sent.size }
    })
  )

/**
 * The image paths of a batch's results, for `general_data.images`.
 *
 * @since 0.1.0
 * @category utils
 */
export const imagePaths = (
  uploads: ReadonlyArray<ImageUpload | VideoUpload | ImageUploadV1>
): Array<string> => uploads.flatMap((upload) => (upload.kind === "image" ? [upload.path] : []))

// -----------------------------------------------------------------------------
// promises
// -----------------------------------------------------------------------------

/**
 * Options of a Promise upload: those of the Effect API plus an `AbortSignal`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseOptions {
  /** Cancels the upload: the request is aborted and the promise rejects with `AbortedError`. */
  readonly signal?: AbortSignal | undefined
}

/**
 * Uploads as async functions, for code that does not use Effect. They
 * reject with the same tagged errors as the Effect API, and with
 * `AbortedError` when the signal fires.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseUploads<In = UploadInput> {
  readonly uploadImage: (input: In, options?: UploadV2Options & PromiseOptions) => Promise<ImageUpload>
  readonly uploadVideo: (input: In, options?: UploadV2Options & PromiseOptions) => Promise<VideoUpload>
  readonly uploadMany: (
    items: ReadonlyArray<Omit<UploadItem, "input"> & { readonly input: In }>,
    options?: UploadManyOptions & PromiseOptions
  ) => Promise<Array<ImageUpload | VideoUpload>>
  /** @deprecated Kenar deprecated GetImageUploadURL; use `uploadImage`. */
  readonly uploadImageV1: (input: In, options?: UploadOptions & PromiseOptions) => Promise<ImageUploadV1>
  /** Releases the layer's resources (connection pools). */
  readonly dispose: () => Promise<void>
}

/**
 * Builds Promise uploads over a layer that provides the client and the
 * uploader. `convert` turns platform inputs (e.g. file paths) into upload
 * inputs; `@kenar/node` uses it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePromise = <E, In = UploadInput>(
  layer: Layer.Layer<KenarClient, E>,
  convert: (input: In, operation: string) => Effect.Effect<UploadInput, UploadFailure> = (input) =>
    Effect.succeed(input as unknown as UploadInput)
): PromiseUploads<In> => {
  const runtime = ManagedRuntime.make(layer)
  const run = <A>(
    operation: string,
    effect: Effect.Effect<A, UploadFailure, KenarClient>,
    signal: AbortSignal | undefined
  ): Promise<A> => {
    if (signal?.aborted) {
      return Promise.reject(
        new AbortedError({ operation, message: `${operation}: the upload was cancelled` })
      )
    }
    return runtime.runPromiseExit(effect, { signal }).then((exit) => settle(operation, exit, signal))
  }
  const strip = <O extends PromiseOptions>(options: O | undefined) => {
    const { signal, ...rest } = options ?? ({} as O)
    return { signal, rest }
  }
  return {
    uploadImage: (input, options) => {
      const { signal, rest } = strip(options)
      return run(
        "uploadImage",
        Effect.flatMap(convert(input, "uploadImage"), (converted) => uploadImage(converted, rest)),
        signal
      )
    },
    uploadVideo: (input, options) => {
      const { signal, rest } = strip(options)
      return run(
        "uploadVideo",
        Effect.flatMap(convert(input, "uploadVideo"), (converted) => uploadVideo(converted, rest)),
        signal
      )
    },
    uploadMany: (items, options) => {
      const { signal, rest } = strip(options)
      return run(
        "uploadMany",
        Effect.flatMap(
          Effect.forEach(items, (item) =>
            Effect.map(convert(item.input, "uploadMany"), (input) => ({ ...item, input }))
          ),
          (converted) => uploadMany(converted, rest)
        ),
        signal
      )
    },
    uploadImageV1: (input, options) => {
      const { signal, rest } = strip(options)
      return run(
        "uploadImageV1",
        Effect.flatMap(convert(input, "uploadImageV1"), (converted) => uploadImageV1(converted, rest)),
        signal
      )
    },
    dispose: () => runtime.dispose()
  }
}
