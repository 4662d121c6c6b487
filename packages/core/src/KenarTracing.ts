/**
 * Spans for the client's calls: one span `kenar.<operation>` per call (kind
 * client) with the operation, its route template and method, the number of
 * attempts, the last HTTP status and the outcome. Made only when a tracer is
 * installed (effect's native tracer exports nothing, so nothing could see
 * them).
 *
 * `KenarClient.layer` (over any `HttpClient`) and the `@kenar/node` clients
 * trace their calls without asking. A client built over a bare transport
 * (`KenarClient.layerWithTransport`, `@kenar/browser`) traces when this
 * layer is provided where it is built, so that browser bundles without
 * tracing carry none of the span machinery:
 *
 * ```ts
 * BrowserKenarClient.layer().pipe(Layer.provide(KenarTracing.layer))
 * ```
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"
import { CallTracing, type Observed } from "./internal/tracing.js"

export {
  /**
   * The tracing service a client looks for where it is built.
   *
   * @since 0.2.0
   * @category services
   */
  CallTracing,
  /**
   * What a traced call reports to its span (attempts, last HTTP status), filled in as it runs.
   *
   * @since 0.2.0
   * @category models
   */
  type Observed
} from "./internal/tracing.js"

import type * as Operation from "./Operation.js"

/** The span options of an operation, built once per definition. */
const spanOptions = new WeakMap<Operation.Any, Tracer.SpanOptionsNoTrace>()
const spanOptionsOf = (definition: Operation.Any): Tracer.SpanOptionsNoTrace => {
  let options = spanOptions.get(definition)
  if (options === undefined) {
    options = {
      kind: "client",
      attributes: {
        "kenar.operation": definition.name,
        "kenar.operation_id": definition.operationId,
        "http.request.method": definition.method,
        "http.route": definition.path
      }
    }
    spanOptions.set(definition, options)
  }
  return options
}
const noStackTrace: Tracer.TraceOptions = { captureStackTrace: false }

/**
 * The tracing service: wraps each call in its span when a tracer is installed.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: CallTracing["Service"] = {
  trace: (definition, run) =>
    Effect.withFiber((fiber) => {
      if (fiber.getRef(Tracer.Tracer) === Tracer.nativeTracer) return run(undefined)
      const observed: Observed = { attempts: 0, lastStatus: undefined }
      return run(observed).pipe(
        Effect.onExit((exit) =>
          Effect.annotateCurrentSpan({
            "kenar.attempts": observed.attempts,
            ...(observed.lastStatus === undefined
              ? {}
              : { "http.response.status_code": observed.lastStatus }),
            "kenar.outcome": Exit.isFailure(exit) ? "failure" : "success"
          })
        ),
        Effect.withSpan(`kenar.${definition.name}`, spanOptionsOf(definition), noStackTrace)
      )
    })
}

/**
 * Spans for the calls of the clients built where this layer is provided.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: Layer.Layer<CallTracing> = Layer.succeed(CallTracing, make)
