/**
 * The optional hook that puts a client's calls in spans. The client picks it
 * up from the context it is built in; `KenarTracing` implements it. Kept
 * apart so that a client without tracing carries no span code into a bundle.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { KenarError } from "../KenarError.js"
import type * as Operation from "../Operation.js"

/** What a traced call reports to its span, filled in as it runs. */
export interface Observed {
  attempts: number
  lastStatus: number | undefined
}

/** Runs a call, inside a span when it traces (`observed` is then given to the call). */
export class CallTracing extends /* @__PURE__ */ Context.Service<
  CallTracing,
  {
    readonly trace: (
      definition: Operation.Any,
      run: (observed: Observed | undefined) => Effect.Effect<unknown, KenarError>
    ) => Effect.Effect<unknown, KenarError>
  }
>()("@kenar/core/CallTracing") {}
