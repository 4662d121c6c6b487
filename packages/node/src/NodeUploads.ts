/**
 * Media uploads from Node.js: file paths (streamed from disk, size from
 * `stat`, opened again for a retry), `Readable`s and `Buffer`s, over the
 * undici transport. The logic lives in `@kenar/core`'s `Uploads`; this is
 * glue.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Posts } from "@kenar/core"
 * import { NodeUploads } from "@kenar/node"
 *
 * const program = Effect.gen(function* () {
 *   const photo = yield* NodeUploads.uploadImage("./photos/front.jpg", {
 *     onProgress: ({ sent, total }) => console.log(`${sent}/${total}`)
 *   })
 *   return yield* Posts.submitPostV2({ ...post, general_data: { ...general, images: [photo.path] } })
 * })
 *
 * Effect.runPromise(program.pipe(Effect.provide(NodeUploads.layer()))) // KENAR_API_KEY
 * ```
 *
 * Without Effect:
 *
 * ```ts
 * const uploads = NodeUploads.makePromise({ apiKey: process.env.KENAR_API_KEY })
 * const { path } = await uploads.uploadImage("./front.jpg", { signal: AbortSignal.timeout(60_000) })
 * await uploads.dispose()
 * ```
 *
 * @since 0.1.0
 */
import { createReadStream } from "node:fs"
import * as fs from "node:fs/promises"
import { Readable } from "node:stream"
import { fileURLToPath } from "node:url"
import type { KenarClient } from "@kenar/core"
import { Uploads } from "@kenar/core"
import type * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as NodeHttpClient from "./NodeHttpClient.js"
import * as NodeKenarClient from "./NodeKenarClient.js"

/**
 * What can be uploaded from Node: a file path (or `file:` URL), a
 * `Readable`, a `Buffer`, or anything core's `Uploads` takes.
 *
 * @since 0.1.0
 * @category models
 */
export type Input = string | URL | Readable | Buffer | Uploads.UploadInput

const READ_CHUNK = 64 * 1024

const failed = (operation: string, message: string, cause?: unknown) =>
  new Uploads.UploadError({
    operation,
    reason: "SourceFailed",
    message,
    ...(cause === undefined ? {} : { cause })
  })

const codeOf = (cause: unknown) =>
  typeof cause === "object" && cause !== null && typeof (cause as { code?: unknown }).code === "string"
    ? ` (${(cause as { code: string }).code})`
    : ""

/** Reads the first bytes of a file without reading the rest. */
const readHead = (path: string, length: number): Effect.Effect<Uint8Array, unknown> =>
  Effect.acquireUseRelease(
    Effect.tryPromise({ try: () => fs.open(path, "r"), catch: identity }),
    (handle) =>
      Effect.tryPromise({
        try: async () => {
          const buffer = new Uint8Array(length)
          const { bytesRead } = await handle.read(buffer, 0, length, 0)
          return buffer.subarray(0, bytesRead)
        },
        catch: identity
      }),
    (handle) => Effect.promise(() => handle.close())
  )

/** A file as a stream read from disk, opened anew each time it runs (closed on interruption). */
const fileStream = (path: string): Stream.Stream<Uint8Array, unknown> =>
  Stream.suspend(() =>
    Stream.fromAsyncIterable(
      createReadStream(path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Uint8Array>,
      identity
    )
  )

/**
 * A file on disk as an upload source: its size from `stat` (sent as
 * `Content-Length`), its first bytes read apart for the content type, and
 * opened anew for each attempt, so uploads of files are retried. A missing
 * or unreadable file fails with reason `"SourceFailed"` before any I/O.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPath = (
  path: string | URL,
  operation = "fromPath"
): Effect.Effect<Uploads.UploadSource, Uploads.UploadError> =>
  Effect.gen(function* () {
    let file: string
    if (path instanceof URL) {
      if (path.protocol !== "file:") {
        return yield* new Uploads.UploadError({
          operation,
          reason: "UnsupportedType",
          message: `only file: URLs are read from disk, got ${path.protocol}`
        })
      }
      file = fileURLToPath(path)
    } else {
      file = path
    }
    const stats = yield* Effect.tryPromise({
      try: () => fs.stat(file),
      catch: (cause) => failed(operation, `cannot read ${file}${codeOf(cause)}`, cause)
    })
    if (!stats.isFile()) return yield* failed(operation, `${file} is not a file`)
    return Uploads.makeSource({
      size: stats.size,
      replayable: true,
      open: () => fileStream(file),
      head: (length) => readHead(file, length)
    })
  })

/**
 * A `Readable` (an HTTP request being proxied, a child process's output):
 * sent once, never retried. Give `size` when you know it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromReadable = (
  readable: Readable,
  options: { readonly size?: number | undefined } = {}
): Uploads.UploadSource =>
  Uploads.makeSource({
    size: options.size,
    open: () => Stream.fromAsyncIterable(readable as AsyncIterable<Uint8Array>, identity)
  })

/**
 * Turns a Node input into one core's `Uploads` takes: file paths are
 * `stat`ed and become replayable sources; `Buffer`s are bytes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toInput = (
  input: Input,
  operation = "upload"
): Effect.Effect<Uploads.UploadInput, Uploads.UploadError> => {
  if (typeof input === "string" || input instanceof URL) return fromPath(input, operation)
  if (input instanceof Readable) return Effect.succeed(fromReadable(input))
  return Effect.succeed(input)
}

/**
 * Uploads an image (JPEG, PNG or WebP); see `Uploads.uploadImage`.
 *
 * @since 0.1.0
 * @category uploads
 */
export const uploadImage = (
  input: Input,
  options?: Uploads.UploadV2Options
): Effect.Effect<Uploads.ImageUpload, Uploads.UploadFailure, KenarClient.KenarClient | Uploads.Uploader> =>
  Effect.flatMap(toInput(input, "uploadImage"), (converted) => Uploads.uploadImage(converted, options))

/**
 * Uploads an MP4 video; see `Uploads.uploadVideo`.
 *
 * @since 0.1.0
 * @category uploads
 */
export const uploadVideo = (
  input: Input,
  options?: Uploads.UploadV2Options
): Effect.Effect<Uploads.VideoUpload, Uploads.UploadFailure, KenarClient.KenarClient | Uploads.Uploader> =>
  Effect.flatMap(toInput(input, "uploadVideo"), (converted) => Uploads.uploadVideo(converted, options))

/**
 * Uploads a batch with bounded concurrency; see `Uploads.uploadMany`.
 *
 * @since 0.1.0
 * @category uploads
 */
export const uploadMany = (
  items: ReadonlyArray<Omit<Uploads.UploadItem, "input"> & { readonly input: Input }>,
  options?: Uploads.UploadManyOptions
): Effect.Effect<
  Array<Uploads.ImageUpload | Uploads.VideoUpload>,
  Uploads.UploadFailure,
  KenarClient.KenarClient | Uploads.Uploader
> =>
  Effect.flatMap(
    Effect.forEach(items, (item) =>
      Effect.map(toInput(item.input, "uploadMany"), (input) => ({ ...item, input }))
    ),
    (converted) => Uploads.uploadMany(converted, options)
  )

/**
 * Uploads an image through the deprecated v1 flow; see `Uploads.uploadImageV1`.
 *
 * @since 0.1.0
 * @category uploads
 * @deprecated Kenar deprecated GetImageUploadURL; use {@link uploadImage}.
 */
export const uploadImageV1 = (
  input: Input,
  options?: Uploads.UploadOptions
): Effect.Effect<Uploads.ImageUploadV1, Uploads.UploadFailure, KenarClient.KenarClient | Uploads.Uploader> =>
  Effect.flatMap(toInput(input, "uploadImageV1"), (converted) => Uploads.uploadImageV1(converted, options))

/**
 * Options of {@link layer}: those of `NodeKenarClient.layer` plus the
 * upload allow-list.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends NodeKenarClient.Options {
  /** See `Uploads.UploaderOptions.allowedHosts`. */
  readonly allowedHosts?: ReadonlyArray<string> | undefined
}

/**
 * The client and the uploader on one undici connection pool. The API key
 * is `options.apiKey`, else `KENAR_API_KEY`; the base URL as in
 * `NodeKenarClient.layer`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<KenarClient.KenarClient | Uploads.Uploader, Config.ConfigError> => {
  const { allowedHosts, http, ...client } = options
  const uploader =
    options.apiKey === undefined
      ? Uploads.layerConfig({ allowedHosts })
      : Uploads.layer({ apiKey: options.apiKey, allowedHosts })
  return Layer.mergeAll(NodeKenarClient.layerWithoutHttpClient(client), uploader).pipe(
    Layer.provide(http === undefined ? NodeHttpClient.layer : NodeHttpClient.layerWith(http))
  )
}

/**
 * Uploads as async functions over {@link layer}, taking file paths,
 * `Readable`s and `Buffer`s, with an `AbortSignal` per call. Call
 * `dispose()` to close the connection pool.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePromise = (options: Options = {}): Uploads.PromiseUploads<Input> =>
  Uploads.makePromise(layer(options), toInput)
