/**
 * Uploads from a `Blob` or `File` through your proxy, with progress. The
 * browser never holds the API key, so it cannot send bytes to Kenar's
 * upload URL itself: it sends them to the proxy's upload routes
 * (`POST {proxy}/uploads/image`, `PUT {proxy}/uploads/video` of
 * `NodeKenarProxy` with `uploads` on), which stream them on to Kenar with
 * the key and pass Kenar's answer back.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Posts } from "@kenar/core"
 * import { BrowserKenarClient, BrowserUploads } from "@kenar/browser"
 *
 * const program = Effect.gen(function* () {
 *   const photo = yield* BrowserUploads.uploadImage(file, {
 *     onProgress: ({ loaded, total }) => progress.value = loaded / total
 *   })
 *   yield* Posts.editPostV2({ post_token, update_mask: ["general_data.images"], general_data: { images: [photo.path] } })
 * })
 * Effect.runPromise(program.pipe(Effect.provide(BrowserKenarClient.layer())))
 * ```
 *
 * Progress comes from `XMLHttpRequest`'s `upload.onprogress`: the bytes the
 * browser has handed to the network, in every browser and over HTTP/1.1 as
 * well as HTTP/2. (`fetch` reports no upload progress; a streamed `fetch`
 * body needs HTTP/2 in Chromium.) The answer arrives once the proxy has
 * finished sending the bytes on to Kenar, so the last progress event may
 * come well before the result. XHR follows redirects by itself; an answer
 * from another URL than the proxy's is refused after the fact.
 *
 * Each upload runs through the core client's executor: the same timeout,
 * retry policy (a `Blob` can be sent again) and typed errors as every other
 * call, with `operation` `"uploadImage"` / `"uploadVideo"`.
 *
 * {@link makePromise} gives these uploads in the shape of core's
 * `Uploads.PromiseUploads`, which `@kenar/react`'s `KenarProvider` takes:
 *
 * ```tsx
 * const KenarLive = BrowserKenarClient.layer()
 * const uploads = BrowserUploads.makePromise(KenarLive)
 *
 * <KenarProvider layer={KenarLive} uploads={uploads}>...</KenarProvider>
 * ```
 *
 * @since 0.1.0
 */
import * as KenarAuth from "@kenar/core/KenarAuth"
import * as KenarClient from "@kenar/core/KenarClient"
import * as KenarConfig from "@kenar/core/KenarConfig"
import * as KenarError from "@kenar/core/KenarError"
import * as KenarPromiseClient from "@kenar/core/KenarPromiseClient"
import * as Operation from "@kenar/core/Operation"
import type * as RetryPolicy from "@kenar/core/RetryPolicy"
import type * as Uploads from "@kenar/core/Uploads"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import { resolveBaseUrl } from "./internal/baseUrl.js"
import * as Xhr from "./internal/xhr.js"

// -----------------------------------------------------------------------------
// answers
// -----------------------------------------------------------------------------

// The same shapes as core's `Uploads.ImageUploadResponse` / `VideoUploadResponse`,
// declared here because importing core's `Uploads` module adds about 9 KB
// (gzipped) of its top-level code to every browser bundle.
const text = /* @__PURE__ */ Schema.String.pipe(
  /* @__PURE__ */ Schema.withDecodingDefaultKey(/* @__PURE__ */ Effect.succeed(""))
)
const nonEmpty = /* @__PURE__ */ Schema.String.check(
  /* @__PURE__ */ Schema.makeFilter((s: string) => (s.length > 0 ? undefined : "Expected a non-empty string"))
)

/**
 * The image upload's answer: `path` goes into `general_data.images`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ImageUploadResponse = /* @__PURE__ */ Schema.Struct({
  path: nonEmpty,
  photo_url: text,
  thumbnail_url: text
})

/**
 * @since 0.1.0
 * @category models
 */
export type ImageUpload = typeof ImageUploadResponse.Type

/**
 * The video upload's answer: `video_name` and `thumbnail_name` go into
 * `general_data.video` (with the duration in seconds).
 *
 * @since 0.1.0
 * @category schemas
 */
export const VideoUploadResponse = /* @__PURE__ */ Schema.Struct({
  video_name: nonEmpty,
  video_url: text,
  thumbnail_name: nonEmpty,
  thumbnail_url: text
})

/**
 * @since 0.1.0
 * @category models
 */
export type VideoUpload = typeof VideoUploadResponse.Type

// -----------------------------------------------------------------------------
// the proxy routes, as operations
// -----------------------------------------------------------------------------

const route = <Name extends string, Output extends Schema.Top>(
  name: Name,
  method: "POST" | "PUT",
  path: string,
  output: Output
) =>
  Operation.make({
    name,
    operationId: `Proxy_${name}`,
    officialName: name,
    summary: `Upload ${name === "uploadImage" ? "an image" : "a video"} through the proxy`,
    method,
    path,
    params: Schema.Struct({}),
    body: undefined,
    output,
    permission: "UPLOAD_POST_IMAGE",
    scopes: undefined,
    retry: "idempotent"
  })

/**
 * The proxy's upload routes, described like Kenar's operations (the body is
 * the file, attached by the transport).
 *
 * @since 0.1.0
 * @category operations
 */
export const routes = {
  uploadImage: /* @__PURE__ */ route("uploadImage", "POST", "/uploads/image", ImageUploadResponse),
  uploadVideo: /* @__PURE__ */ route("uploadVideo", "PUT", "/uploads/video", VideoUploadResponse)
} as const

/**
 * Media types each route takes (Kenar's list).
 *
 * @since 0.1.0
 * @category constants
 */
export const MEDIA_TYPES = {
  image: ["image/jpeg", "image/png", "image/webp"],
  video: ["video/mp4"]
} as const

// -----------------------------------------------------------------------------
// the service
// -----------------------------------------------------------------------------

/**
 * Where uploads go and how: the proxy's base URL, credentials mode,
 * per-attempt timeout and retry policy.
 *
 * @since 0.1.0
 * @category services
 */
export class Uploader extends /* @__PURE__ */ Context.Service<
  Uploader,
  {
    readonly config: KenarConfig.ResolvedConfig
    readonly credentials: RequestCredentials
  }
>()("@kenar/browser/BrowserUploads/Uploader") {}

/**
 * Options of {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions {
  /** The proxy's absolute base URL (e.g. `https://app.example/api/kenar`). */
  readonly baseUrl: string | URL
  /** Default `"same-origin"`. */
  readonly credentials?: RequestCredentials | undefined
  /** Timeout of each attempt (default 5 minutes). */
  readonly timeout?: Duration.Input | undefined
  /** Retry settings, or `false` (default: the SDK's). */
  readonly retry?: RetryPolicy.RetryInput | undefined
}

/**
 * The default timeout of one upload attempt: 5 minutes.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_TIMEOUT: Duration.Duration = /* @__PURE__ */ Duration.minutes(5)

/**
 * The uploader layer (`BrowserKenarClient.layer` includes it). Throws a
 * `TypeError` at once for an invalid URL or timeout.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: LayerOptions): Layer.Layer<Uploader> =>
  Layer.succeed(Uploader, {
    config: KenarConfig.resolve({
      baseUrl: options.baseUrl,
      timeout: options.timeout ?? DEFAULT_TIMEOUT,
      retry: options.retry
    }),
    credentials: options.credentials ?? "same-origin"
  })

// -----------------------------------------------------------------------------
// uploads
// -----------------------------------------------------------------------------

/**
 * Progress of one attempt: bytes handed to the network so far, of `total`.
 * A retry starts again from 0 with the next `attempt`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly loaded: number
  readonly total: number
  readonly attempt: number
}

/**
 * Options of {@link uploadImage} and {@link uploadVideo}.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadOptions {
  /** Called as the browser sends the bytes. */
  readonly onProgress?: ((progress: Progress) => void) | undefined
  /** The media type to send; default the `Blob`'s `type`. */
  readonly contentType?: string | undefined
  /** Timeout of each attempt (default: the uploader's). */
  readonly timeout?: Duration.Input | undefined
  /** Retry settings for this upload, or `false`. */
  readonly retry?: RetryPolicy.RetryInput | undefined
}

/**
 * Options of the Promise client's uploads: those of {@link UploadOptions}
 * plus an `AbortSignal` (the upload is aborted and the promise rejects with
 * `AbortedError`).
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseUploadOptions extends UploadOptions {
  readonly signal?: AbortSignal | undefined
}

/**
 * Every way an upload can fail: a `ValidationError` before anything is sent
 * (an empty file, a media type Kenar does not take), and the errors of any
 * call (transport, the proxy's or Kenar's answer as typed API errors).
 *
 * @since 0.1.0
 * @category models
 */
export type UploadError = KenarError.CommonError

const invalid = (operation: string, field: string, rule: string, message: string) =>
  new KenarError.ValidationError({ operation, field, rule, message, issues: [{ field, rule, message }] })

const send = <D extends (typeof routes)[keyof typeof routes]>(
  definition: D,
  kind: keyof typeof MEDIA_TYPES,
  file: Blob,
  options: UploadOptions
): Effect.Effect<Operation.Output<D>, UploadError, Uploader> =>
  Effect.gen(function* () {
    const operation = definition.name
    if (!(file instanceof Blob)) {
      return yield* invalid(operation, "file", "type", "Expected a Blob or File")
    }
    const contentType = (options.contentType ?? file.type).split(";", 1)[0]!.trim().toLowerCase()
    if (!(MEDIA_TYPES[kind] as ReadonlyArray<string>).includes(contentType)) {
      return yield* invalid(
        operation,
        "contentType",
        "one-of",
        `Expected ${MEDIA_TYPES[kind].join(", ")}, got ${contentType === "" ? "no media type" : contentType}`
      )
    }
    if (file.size === 0) return yield* invalid(operation, "file", "non-empty", "Expected a non-empty file")
    const uploader = yield* Uploader
    let attempt = 0
    const onProgress = options.onProgress
    const transport = Xhr.make({
      credentials: uploader.credentials,
      file,
      contentType,
      onStart: () => {
        attempt++
        onProgress?.({ loaded: 0, total: file.size, attempt })
      },
      onUploadProgress:
        onProgress === undefined
          ? undefined
          : (loaded, total) => onProgress({ loaded, total: total ?? file.size, attempt })
    })
    // The executor builds the request (URL, headers, no credentials but the
    // session cookie); the transport sends the file with it, on every attempt.
    const client = yield* KenarClient.makeWithTransport(uploader.config, transport).pipe(
      Effect.provideService(KenarAuth.KenarAuth, KenarAuth.passthrough())
    )
    return yield* client.call(definition, {} as Operation.Input<D>, {
      timeout: options.timeout,
      retry: options.retry
    }) as Effect.Effect<Operation.Output<D>, UploadError>
  })

/**
 * Uploads an image (JPEG, PNG or WebP) through the proxy; put the answer's
 * `path` in `general_data.images`.
 *
 * @since 0.1.0
 * @category uploads
 */
export const uploadImage = (
  file: Blob,
  options: UploadOptions = {}
): Effect.Effect<ImageUpload, UploadError, Uploader> => send(routes.uploadImage, "image", file, options)

/**
 * Uploads an MP4 video through the proxy; put
 * `{ name: video_name, thumbnail_name, duration: "<seconds>" }` in
 * `general_data.video`.
 *
 * @since 0.1.0
 * @category uploads
 */
export const uploadVideo = (
  file: Blob,
  options: UploadOptions = {}
): Effect.Effect<VideoUpload, UploadError, Uploader> => send(routes.uploadVideo, "video", file, options)

// -----------------------------------------------------------------------------
// Promise uploads in core's shape (for @kenar/react)
// -----------------------------------------------------------------------------

/** Media types recognised by their first bytes, for inputs that carry none (bytes, an untyped Blob). */
const sniff = (head: Uint8Array): string | undefined => {
  const at = (offset: number, bytes: ReadonlyArray<number>) =>
    bytes.every((byte, i) => head[offset + i] === byte)
  if (at(0, [0xff, 0xd8, 0xff])) return "image/jpeg"
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png"
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return "image/webp"
  if (at(4, [0x66, 0x74, 0x79, 0x70])) return "video/mp4"
  return undefined
}

const normalize = (contentType: string): string => contentType.split(";", 1)[0]!.trim().toLowerCase()

interface Prepared {
  readonly file: Blob
  /** The media type to send: the one given, else the Blob's, else recognised from the first bytes. */
  readonly contentType: string
}

/** A `Blob` (or bytes, as a `Blob`) and its media type; other inputs are refused before any I/O. */
const prepare = (
  operation: string,
  input: unknown,
  contentType: string | undefined
): Effect.Effect<Prepared, KenarError.ValidationError> =>
  Effect.gen(function* () {
    const file =
      input instanceof Blob
        ? input
        : input instanceof Uint8Array || input instanceof ArrayBuffer
          ? new Blob([input as Uint8Array<ArrayBuffer>])
          : undefined
    if (file === undefined) {
      return yield* invalid(
        operation,
        "input",
        "type",
        "Expected a File, a Blob or bytes (in a browser, uploads send a whole Blob through the proxy)"
      )
    }
    if (contentType !== undefined) return { file, contentType: normalize(contentType) }
    if (file.type !== "") return { file, contentType: normalize(file.type) }
    const head = yield* Effect.promise(() =>
      file
        .slice(0, 12)
        .arrayBuffer()
        .then((buffer) => new Uint8Array(buffer))
    )
    return { file, contentType: sniff(head) ?? "" }
  })

const kindOf = (contentType: string): keyof typeof MEDIA_TYPES | undefined =>
  (MEDIA_TYPES.image as ReadonlyArray<string>).includes(contentType)
    ? "image"
    : (MEDIA_TYPES.video as ReadonlyArray<string>).includes(contentType)
      ? "video"
      : undefined

const toOptions = (
  options: Pick<Uploads.UploadOptions, "retry" | "timeout" | "onProgress">,
  contentType: string
): UploadOptions => {
  const onProgress = options.onProgress
  return {
    contentType,
    retry: options.retry,
    timeout: options.timeout,
    onProgress:
      onProgress === undefined
        ? undefined
        : (progress) =>
            onProgress({ sent: progress.loaded, total: progress.total, attempt: progress.attempt })
  }
}

const imageOf = (
  prepared: Prepared,
  options: Pick<Uploads.UploadOptions, "retry" | "timeout" | "onProgress">
) =>
  Effect.map(
    uploadImage(prepared.file, toOptions(options, prepared.contentType)),
    (answer): Uploads.ImageUpload => ({
      kind: "image",
      contentType: prepared.contentType,
      size: prepared.file.size,
      ...answer
    })
  )

const videoOf = (
  prepared: Prepared,
  options: Pick<Uploads.UploadOptions, "retry" | "timeout" | "onProgress">
) =>
  Effect.map(
    uploadVideo(prepared.file, toOptions(options, prepared.contentType)),
    (answer): Uploads.VideoUpload => ({
      kind: "video",
      contentType: prepared.contentType,
      size: prepared.file.size,
      ...answer
    })
  )

/**
 * The uploads of this module as async functions in the shape of core's
 * `Uploads.PromiseUploads`: what `@kenar/react`'s `KenarProvider` takes as
 * `uploads` (and `createKenarQueries(client, { uploads })`), so its upload
 * hooks send files through your proxy from a browser, with progress.
 *
 * ```tsx
 * import { BrowserKenarClient, BrowserUploads } from "@kenar/browser"
 * import { KenarProvider } from "@kenar/react"
 *
 * const KenarLive = BrowserKenarClient.layer() // created once
 * const uploads = BrowserUploads.makePromise(KenarLive)
 *
 * <KenarProvider layer={KenarLive} uploads={uploads}>
 *   <App /> // useUploadImage(): data is { kind: "image", path, photo_url, contentType, size, ... }
 * </KenarProvider>
 * ```
 *
 * - `layer`: any layer providing the {@link Uploader} (such as
 *   `BrowserKenarClient.layer(...)`, whose proxy URL, credentials, upload
 *   timeout and retry policy apply); built on the first upload. Default: the
 *   proxy at `/api/kenar` on this page's origin.
 * - Inputs: a `File` or `Blob`, or bytes (`Uint8Array`, `ArrayBuffer`);
 *   streams are refused with a `ValidationError` (the browser sends a whole
 *   `Blob`). The media type is `contentType`, else the `Blob`'s `type`, else
 *   recognised from the first bytes (JPEG, PNG, WebP, MP4).
 * - Answers: Kenar's upload answer with `kind`, the `contentType` sent and
 *   the `size` in bytes, as core's uploads give. Progress is core's
 *   `{ sent, total, attempt }`.
 * - Errors: the same tagged errors as {@link uploadImage}; an aborted
 *   `signal` rejects with `AbortedError` and aborts the request.
 * - `uploadMany` checks every item before sending any, then uploads
 *   `concurrency` (default 4) at a time; the kind of each is `kind`, else
 *   its media type. `urls` and `bodyMode` do not apply (the proxy gets the
 *   upload URLs; a `Blob` is always sent whole).
 * - `uploadImageV1` (deprecated by Kenar) rejects with a `TypeError`: the
 *   proxy has no route for it.
 * - `dispose()` releases the runtime and interrupts uploads under way.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePromise = <E = never>(
  layer: Layer.Layer<Uploader, E> = defaultLayer()
): Uploads.PromiseUploads => {
  const runtime = ManagedRuntime.make(layer)
  const run = <A>(
    operation: string,
    effect: Effect.Effect<A, unknown, Uploader>,
    signal: AbortSignal | undefined
  ): Promise<A> => {
    if (signal?.aborted) {
      return Promise.reject(
        new KenarError.AbortedError({ operation, message: `${operation}: the upload was cancelled` })
      )
    }
    return runtime
      .runPromiseExit(effect, { signal })
      .then((exit) => KenarPromiseClient.settle(operation, exit, signal))
  }
  return {
    uploadImage: (input, options = {}) =>
      run(
        "uploadImage",
        Effect.flatMap(prepare("uploadImage", input, options.contentType), (prepared) =>
          imageOf(prepared, options)
        ),
        options.signal
      ),
    uploadVideo: (input, options = {}) =>
      run(
        "uploadVideo",
        Effect.flatMap(prepare("uploadVideo", input, options.contentType), (prepared) =>
          videoOf(prepared, options)
        ),
        options.signal
      ),
    uploadMany: (items, options = {}) =>
      run(
        "uploadMany",
        Effect.gen(function* () {
          const concurrency = options.concurrency ?? 4
          if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
            return yield* invalid(
              "uploadMany",
              "concurrency",
              "positive",
              "concurrency must be a positive integer"
            )
          }
          // every item is checked before any is sent
          const prepared = yield* Effect.forEach(items, (item, i) =>
            Effect.flatMap(prepare("uploadMany", item.input, item.contentType), (one) => {
              const kind = item.kind ?? kindOf(one.contentType)
              if (
                kind === undefined ||
                !(MEDIA_TYPES[kind] as ReadonlyArray<string>).includes(one.contentType)
              ) {
                return invalid(
                  "uploadMany",
                  `items[${i}].contentType`,
                  "one-of",
                  `Expected ${[...MEDIA_TYPES.image, ...MEDIA_TYPES.video].join(", ")}, got ${one.contentType === "" ? "no media type" : one.contentType}`
                )
              }
              if (one.file.size === 0) {
                return invalid("uploadMany", `items[${i}].input`, "non-empty", "Expected a non-empty file")
              }
              return Effect.succeed({ ...one, kind })
            })
          )
          return yield* Effect.forEach(
            prepared,
            (one, i): Effect.Effect<Uploads.ImageUpload | Uploads.VideoUpload, UploadError, Uploader> => {
              const itemOptions = {
                retry: options.retry,
                timeout: options.timeout,
                onProgress: items[i]!.onProgress
              }
              return one.kind === "image" ? imageOf(one, itemOptions) : videoOf(one, itemOptions)
            },
            { concurrency }
          )
        }),
        options.signal
      ),
    uploadImageV1: () =>
      Promise.reject(
        new TypeError(
          "@kenar/browser: uploadImageV1 (deprecated by Kenar) has no route in the proxy: use uploadImage"
        )
      ),
    dispose: () => runtime.dispose()
  }
}

/** The uploader for the proxy at its default path on this page's origin. */
const defaultLayer = (): Layer.Layer<Uploader> => layer({ baseUrl: resolveBaseUrl({}) })
