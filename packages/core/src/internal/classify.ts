import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import {
  AbortedByServerError,
  AlreadyExistsError,
  type ApiError,
  type ApiErrorFields,
  CancelledError,
  DataLossError,
  DeadlineExceededError,
  FailedPreconditionError,
  GrpcStatusNames,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  OutOfRangeError,
  PermissionDeniedError,
  type RateLimit,
  RateLimitedError,
  ResponseError,
  type StatusDetail,
  TransportError,
  type TransportReason,
  UnauthenticatedError,
  UnavailableError,
  UnimplementedError,
  UnknownError
} from "../KenarError.js"
import type * as Operation from "../Operation.js"
import { Status } from "../PostSchema.js"
import { fastPath, invalid } from "./fastPath.js"
import { issuesOf } from "./validate.js"

type ApiErrorClass = new (fields: ApiErrorFields) => ApiError

const classes: ReadonlyArray<ApiErrorClass | undefined> = [
  undefined,
  CancelledError,
  UnknownError,
  InvalidArgumentError,
  DeadlineExceededError,
  NotFoundError,
  AlreadyExistsError,
  PermissionDeniedError,
  undefined, // RESOURCE_EXHAUSTED: RateLimitedError, built apart
  FailedPreconditionError,
  AbortedByServerError,
  OutOfRangeError,
  UnimplementedError,
  InternalError,
  UnavailableError,
  DataLossError,
  UnauthenticatedError
]

const specific = new Set([
  "NotFoundError",
  "AlreadyExistsError",
  "FailedPreconditionError",
  "OutOfRangeError"
])

/** The gRPC code an HTTP status implies, for error bodies that carry none. */
export const codeForHttpStatus = (status: number): number => {
  switch (status) {
    case 400:
      return 3
    case 401:
      return 16
    case 403:
      return 7
    case 404:
      return 5
    case 409:
      return 6
    case 412:
      return 9
    case 429:
      return 8
    case 499:
      return 1
    case 500:
      return 13
    case 501:
      return 12
    case 502:
    case 503:
    case 504:
      return 14
    default:
      return 2
  }
}

const dailyPattern = /daily|per[ -]?day|quota|روزانه/i
const minutePattern = /minute|per[ -]?min|rate|دقیقه/i

/** `details` as JSON text, or `undefined` when they nest too deep for `JSON.stringify`. */
const detailsText = (details: ReadonlyArray<unknown>): string | undefined => {
  if (details.length === 0) return ""
  try {
    return JSON.stringify(details)
  } catch {
    return undefined
  }
}

/** Which limit a RESOURCE_EXHAUSTED answer is about, from its message and details. */
export const rateLimitOf = (message: string, details: ReadonlyArray<StatusDetail>): RateLimit => {
  const text = `${message} ${detailsText(details) ?? ""}`
  if (dailyPattern.test(text)) return "daily"
  if (minutePattern.test(text)) return "minute"
  return "unknown"
}

/** `Retry-After` (seconds or an HTTP date) in milliseconds. */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const decodeStatus = Schema.decodeUnknownExit(Status)

/** What the executor knows of one answer. */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly text: string
  readonly attempt: number
  readonly now: number
}

const MAX_MESSAGE = 2000

/** Kenar's message, cut to a size that is safe to log. */
const truncate = (message: string): string =>
  message.length <= MAX_MESSAGE
    ? message
    : `${message.slice(0, MAX_MESSAGE)}… (${message.length - MAX_MESSAGE} more characters)`

/** Builds the typed error for a non-2xx answer. */
export const apiError = (definition: Operation.Any, answer: Answer): ApiError => {
  let body: unknown
  try {
    body = answer.text === "" ? undefined : JSON.parse(answer.text)
  } catch {
    body = undefined
  }
  const status = Exit.getSuccess(decodeStatus(body))
  const bodyCode = status._tag === "Some" ? status.value.code : 0
  const statusBody = status._tag === "Some" && bodyCode !== 0
  const code = statusBody ? bodyCode : codeForHttpStatus(answer.status)
  const received = statusBody && status._tag === "Some" ? status.value.details : []
  // details nested too deep to serialise are dropped: the error must stay printable (loggers serialise it)
  const details = detailsText(received) === undefined ? [] : received
  const contentType = answer.headers["content-type"]
  const message =
    statusBody && status._tag === "Some" && status.value.message !== ""
      ? truncate(status.value.message)
      : statusBody
        ? `Kenar answered ${GrpcStatusNames[code] ?? `code ${code}`} without a message`
        : `HTTP ${answer.status} with ${answer.text === "" ? "an empty body" : `a body that is not a google.rpc.Status (${contentType ?? "no content type"})`}`
  const fields: ApiErrorFields = {
    operation: definition.name,
    httpStatus: answer.status,
    code,
    status: GrpcStatusNames[code] ?? "UNKNOWN",
    message,
    details,
    requestId: answer.headers["x-request-id"],
    retryAfterMillis: parseRetryAfter(answer.headers["retry-after"], answer.now),
    statusBody,
    attempt: answer.attempt
  }
  if (code === 8) return new RateLimitedError({ ...fields, limit: rateLimitOf(message, details) })
  const ErrorClass = classes[code]
  if (ErrorClass === undefined) return new UnknownError(fields)
  const error = new ErrorClass(fields)
  if (specific.has(error._tag) && !(definition.errors as ReadonlyArray<string>).includes(error._tag)) {
    return new UnknownError(fields)
  }
  return error
}

const decoders = new WeakMap<Schema.Top, (input: unknown) => Exit.Exit<unknown, Schema.SchemaError>>()

/** Decodes a 2xx answer with the operation's output schema. */
export const decodeSuccess = (
  definition: Operation.Any,
  answer: Answer
): Exit.Exit<unknown, ResponseError> => {
  const fail = (reason: ResponseError["reason"], message: string) =>
    Exit.fail(
      new ResponseError({
        operation: definition.name,
        reason,
        httpStatus: answer.status,
        message,
        requestId: answer.headers["x-request-id"],
        attempt: answer.attempt
      })
    )
  let json: unknown
  try {
    json = JSON.parse(answer.text)
  } catch {
    return answer.text.trim() === ""
      ? fail("EmptyBody", `${definition.name}: HTTP ${answer.status} with an empty body`)
      : fail("InvalidJson", `${definition.name}: HTTP ${answer.status} with a body that is not valid JSON`)
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail("SchemaMismatch", `${definition.name}: the answer is not a JSON object`)
  }
  // the fast path first; effect's decoder decides (and explains) whatever it cannot vouch for
  const fast = fastPath.decoderFor
  if (fast !== undefined) {
    const value = fast(definition.output.ast)(json)
    if (value !== invalid) return Exit.succeed(value)
  }
  let decode = decoders.get(definition.output)
  if (decode === undefined) {
    decode = Schema.decodeUnknownExit(definition.output as Schema.Codec<unknown, unknown>)
    decoders.set(definition.output, decode)
  }
  const exit = decode(json)
  if (Exit.isSuccess(exit)) return Exit.succeed(exit.value)
  const issue = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  const first = issue?._tag === "Fail" ? issuesOf(issue.error.issue)[0] : undefined
  return fail(
    "SchemaMismatch",
    `${definition.name}: the answer does not match the schema${first === undefined ? "" : ` at '${first.field}': ${first.message}`}`
  )
}

const codes: Record<string, readonly [TransportReason, boolean]> = {
  ECONNREFUSED: ["ConnectionRefused", false],
  EHOSTUNREACH: ["ConnectionRefused", false],
  ENETUNREACH: ["ConnectionRefused", false],
  EADDRNOTAVAIL: ["ConnectionRefused", false],
  ENOTFOUND: ["DnsFailure", false],
  EAI_AGAIN: ["DnsFailure", false],
  EAI_NONAME: ["DnsFailure", false],
  UND_ERR_CONNECT_TIMEOUT: ["ConnectTimeout", false],
  ECONNRESET: ["ConnectionReset", true],
  EPIPE: ["ConnectionReset", true],
  UND_ERR_SOCKET: ["ConnectionReset", true],
  UND_ERR_CLOSED: ["ConnectionReset", true],
  ERR_STREAM_PREMATURE_CLOSE: ["BodyError", true],
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: ["BodyError", true],
  UND_ERR_HEADERS_TIMEOUT: ["Timeout", true],
  UND_ERR_BODY_TIMEOUT: ["Timeout", true],
  ETIMEDOUT: ["Timeout", true]
}

/** Finds the first known error code in a cause chain (also inside AggregateErrors). */
const findCode = (cause: unknown, depth = 0): string | undefined => {
  if (depth > 8 || typeof cause !== "object" || cause === null) return undefined
  const code = (cause as { code?: unknown }).code
  if (typeof code === "string" && code in codes) return code
  const errors = (cause as { errors?: unknown }).errors
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = findCode(inner, depth + 1)
      if (found !== undefined) return found
    }
  }
  return findCode((cause as { cause?: unknown }).cause, depth + 1)
}

/** Turns a failure of the HTTP layer into a {@link TransportError}. */
export const transportError = (
  definition: Operation.Any,
  cause: unknown,
  attempt: number,
  phase: "request" | "body"
): TransportError => {
  const code = findCode(cause)
  const [reason, mayHaveReachedServer] =
    code !== undefined
      ? codes[code]!
      : phase === "body"
        ? (["BodyError", true] as const)
        : (["Unknown", true] as const)
  return new TransportError({
    operation: definition.name,
    reason,
    mayHaveReachedServer,
    message: `${definition.name}: ${describe(reason)}${code === undefined ? "" : ` (${code})`}`,
    attempt
  })
}

const describe = (reason: TransportReason): string => {
  switch (reason) {
    case "ConnectionRefused":
      return "the connection to Kenar was refused; the request was not sent"
    case "DnsFailure":
      return "Kenar's host name could not be resolved; the request was not sent"
    case "ConnectTimeout":
      return "connecting to Kenar timed out; the request was not sent"
    case "ConnectionReset":
      return "the connection broke while the request was under way; it may have reached Kenar"
    case "Timeout":
      return "no answer within the timeout; the request may have reached Kenar"
    case "BodyError":
      return "the answer broke off while it was being read"
    case "Unknown":
      return "the request failed; it may have reached Kenar"
  }
}

/** The timeout error of one attempt. */
export const timeoutError = (definition: Operation.Any, attempt: number, millis: number): TransportError =>
  new TransportError({
    operation: definition.name,
    reason: "Timeout",
    mayHaveReachedServer: true,
    message: `${definition.name}: no answer within ${millis} ms; the request may have reached Kenar`,
    attempt
  })
