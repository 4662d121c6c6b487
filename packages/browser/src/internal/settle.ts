import { KenarError } from "@kenar/core"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"

/**
 * A Promise's outcome from an Exit, as `KenarPromiseClient` settles its
 * calls: the typed failure is thrown as it is, cancellation is an
 * `AbortedError`, a defect is thrown squashed.
 */
export const settle = <A>(
  operation: string,
  exit: Exit.Exit<A, unknown>,
  signal: AbortSignal | undefined
): A => {
  if (Exit.isSuccess(exit)) return exit.value
  const failure = exit.cause.reasons.find(Cause.isFailReason)
  if (failure !== undefined) throw failure.error
  if (signal?.aborted || Cause.hasInterruptsOnly(exit.cause)) {
    throw new KenarError.AbortedError({ operation, message: `${operation}: the call was cancelled` })
  }
  throw Cause.squash(exit.cause)
}
