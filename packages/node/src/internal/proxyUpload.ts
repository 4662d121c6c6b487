/**
 * The proxy's upload routes, on top of core's `Uploads`: the browser sends
 * the raw bytes to the proxy, which hands them to `Uploads.uploadImage` /
 * `uploadVideo` as a one-shot stream. Core does the rest: it recognises the
 * bytes, asks Kenar for the upload URL (with the API key), checks that URL
 * against the allow-list, and streams the bytes on with the key, never
 * following a redirect. Nothing is held whole in memory; a body that grows
 * past the limit is cut off and answered 413.
 */
import { type KenarClient, type KenarError, Uploads } from "@kenar/core"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import {
  baseHeaders,
  declaredLength,
  errorInfo,
  limitStream,
  mediaType,
  scrub,
  statusResponse,
  tooLargeResponse
} from "./proxy.js"

export type MediaKind = "image" | "video"

/** Media types the upload routes take, by kind (Kenar's own list). */
export const mediaTypes: Readonly<Record<MediaKind, ReadonlySet<string>>> = {
  image: new Set(["image/jpeg", "image/png", "image/webp"]),
  video: new Set(["video/mp4"])
}

/** The method of each upload route, as Kenar documents it. */
export const routeMethod: Readonly<Record<MediaKind, "POST" | "PUT">> = { image: "POST", video: "PUT" }

export interface UploadSettings {
  readonly maxBytes: number
  readonly timeout: Duration.Duration | undefined
  readonly secrets: ReadonlyArray<string>
}

/** An upload route's answer, and whether Kenar was contacted for it. */
export interface UploadAnswer {
  readonly response: Response
  readonly outcome: "forwarded" | "refused" | "failed"
  readonly reason: string | undefined
}

const refused = (response: Response, reason: string): UploadAnswer => ({
  response,
  outcome: "refused",
  reason
})
const failed = (response: Response, reason: string): UploadAnswer => ({ response, outcome: "failed", reason })

/** A failed SDK call (getting the URLs, or the upload host's answer) as the browser's answer. */
export const kenarErrorResponse = (
  error: KenarError.KenarError,
  secrets: ReadonlyArray<string>
): Response => {
  switch (error.kind) {
    case "api":
      return statusResponse(error.httpStatus, error.code, scrub(error.message, secrets), {
        details: error.details as ReadonlyArray<Record<string, unknown>>,
        headers:
          error.retryAfterMillis === undefined
            ? {}
            : { "retry-after": String(Math.ceil(error.retryAfterMillis / 1000)) }
      })
    case "transport":
      if (error._tag === "TransportError") {
        return statusResponse(error.reason === "Timeout" ? 504 : 502, 14, scrub(error.message, secrets), {
          details: [
            errorInfo(error.reason === "Timeout" ? "UPSTREAM_TIMEOUT" : "UPSTREAM_FAILED", {
              mayHaveReachedServer: String(error.mayHaveReachedServer)
            })
          ]
        })
      }
      return statusResponse(502, 13, scrub(error.message, secrets), {
        details: [errorInfo("UPSTREAM_BAD_ANSWER")]
      })
    case "local":
      return statusResponse(500, 13, "the proxy could not call Kenar", {
        details: [errorInfo("PROXY_MISCONFIGURED")]
      })
  }
}

/** An `UploadError` (core refused, before or instead of sending) as the browser's answer. */
const uploadErrorAnswer = (error: Uploads.UploadError, secrets: ReadonlyArray<string>): UploadAnswer => {
  const message = scrub(error.message, secrets)
  switch (error.reason) {
    case "EmptyInput":
    case "SizeMismatch":
    case "SourceFailed":
      return refused(statusResponse(400, 3, message, { details: [errorInfo(error.reason)] }), error.reason)
    case "UnsupportedType":
    case "TypeMismatch":
      return refused(statusResponse(415, 3, message, { details: [errorInfo(error.reason)] }), error.reason)
    case "UntrustedHost":
      return failed(
        statusResponse(502, 13, message, { details: [errorInfo("UPLOAD_HOST_NOT_ALLOWED")] }),
        "UPLOAD_HOST_NOT_ALLOWED"
      )
    case "InvalidTarget":
    case "InsecureUrl":
    case "Redirected":
      return failed(statusResponse(502, 13, message, { details: [errorInfo(error.reason)] }), error.reason)
  }
}

/** The fields of Kenar's own upload answer (what the SDK adds stays out). */
const answerOf = (result: Uploads.ImageUpload | Uploads.VideoUpload) =>
  result.kind === "image"
    ? { path: result.path, photo_url: result.photo_url, thumbnail_url: result.thumbnail_url }
    : {
        video_name: result.video_name,
        video_url: result.video_url,
        thumbnail_name: result.thumbnail_name,
        thumbnail_url: result.thumbnail_url
      }

/**
 * Streams one upload through. Answers itself (without contacting Kenar) for
 * an unsupported media type, an empty body, or a declared size over the
 * limit; a body that grows past the limit while streaming is cut off and
 * answered with 413.
 */
export const upload = (
  kind: MediaKind,
  request: Request,
  settings: UploadSettings
): Effect.Effect<UploadAnswer, never, KenarClient.KenarClient> =>
  Effect.gen(function* () {
    const contentType = mediaType(request.headers.get("content-type"))
    if (contentType === undefined || !mediaTypes[kind].has(contentType)) {
      return refused(
        statusResponse(
          415,
          3,
          `an ${kind} upload takes ${[...mediaTypes[kind]].join(", ")}, got ${contentType ?? "no content type"}`,
          { details: [errorInfo("UNSUPPORTED_MEDIA_TYPE")] }
        ),
        "UNSUPPORTED_MEDIA_TYPE"
      )
    }
    const length = declaredLength(request.headers.get("content-length"))
    if (length !== undefined && length > settings.maxBytes) {
      return refused(tooLargeResponse(settings.maxBytes), "BODY_TOO_LARGE")
    }
    if (request.body === null || length === 0) {
      return refused(
        statusResponse(400, 3, "the upload is empty", { details: [errorInfo("EMPTY_BODY")] }),
        "EMPTY_BODY"
      )
    }

    let tooLarge = false
    const source = Uploads.fromReadableStream(
      limitStream(request.body, settings.maxBytes, () => {
        tooLarge = true
      }),
      { size: length }
    )
    // A one-shot stream is sent once: the browser's client retries by its own rules.
    const options: Uploads.UploadV2Options = { contentType, retry: false, timeout: settings.timeout }
    const sent: Effect.Effect<
      Uploads.ImageUpload | Uploads.VideoUpload,
      Uploads.UploadFailure,
      KenarClient.KenarClient
    > = kind === "image" ? Uploads.uploadImage(source, options) : Uploads.uploadVideo(source, options)
    const result = yield* Effect.result(sent)
    if (tooLarge) return refused(tooLargeResponse(settings.maxBytes), "BODY_TOO_LARGE")
    if (result._tag === "Success") {
      return {
        response: Response.json(answerOf(result.success), { headers: baseHeaders }),
        outcome: "forwarded",
        reason: undefined
      } satisfies UploadAnswer
    }
    const error = result.failure
    if (error._tag === "UploadError") return uploadErrorAnswer(error, settings.secrets)
    return {
      response: kenarErrorResponse(error, settings.secrets),
      outcome: error.kind === "api" ? "forwarded" : "failed",
      reason: error.kind === "api" ? undefined : error._tag
    } satisfies UploadAnswer
  })
