/**
 * Media uploads, the parts that need no client: recognising a file by its
 * first bytes, checking where an upload may go, turning inputs into byte
 * streams, and counting what the transport pulls.
 */
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** What an upload carries. */
export type MediaKind = "image" | "video"

/** How many leading bytes are read to recognise a file. */
export const HEAD_LENGTH = 16

/** Chunk size for inputs already in memory. */
export const CHUNK_SIZE = 64 * 1024

// -----------------------------------------------------------------------------
// content types
// -----------------------------------------------------------------------------

/** A format recognised by its magic bytes. */
export interface Detected {
  readonly contentType: string
  readonly kind: MediaKind
  /** Whether Kenar takes it. */
  readonly supported: boolean
  /** For messages: `"a JPEG image"`. */
  readonly label: string
}

const ascii = (bytes: Uint8Array, from: number, to: number): string =>
  bytes.length < to ? "" : String.fromCharCode(...bytes.subarray(from, to))

const heifBrands = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1"])
const avifBrands = new Set(["avif", "avis"])

/** Recognises JPEG, PNG, WebP and MP4 (and, to refuse them clearly, GIF, HEIF, AVIF and QuickTime). */
export const sniff = (head: Uint8Array): Detected | undefined => {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    return { contentType: "image/jpeg", kind: "image", supported: true, label: "a JPEG image" }
  }
  if (ascii(head, 0, 8) === "\x89PNG\r\n\x1a\n") {
    return { contentType: "image/png", kind: "image", supported: true, label: "a PNG image" }
  }
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") {
    return { contentType: "image/webp", kind: "image", supported: true, label: "a WebP image" }
  }
  if (ascii(head, 0, 4) === "GIF8") {
    return { contentType: "image/gif", kind: "image", supported: false, label: "a GIF image" }
  }
  if (ascii(head, 4, 8) === "ftyp") {
    const brand = ascii(head, 8, 12)
    if (heifBrands.has(brand)) {
      return { contentType: "image/heic", kind: "image", supported: false, label: "a HEIF/HEIC image" }
    }
    if (avifBrands.has(brand)) {
      return { contentType: "image/avif", kind: "image", supported: false, label: "an AVIF image" }
    }
    if (brand === "qt  ") {
      return { contentType: "video/quicktime", kind: "video", supported: false, label: "a QuickTime video" }
    }
    return { contentType: "video/mp4", kind: "video", supported: true, label: "an MP4 video" }
  }
  return undefined
}

const mediaTypePattern = /^(image|video)\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/

/** Why a content type was refused, or the media type to send (its essence, lower case). */
export type TypeDecision =
  | { readonly _tag: "Ok"; readonly contentType: string; readonly kind: MediaKind }
  | {
      readonly _tag: "Refused"
      readonly reason: "UnsupportedType" | "TypeMismatch"
      readonly message: string
    }

const supportedList = "JPEG, PNG or WebP images and MP4 videos"

/**
 * Decides the content type of an upload from its first bytes and the type
 * the caller gave. A caller's type wins, but must be an image or video type
 * of the kind being uploaded, and must not contradict what the bytes are.
 * `expected` undefined means "whatever the input is" (batches).
 */
export const decideType = (
  head: Uint8Array,
  declared: string | undefined,
  expected: MediaKind | undefined
): TypeDecision => {
  const detected = sniff(head)
  const refuse = (reason: "UnsupportedType" | "TypeMismatch", message: string): TypeDecision => ({
    _tag: "Refused",
    reason,
    message
  })
  if (declared !== undefined) {
    const essence = declared.split(";")[0]!.trim().toLowerCase()
    if (!mediaTypePattern.test(essence)) {
      return refuse("UnsupportedType", `contentType must be an image/* or video/* media type`)
    }
    const kind: MediaKind = essence.startsWith("image/") ? "image" : "video"
    if (expected !== undefined && kind !== expected) {
      return refuse(
        "TypeMismatch",
        `contentType ${essence} is not ${expected === "image" ? "an image" : "a video"} type`
      )
    }
    if (detected !== undefined && detected.kind !== kind) {
      return refuse(
        "TypeMismatch",
        `the input is ${detected.label}, not ${kind === "image" ? "an image" : "a video"}`
      )
    }
    return { _tag: "Ok", contentType: essence, kind }
  }
  if (detected === undefined) {
    return refuse(
      "UnsupportedType",
      `the input is not a file Kenar takes (${supportedList}); pass contentType to send another media type`
    )
  }
  if (expected !== undefined && detected.kind !== expected) {
    return refuse(
      "TypeMismatch",
      `the input is ${detected.label}, not ${expected === "image" ? "an image" : "a video"}`
    )
  }
  if (!detected.supported) {
    return refuse("UnsupportedType", `the input is ${detected.label}; Kenar takes ${supportedList}`)
  }
  return { _tag: "Ok", contentType: detected.contentType, kind: detected.kind }
}

// -----------------------------------------------------------------------------
// where uploads may go
// -----------------------------------------------------------------------------

/** Checks an allow-list entry: a host name, or `*.` and a domain for its subdomains. */
export const checkHostPattern = (pattern: string): string => {
  const lower = pattern.trim().toLowerCase().replace(/\.$/, "")
  const name = lower.startsWith("*.") ? lower.slice(2) : lower
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name) && !isIpLiteral(name)) {
    throw new TypeError(
      `Kenar uploads: allowedHosts entries are host names or "*.domain" patterns, got ${JSON.stringify(pattern)}`
    )
  }
  return lower
}

const isIpLiteral = (host: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || /^\[[0-9a-f:.]+\]$/.test(host)

/** Whether `host` (a URL's `hostname`) matches one of the patterns. */
export const hostAllowed = (host: string, patterns: ReadonlyArray<string>): boolean => {
  const name = host.toLowerCase().replace(/\.$/, "")
  return patterns.some((pattern) =>
    pattern.startsWith("*.")
      ? name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1
      : name === pattern
  )
}

/** Why an upload URL was refused, or the URL to use. */
export type TargetDecision =
  | { readonly _tag: "Ok"; readonly url: URL }
  | {
      readonly _tag: "Refused"
      readonly reason: "InvalidTarget" | "UntrustedHost" | "InsecureUrl"
      readonly message: string
      readonly host: string | undefined
    }

/**
 * Checks an upload URL from an answer: an absolute http(s) URL without
 * credentials, on an allowed host (or the base URL's), and https when the
 * base URL is https. Messages name the host only: the query of a
 * pre-signed URL is a credential.
 */
export const checkTarget = (
  raw: string,
  baseUrl: string,
  patterns: ReadonlyArray<string>
): TargetDecision => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return {
      _tag: "Refused",
      reason: "InvalidTarget",
      message:
        raw === "" ? "Kenar gave no upload URL" : "Kenar gave an upload URL that is not an absolute URL",
      host: undefined
    }
  }
  const host = url.hostname
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return {
      _tag: "Refused",
      reason: "InvalidTarget",
      message: `upload URL scheme ${url.protocol} is not http(s)`,
      host
    }
  }
  if (url.username !== "" || url.password !== "") {
    return { _tag: "Refused", reason: "InvalidTarget", message: "the upload URL carries credentials", host }
  }
  const base = new URL(baseUrl)
  if (!hostAllowed(host, patterns) && host.toLowerCase() !== base.hostname.toLowerCase()) {
    return {
      _tag: "Refused",
      reason: "UntrustedHost",
      message: `the upload URL points at ${host}, which is not on the upload allow-list; nothing was sent`,
      host
    }
  }
  if (base.protocol === "https:" && url.protocol !== "https:") {
    return {
      _tag: "Refused",
      reason: "InsecureUrl",
      message: `the upload URL for ${host} is not https while the API is; nothing was sent`,
      host
    }
  }
  return { _tag: "Ok", url }
}

// -----------------------------------------------------------------------------
// bytes
// -----------------------------------------------------------------------------

/** An in-memory array as a stream of views (no copies). */
export const bytesStream = (bytes: Uint8Array): Stream.Stream<Uint8Array> =>
  Stream.fromIterable({
    *[Symbol.iterator]() {
      for (let offset = 0; offset < bytes.length; offset += CHUNK_SIZE) {
        yield bytes.subarray(offset, Math.min(offset + CHUNK_SIZE, bytes.length))
      }
    }
  })

/** The first `length` bytes of some chunks (one copy, at most `length` bytes). */
export const headOf = (chunks: ReadonlyArray<Uint8Array>, length: number): Uint8Array => {
  const out = new Uint8Array(
    Math.min(
      length,
      chunks.reduce((n, c) => n + c.byteLength, 0)
    )
  )
  let offset = 0
  for (const chunk of chunks) {
    if (offset >= out.length) break
    const part = chunk.subarray(0, out.length - offset)
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** A chunk that is not bytes. */
export class NotBytes {
  readonly _tag = "NotBytes"
  constructor(readonly found: string) {}
}

const describeChunk = (chunk: unknown): string =>
  typeof chunk === "string"
    ? "a string"
    : chunk === null
      ? "null"
      : typeof chunk === "object"
        ? "an object"
        : typeof chunk

/**
 * Reads the first `length` bytes of a one-shot stream without losing them:
 * the returned body replays what was read, then goes on with the rest. The
 * stream stays open in the scope.
 */
export const peek = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  length: number
): Effect.Effect<
  { readonly head: Uint8Array; readonly body: Stream.Stream<Uint8Array, E>; readonly ended: boolean },
  E | NotBytes,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const pull = yield* Stream.toPull(stream)
    const taken: Array<Uint8Array> = []
    let size = 0
    let ended = false
    while (size < length && !ended) {
      const chunks = yield* Pull.catchDone(pull, () => Effect.succeed(undefined))
      if (chunks === undefined) {
        ended = true
        break
      }
      for (const chunk of chunks) {
        if (!(chunk instanceof Uint8Array)) return yield* Effect.fail(new NotBytes(describeChunk(chunk)))
        if (chunk.byteLength === 0) continue
        taken.push(chunk)
        size += chunk.byteLength
      }
    }
    const rest: Stream.Stream<Uint8Array, E> = ended ? Stream.empty : Stream.fromPull(Effect.succeed(pull))
    return { head: headOf(taken, length), body: Stream.concat(Stream.fromIterable(taken), rest), ended }
  })

/** Progress of one attempt. */
export interface Progress {
  readonly sent: number
  readonly total: number | undefined
  readonly attempt: number
}

/** The failures {@link account} reports. */
export type AccountingFailure =
  | {
      readonly _tag: "SizeMismatch"
      readonly expected: number
      readonly actual: number
      readonly more: boolean
    }
  | NotBytes

/**
 * Counts the bytes of a body as the transport pulls them: checks each chunk
 * is bytes, that no more (and, at the end, no fewer) than `total` bytes come
 * when the size is known, and reports progress. The last report has
 * `sent === total`; when the size was not known it carries `total = sent`.
 */
export const account = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  options: {
    readonly total: number | undefined
    readonly attempt: number
    readonly onProgress: ((progress: Progress) => void) | undefined
    readonly onSent?: (sent: number) => void
  }
): Stream.Stream<Uint8Array, E | AccountingFailure> => {
  const { total, attempt, onProgress } = options
  let sent = 0
  const report = (reportedTotal: number | undefined) =>
    Effect.sync(() => {
      options.onSent?.(sent)
      onProgress?.({ sent, total: reportedTotal, attempt })
    })
  return Stream.suspend(() => {
    sent = 0
    return stream.pipe(
      Stream.tap((chunk): Effect.Effect<void, AccountingFailure> => {
        if (!(chunk instanceof Uint8Array)) return Effect.fail(new NotBytes(describeChunk(chunk)))
        if (chunk.byteLength === 0) return Effect.void
        sent += chunk.byteLength
        if (total !== undefined && sent > total) {
          return Effect.fail({ _tag: "SizeMismatch", expected: total, actual: sent, more: true } as const)
        }
        return report(total)
      }),
      Stream.onEnd(
        Effect.suspend((): Effect.Effect<void, AccountingFailure> => {
          if (total !== undefined && sent !== total) {
            return Effect.fail({ _tag: "SizeMismatch", expected: total, actual: sent, more: false } as const)
          }
          return total === undefined ? report(sent) : Effect.void
        })
      )
    )
  })
}
