/**
 * The proxy's building blocks that need no I/O: route matching against the
 * operation table, `google.rpc.Status` answers, secret scrubbing, what is
 * copied between the browser, the proxy and Kenar, and how a failed upstream
 * call is reported.
 */
import type { Operation } from "@kenar/core"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"

// -----------------------------------------------------------------------------
// routes
// -----------------------------------------------------------------------------

type Segment = string | { readonly param: string }

/** One allowed operation, its path template split into segments. */
export interface Route {
  readonly definition: Operation.Any
  readonly segments: ReadonlyArray<Segment>
  /** How many segments are literal: a literal match wins over a parameter. */
  readonly literals: number
  readonly decodeParams: (input: unknown) => Exit.Exit<unknown, unknown>
}

export const compileRoute = (definition: Operation.Any): Route => {
  const segments: Array<Segment> = definition.path
    .split("/")
    .slice(1)
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment)
      return param === null ? segment : { param: param[1]! }
    })
  return {
    definition,
    segments,
    literals: segments.filter((segment) => typeof segment === "string").length,
    decodeParams: Schema.decodeUnknownExit(definition.params as Schema.Codec<unknown, unknown>)
  }
}

/** What a request path and method are, for the allowed operations. */
export type Match =
  | {
      readonly _tag: "Found"
      readonly definition: Operation.Any
      readonly params: Readonly<Record<string, string>>
    }
  | { readonly _tag: "MethodNotAllowed"; readonly allow: ReadonlyArray<string> }
  | { readonly _tag: "NotFound" }

const matchSegments = (route: Route, parts: ReadonlyArray<string>): Record<string, string> | undefined => {
  if (route.segments.length !== parts.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < parts.length; i++) {
    const segment = route.segments[i]!
    const part = parts[i]!
    if (typeof segment === "string") {
      if (segment !== part) return undefined
    } else {
      params[segment.param] = part
    }
  }
  // Path parameters must be valid tokens by the SDK's own rules (letters,
  // digits, `_`, `-`): nothing encoded (`%2F`), no dots, nothing empty.
  return Exit.isSuccess(route.decodeParams(params)) ? params : undefined
}

/**
 * Finds the allowed operation for `method` and `path` (the part after the
 * proxy's prefix, starting with `/`). A literal segment wins over a
 * parameter (`GET /v1/open-platform/post/image-upload-url` is not a post).
 */
export const match = (routes: ReadonlyArray<Route>, method: string, path: string): Match => {
  const parts = path.split("/").slice(1)
  let best: { route: Route; params: Record<string, string> } | undefined
  const allow = new Set<string>()
  for (const route of routes) {
    const params = matchSegments(route, parts)
    if (params === undefined) continue
    if (route.definition.method !== method) {
      allow.add(route.definition.method)
      continue
    }
    if (best === undefined || route.literals > best.route.literals) best = { route, params }
  }
  if (best !== undefined) return { _tag: "Found", definition: best.route.definition, params: best.params }
  return allow.size > 0 ? { _tag: "MethodNotAllowed", allow: [...allow].sort() } : { _tag: "NotFound" }
}

/**
 * Whether a path (as received, before any decoding) tries to leave its
 * route: dot segments (also percent-encoded), encoded slashes or
 * backslashes, backslashes, empty segments, NUL.
 */
export const suspiciousPath = (path: string): boolean =>
  /%2f|%5c|%00|%2e|\\|\/\/|(^|\/)\.\.?(\/|$)/i.test(path)

/**
 * Whether a raw request target (node's `req.url`) is a plain origin-form
 * path: absolute-form (`http://host/...`), authority-form and `*` targets
 * are refused, as are dot segments the URL parser would resolve away.
 */
export const refusedTarget = (target: string): boolean => {
  if (!target.startsWith("/") || target.startsWith("//")) return true
  const path = target.split(/[?#]/, 1)[0]!
  return suspiciousPath(path)
}

// -----------------------------------------------------------------------------
// answers
// -----------------------------------------------------------------------------

/** Headers every answer of the proxy carries. */
export const baseHeaders = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff"
} as const

/** A `google.rpc.Status` answer. */
export const statusResponse = (
  httpStatus: number,
  code: number,
  message: string,
  options: {
    readonly details?: ReadonlyArray<Record<string, unknown>> | undefined
    readonly headers?: Record<string, string> | undefined
  } = {}
): Response =>
  new Response(JSON.stringify({ code, message, details: options.details ?? [] }), {
    status: httpStatus,
    headers: { ...baseHeaders, "content-type": "application/json", ...options.headers }
  })

/** A `google.rpc.ErrorInfo` detail naming why the proxy answered itself. */
export const errorInfo = (reason: string, metadata: Record<string, string> = {}) => ({
  "@type": "type.googleapis.com/google.rpc.ErrorInfo",
  reason,
  domain: "kenar-proxy",
  metadata
})

export const notFound = () => statusResponse(404, 5, "Not Found")

/** The gRPC code an HTTP status implies, for error answers that carry no Status. */
export const codeForHttpStatus = (status: number): number => {
  if (status === 400) return 3
  if (status === 401) return 16
  if (status === 403) return 7
  if (status === 404) return 5
  if (status === 409) return 6
  if (status === 412) return 9
  if (status === 429) return 8
  if (status === 501) return 12
  if (status === 502 || status === 503 || status === 504) return 14
  if (status >= 500) return 13
  return 2
}

/** Headers of Kenar's answer passed on to the browser (nothing hop-by-hop, no cookies). */
const passedResponseHeaders = ["content-type", "x-request-id", "retry-after"] as const

const decoder = new TextDecoder()
const encoder = new TextEncoder()

/** Replaces each secret found in `text` (the API key, a user's token) with `[redacted]`. */
export const scrub = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join("[redacted]")
  }
  return out
}

const isStatusBody = (text: string): boolean => {
  try {
    const body: unknown = JSON.parse(text)
    return (
      typeof body === "object" &&
      body !== null &&
      !Array.isArray(body) &&
      typeof (body as { code?: unknown }).code === "number"
    )
  } catch {
    return false
  }
}

/**
 * The browser's copy of Kenar's answer: the status and body unchanged
 * (success bodies and `google.rpc.Status` errors alike), except that an
 * error body which is not a Status (an HTML error page of a gateway) becomes
 * one for its HTTP status, and any secret in the body is redacted.
 */
export const passOn = (
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  bytes: Uint8Array,
  secrets: ReadonlyArray<string>
): Response => {
  const out: Record<string, string> = { ...baseHeaders }
  for (const name of passedResponseHeaders) {
    const value = headers[name]
    if (value !== undefined) out[name] = value
  }
  let text = decoder.decode(bytes)
  const scrubbed = scrub(text, secrets)
  const body = scrubbed === text ? bytes : encoder.encode(scrubbed)
  text = scrubbed
  if (status >= 400 && !isStatusBody(text)) {
    return statusResponse(
      status,
      codeForHttpStatus(status),
      `Kenar answered HTTP ${status} with ${text === "" ? "an empty body" : "a body that is not a google.rpc.Status"}`,
      {
        details: [errorInfo("UPSTREAM_NOT_STATUS", { httpStatus: String(status) })],
        headers: headers["retry-after"] === undefined ? {} : { "retry-after": headers["retry-after"] }
      }
    )
  }
  if (out["content-type"] === undefined) out["content-type"] = "application/json"
  return new Response(
    body.length === 0 || status === 204 || status === 304 ? null : (body as Uint8Array<ArrayBuffer>),
    {
      status,
      headers: out
    }
  )
}

// -----------------------------------------------------------------------------
// upstream failures
// -----------------------------------------------------------------------------

const notSentCodes = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "UND_ERR_CONNECT_TIMEOUT"
])

const errorCode = (cause: unknown, depth = 0): string | undefined => {
  if (depth > 8 || typeof cause !== "object" || cause === null) return undefined
  const code = (cause as { code?: unknown }).code
  if (typeof code === "string" && /^[A-Z][A-Z0-9_]+$/.test(code)) return code
  const errors = (cause as { errors?: unknown }).errors
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = errorCode(inner, depth + 1)
      if (found !== undefined) return found
    }
  }
  return errorCode((cause as { cause?: unknown }).cause, depth + 1)
}

/**
 * The answer for an upstream call that got no usable answer: 502 with a
 * Status (UNAVAILABLE) saying whether the request may have reached Kenar.
 * Never carries the URL, a header or the cause's message.
 */
export const transportFailure = (cause: unknown): Response => {
  const code = errorCode(cause)
  const notSent = code !== undefined && notSentCodes.has(code)
  return statusResponse(
    502,
    14,
    notSent
      ? "the proxy could not reach Kenar; the request was not sent"
      : "the connection between the proxy and Kenar failed; the request may have reached Kenar",
    {
      details: [
        errorInfo(notSent ? "UPSTREAM_UNREACHABLE" : "UPSTREAM_FAILED", {
          mayHaveReachedServer: notSent ? "false" : "true",
          ...(code === undefined ? {} : { cause: code })
        })
      ]
    }
  )
}

/** The answer for an upstream call that took longer than the proxy's timeout. */
export const upstreamTimeout = (millis: number): Response =>
  statusResponse(504, 14, `Kenar did not answer within ${millis} ms; the request may have reached Kenar`, {
    details: [errorInfo("UPSTREAM_TIMEOUT", { mayHaveReachedServer: "true" })]
  })

// -----------------------------------------------------------------------------
// requests
// -----------------------------------------------------------------------------

/** The media type of a `Content-Type` header, lower case, without parameters. */
export const mediaType = (header: string | null): string | undefined => {
  const type = header?.split(";", 1)[0]?.trim().toLowerCase()
  return type === undefined || type === "" ? undefined : type
}

/** The `Bearer` token of an `Authorization` header, or `undefined`. */
export const bearerOf = (header: string | null): string | undefined => {
  const found = header === null ? null : /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header)
  return found === null ? undefined : found[1]
}

/** A declared `Content-Length`, or `undefined` when absent or invalid. */
export const declaredLength = (header: string | null): number | undefined => {
  if (header === null || !/^\d{1,15}$/.test(header.trim())) return undefined
  return Number(header.trim())
}

/** Thrown inside a body stream when it grows past its limit. */
export class TooLarge extends Error {
  readonly _tag = "TooLarge"
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`)
  }
}

/**
 * Reads a whole request body, failing with {@link TooLarge} past `limit`
 * bytes (the rest is not read).
 */
export const readLimited = async (
  body: ReadableStream<Uint8Array> | null,
  limit: number
): Promise<Uint8Array> => {
  if (body === null) return new Uint8Array(0)
  const reader = body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => undefined)
      throw new TooLarge(limit)
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/**
 * The body as it streams through, counted: the stream errors with
 * {@link TooLarge} as soon as more than `limit` bytes have come.
 */
export const limitStream = (
  body: ReadableStream<Uint8Array>,
  limit: number,
  onTooLarge: () => void
): ReadableStream<Uint8Array> => {
  let size = 0
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength
        if (size > limit) {
          onTooLarge()
          controller.error(new TooLarge(limit))
          return
        }
        controller.enqueue(chunk)
      }
    })
  )
}

export const tooLargeResponse = (limit: number) =>
  statusResponse(413, 3, `the request body is larger than the proxy's limit of ${limit} bytes`, {
    details: [errorInfo("BODY_TOO_LARGE", { limit: String(limit) })]
  })
