/**
 * Typed errors across server rendering.
 *
 * By default TanStack's `dehydrate` sends only successful queries: a query
 * that failed on the server is fetched again in the browser, where its
 * error is a real instance again (`instanceof NotFoundError`, `_tag`). That
 * is the recommended setup.
 *
 * If you dehydrate failed queries too (`shouldDehydrateQuery`), the error
 * instance is serialized with the rest of the state: JSON (and
 * superjson/devalue) keep `_tag` and every field (no secret is among them)
 * but not the class. {@link reviveKenarErrors} puts the classes back:
 *
 * ```tsx
 * <HydrationBoundary state={reviveKenarErrors(state)}>…</HydrationBoundary>
 * ```
 *
 * A query dehydrated while still pending whose promise then rejects is
 * redacted by TanStack in production builds unless `shouldRedactErrors`
 * returns false for it.
 *
 * @since 0.1.0
 */
import * as KenarError from "@kenar/core/KenarError"
import * as Uploads from "@kenar/core/Uploads"
import type { DehydratedState } from "@tanstack/react-query"

type ErrorClass = new (fields: any) => Error

const classes: Readonly<Record<string, ErrorClass>> = {
  CancelledError: KenarError.CancelledError,
  UnknownError: KenarError.UnknownError,
  InvalidArgumentError: KenarError.InvalidArgumentError,
  DeadlineExceededError: KenarError.DeadlineExceededError,
  NotFoundError: KenarError.NotFoundError,
  AlreadyExistsError: KenarError.AlreadyExistsError,
  PermissionDeniedError: KenarError.PermissionDeniedError,
  RateLimitedError: KenarError.RateLimitedError,
  FailedPreconditionError: KenarError.FailedPreconditionError,
  AbortedByServerError: KenarError.AbortedByServerError,
  OutOfRangeError: KenarError.OutOfRangeError,
  UnimplementedError: KenarError.UnimplementedError,
  InternalError: KenarError.InternalError,
  UnavailableError: KenarError.UnavailableError,
  DataLossError: KenarError.DataLossError,
  UnauthenticatedError: KenarError.UnauthenticatedError,
  ValidationError: KenarError.ValidationError,
  CredentialError: KenarError.CredentialError,
  TransportError: KenarError.TransportError,
  ResponseError: KenarError.ResponseError,
  AbortedError: KenarError.AbortedError,
  UploadError: Uploads.UploadError
}

/**
 * The SDK error a serialized one (`{ _tag: "NotFoundError", ... }`) stands
 * for, as an instance of its class; anything else is returned unchanged.
 *
 * @since 0.1.0
 * @category hydration
 */
export const reviveKenarError = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null || value instanceof Error) return value
  const { _tag, kind: _kind, name: _name, stack: _stack, ...fields } = value as Record<string, unknown>
  const ErrorClass = typeof _tag === "string" && Object.hasOwn(classes, _tag) ? classes[_tag] : undefined
  return ErrorClass === undefined ? value : new ErrorClass(fields)
}

/**
 * A dehydrated state whose query errors are SDK error instances again.
 *
 * @since 0.1.0
 * @category hydration
 */
export const reviveKenarErrors = <S extends Partial<DehydratedState> | null | undefined>(state: S): S => {
  if (state === null || state === undefined || state.queries === undefined) return state
  return {
    ...state,
    queries: state.queries.map((query) =>
      query.state.error === null || query.state.error === undefined
        ? query
        : { ...query, state: { ...query.state, error: reviveKenarError(query.state.error) } }
    )
  }
}
