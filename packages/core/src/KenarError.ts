/**
 * Every way a Kenar call can fail, as one tagged union.
 *
 * - {@link ValidationError}: the input was rejected before any I/O.
 * - {@link CredentialError}: an API key or access token was missing or could
 *   not be obtained; nothing was sent.
 * - {@link TransportError}: no usable answer (connection refused or reset,
 *   timeout, broken body); says whether the request may have reached Kenar.
 * - {@link ResponseError}: an answer that could not be read (invalid JSON,
 *   empty body, a success body that does not match the schema).
 * - One class per gRPC status code for answers carrying a `google.rpc.Status`
 *   (or, for non-JSON error pages, the code their HTTP status implies):
 *   {@link NotFoundError}, {@link PermissionDeniedError},
 *   {@link UnauthenticatedError}, {@link RateLimitedError}, ...
 * - {@link AbortedError}: the caller cancelled the call (Promise API only).
 *
 * Errors never carry the API key, an access token or request headers.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type { Status } from "./PostSchema.js"

/**
 * The name of each gRPC status code, indexed by code.
 *
 * @since 0.1.0
 * @category models
 */
export const GrpcStatusNames = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED"
] as const

/**
 * @since 0.1.0
 * @category models
 */
export type GrpcStatusName = (typeof GrpcStatusNames)[number]

/**
 * One entry of `google.rpc.Status.details`.
 *
 * @since 0.1.0
 * @category models
 */
export type StatusDetail = Status["details"][number]

/**
 * Fields shared by every error that answers to a Kenar response.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiErrorFields {
  /** The SDK operation, e.g. `"getUserPost"`. */
  readonly operation: string
  /** HTTP status of the answer. */
  readonly httpStatus: number
  /** gRPC code from the body, or the one implied by the HTTP status. */
  readonly code: number
  /** Name of `code`, e.g. `"NOT_FOUND"`; `"UNKNOWN"` for codes outside 0..16. */
  readonly status: GrpcStatusName
  /** Kenar's message (or a description of a non-JSON error page). */
  readonly message: string
  /** `google.rpc.Status.details`. */
  readonly details: ReadonlyArray<StatusDetail>
  /** `x-request-id` of the answer, when Kenar sent one. */
  readonly requestId: string | undefined
  /** Delay asked for by a `Retry-After` header, in milliseconds. */
  readonly retryAfterMillis: number | undefined
  /** Whether the body was a `google.rpc.Status` (false for HTML error pages). */
  readonly statusBody: boolean
  /** Which attempt of the call got this answer (1 for the first). */
  readonly attempt: number
}

/**
 * gRPC CANCELLED (1): the request was cancelled on the server side.
 *
 * @since 0.1.0
 * @category errors
 */
export class CancelledError extends /* @__PURE__ */ Data.TaggedError("CancelledError")<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC UNKNOWN (2), and any code this operation does not declare or that is
 * outside 0..16 (`code` and `status` keep what Kenar sent).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownError extends /* @__PURE__ */ Data.TaggedError("UnknownError")<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC INVALID_ARGUMENT (3): Kenar rejected the input (e.g. category fields
 * that do not match the category's submit schema).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidArgumentError extends /* @__PURE__ */ Data.TaggedError(
  "InvalidArgumentError"
)<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC DEADLINE_EXCEEDED (4) reported by Kenar.
 *
 * @since 0.1.0
 * @category errors
 */
export class DeadlineExceededError extends /* @__PURE__ */ Data.TaggedError(
  "DeadlineExceededError"
)<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC NOT_FOUND (5): no post or business with that token (or not yours).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFoundError extends /* @__PURE__ */ Data.TaggedError("NotFoundError")<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC ALREADY_EXISTS (6).
 *
 * @since 0.1.0
 * @category errors
 */
export class AlreadyExistsError extends /* @__PURE__ */ Data.TaggedError(
  "AlreadyExistsError"
)<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC PERMISSION_DENIED (7): the API key lacks a permission, or the access
 * token lacks a scope for this operation or resource.
 *
 * @since 0.1.0
 * @category errors
 */
export class PermissionDeniedError extends /* @__PURE__ */ Data.TaggedError(
  "PermissionDeniedError"
)<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * Which limit a 429 hit: the per-minute rate, the daily quota, or unknown.
 *
 * @since 0.1.0
 * @category models
 */
export type RateLimit = "minute" | "daily" | "unknown"

/**
 * gRPC RESOURCE_EXHAUSTED (8) / HTTP 429. `limit` tells the per-minute limit
 * (retried after a delay) from the daily quota (never retried: it will not
 * clear for hours).
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimitedError extends /* @__PURE__ */ Data.TaggedError("RateLimitedError")<
  ApiErrorFields & { readonly limit: RateLimit }
> {
  /** Discriminates API errors from local ones. */
  readonly kind = "api" as const
}

/**
 * gRPC FAILED_PRECONDITION (9): e.g. editing an expired or retired post.
 *
 * @since 0.1.0
 * @category errors
 */
export class FailedPreconditionError extends /* @__PURE__ */ Data.TaggedError(
  "FailedPreconditionError"
)<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC ABORTED (10).
 *
 * @since 0.1.0
 * @category errors
 */
export class AbortedByServerError extends /* @__PURE__ */ Data.TaggedError(
  "AbortedByServerError"
)<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC OUT_OF_RANGE (11).
 *
 * @since 0.1.0
 * @category errors
 */
export class OutOfRangeError extends /* @__PURE__ */ Data.TaggedError("OutOfRangeError")<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC UNIMPLEMENTED (12).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnimplementedError extends /* @__PURE__ */ Data.TaggedError(
  "UnimplementedError"
)<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC INTERNAL (13) / HTTP 500.
 *
 * @since 0.1.0
 * @category errors
 */
export class InternalError extends /* @__PURE__ */ Data.TaggedError("InternalError")<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC UNAVAILABLE (14), and HTTP 502/503/504 answers (also HTML pages from a
 * proxy in front of Kenar). Retried for operations that are safe to retry.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnavailableError extends /* @__PURE__ */ Data.TaggedError("UnavailableError")<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC DATA_LOSS (15).
 *
 * @since 0.1.0
 * @category errors
 */
export class DataLossError extends /* @__PURE__ */ Data.TaggedError("DataLossError")<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * gRPC UNAUTHENTICATED (16): unknown or missing API key, or an invalid or
 * expired access token.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnauthenticatedError extends /* @__PURE__ */ Data.TaggedError(
  "UnauthenticatedError"
)<ApiErrorFields> {
  readonly kind = "api" as const
}

/**
 * One problem found in an input.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidationIssue {
  /** Dotted path of the field, e.g. `"general_data.title"` (`""` for the whole input). */
  readonly field: string
  /** Short name of the rule, e.g. `"required"`, `"length"`, `"url-safe"`. */
  readonly rule: string
  /** What was expected, in words. */
  readonly message: string
}

/**
 * The input of a call was rejected before any I/O. `field` and `rule` name
 * the first problem; `issues` lists them all.
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends /* @__PURE__ */ Data.TaggedError("ValidationError")<{
  readonly operation: string
  readonly field: string
  readonly rule: string
  readonly message: string
  readonly issues: ReadonlyArray<ValidationIssue>
}> {
  /** Discriminates API errors from local ones. */
  readonly kind = "local" as const
}

/**
 * A credential the operation needs is missing or could not be obtained (the
 * token source failed). Nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class CredentialError extends /* @__PURE__ */ Data.TaggedError("CredentialError")<{
  readonly operation: string
  readonly credential: "apiKey" | "accessToken"
  readonly message: string
}> {
  /** Discriminates API errors from local ones. */
  readonly kind = "local" as const
}

/**
 * Why a request got no usable answer.
 *
 * - `ConnectionRefused`, `DnsFailure`, `ConnectTimeout`: the connection was
 *   never made, so the request provably did not reach Kenar.
 * - `ConnectionReset`: the connection broke while the request was under way.
 * - `Timeout`: the per-attempt timeout elapsed.
 * - `BodyError`: the answer's body broke off while being read.
 * - `Unknown`: anything else (e.g. a browser's opaque `TypeError`).
 *
 * @since 0.1.0
 * @category models
 */
export type TransportReason =
  | "ConnectionRefused"
  | "DnsFailure"
  | "ConnectTimeout"
  | "ConnectionReset"
  | "Timeout"
  | "BodyError"
  | "Unknown"

/**
 * No usable answer arrived. `mayHaveReachedServer` is `false` only when the
 * request provably never reached Kenar (the only case in which a submit is
 * retried).
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends /* @__PURE__ */ Data.TaggedError("TransportError")<{
  readonly operation: string
  readonly reason: TransportReason
  readonly mayHaveReachedServer: boolean
  readonly message: string
  readonly attempt: number
}> {
  /** Discriminates API errors from local ones. */
  readonly kind = "transport" as const
}

/**
 * An answer arrived but could not be used: invalid JSON, an empty body, or a
 * success body that does not match the operation's schema.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseError extends /* @__PURE__ */ Data.TaggedError("ResponseError")<{
  readonly operation: string
  readonly reason: "InvalidJson" | "EmptyBody" | "SchemaMismatch"
  readonly httpStatus: number
  readonly message: string
  readonly requestId: string | undefined
  readonly attempt: number
}> {
  /** Discriminates API errors from local ones. */
  readonly kind = "transport" as const
}

/**
 * The caller cancelled the call (an `AbortSignal` fired). Only the Promise
 * API reports this; in Effect code cancellation is interruption.
 *
 * @since 0.1.0
 * @category errors
 */
export class AbortedError extends /* @__PURE__ */ Data.TaggedError("AbortedError")<{
  readonly operation: string
  readonly message: string
}> {
  /** Discriminates API errors from local ones. */
  readonly kind = "local" as const
}

/**
 * An API error class, by gRPC code.
 *
 * @since 0.1.0
 * @category models
 */
export type ApiError =
  | CancelledError
  | UnknownError
  | InvalidArgumentError
  | DeadlineExceededError
  | NotFoundError
  | AlreadyExistsError
  | PermissionDeniedError
  | RateLimitedError
  | FailedPreconditionError
  | AbortedByServerError
  | OutOfRangeError
  | UnimplementedError
  | InternalError
  | UnavailableError
  | DataLossError
  | UnauthenticatedError

/**
 * Errors every operation can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type CommonError =
  | ValidationError
  | CredentialError
  | TransportError
  | ResponseError
  | CancelledError
  | UnknownError
  | InvalidArgumentError
  | DeadlineExceededError
  | PermissionDeniedError
  | RateLimitedError
  | AbortedByServerError
  | UnimplementedError
  | InternalError
  | UnavailableError
  | DataLossError
  | UnauthenticatedError

/**
 * Errors only some operations declare (others report these codes as
 * {@link UnknownError}).
 *
 * @since 0.1.0
 * @category models
 */
export type SpecificError = NotFoundError | AlreadyExistsError | FailedPreconditionError | OutOfRangeError

/**
 * Tags of {@link SpecificError}.
 *
 * @since 0.1.0
 * @category models
 */
export type SpecificErrorTag = SpecificError["_tag"]

/**
 * Any error of a Kenar call.
 *
 * @since 0.1.0
 * @category models
 */
export type KenarError = CommonError | SpecificError | AbortedError

const tags = new Set<string>([
  "CancelledError",
  "UnknownError",
  "InvalidArgumentError",
  "DeadlineExceededError",
  "NotFoundError",
  "AlreadyExistsError",
  "PermissionDeniedError",
  "RateLimitedError",
  "FailedPreconditionError",
  "AbortedByServerError",
  "OutOfRangeError",
  "UnimplementedError",
  "InternalError",
  "UnavailableError",
  "DataLossError",
  "UnauthenticatedError",
  "ValidationError",
  "CredentialError",
  "TransportError",
  "ResponseError",
  "AbortedError"
])

/**
 * Whether a value is one of the SDK's errors.
 *
 * @since 0.1.0
 * @category guards
 */
export const isKenarError = (u: unknown): u is KenarError =>
  typeof u === "object" &&
  u !== null &&
  "_tag" in u &&
  tags.has((u as { _tag: string })._tag) &&
  u instanceof Error

/**
 * Whether an error answers to a Kenar response carrying a status.
 *
 * @since 0.1.0
 * @category guards
 */
export const isApiError = (u: unknown): u is ApiError => isKenarError(u) && u.kind === "api"
