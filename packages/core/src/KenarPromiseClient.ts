/**
 * Every Post operation as an async method, for code that does not use
 * Effect. It runs the same layers as the Effect API, and rejects with the
 * same tagged error instances (`error._tag`, `instanceof NotFoundError`).
 *
 * ```ts
 * import { NodeKenarClient } from "@kenar/node"
 *
 * const kenar = NodeKenarClient.makePromise({ apiKey: process.env.KENAR_API_KEY })
 * try {
 *   const post = await kenar.getUserPost({ token: "AaEB0vbO" }, { accessToken })
 * } catch (error) {
 *   if (error._tag === "NotFoundError") ...
 * }
 * ```
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { KenarClient, type OperationFn } from "./KenarClient.js"
import type { CallOptions } from "./KenarConfig.js"
import { AbortedError } from "./KenarError.js"
import type * as Operation from "./Operation.js"
import * as Posts from "./Posts.js"

/**
 * Options of one Promise call: those of the Effect API plus an `AbortSignal`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseCallOptions extends CallOptions {
  /** Cancels the call: the request is aborted and the promise rejects with `AbortedError`. */
  readonly signal?: AbortSignal | undefined
}

/**
 * One operation as an async method.
 *
 * @since 0.1.0
 * @category models
 */
export type PromiseMethod<D extends Operation.Any> = (
  ...args: Operation.HasNoInput<D> extends true
    ? [input?: Operation.Input<D>, options?: PromiseCallOptions]
    : [input: Operation.Input<D>, options?: PromiseCallOptions]
) => Promise<Operation.Output<D>>

/**
 * The Promise client: one method per Post operation, plus `call` for any
 * operation function and `dispose` to release the layers.
 *
 * @since 0.1.0
 * @category models
 */
export type KenarPromiseClient = {
  readonly [K in keyof Posts.All]: PromiseMethod<Posts.All[K]["definition"]>
} & {
  /** Runs any operation function (e.g. one from a later API group). */
  readonly call: <D extends Operation.Any>(
    operation: OperationFn<D>,
    input: Operation.Input<D>,
    options?: PromiseCallOptions
  ) => Promise<Operation.Output<D>>
  /** Releases the client's resources (connection pools of the layer). */
  readonly dispose: () => Promise<void>
}

/**
 * A call's Promise outcome from its `Exit`, as the Promise client settles
 * every call: the value; or the typed failure thrown as it is; or, when the
 * call was cancelled, an {@link AbortedError}; a defect is thrown squashed.
 * For adapters that run their own Effects behind a Promise API.
 *
 * @since 0.1.0
 * @category utils
 */
export const settle = <A>(
  operation: string,
  exit: Exit.Exit<A, unknown>,
  signal?: AbortSignal | undefined
): A => {
  if (Exit.isSuccess(exit)) return exit.value
  const failure = exit.cause.reasons.find(Cause.isFailReason)
  if (failure !== undefined) throw failure.error
  if (signal?.aborted || Cause.hasInterruptsOnly(exit.cause)) {
    throw new AbortedError({ operation, message: `${operation}: the call was cancelled` })
  }
  throw Cause.squash(exit.cause)
}

/**
 * Builds a Promise client over a layer that provides {@link KenarClient}
 * (for example `NodeKenarClient.layer(...)`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <E>(layer: Layer.Layer<KenarClient, E>): KenarPromiseClient => {
  const runtime = ManagedRuntime.make(layer)
  // Once the layer is built, calls run straight on its context: ManagedRuntime's per-run
  // bookkeeping (merged options, a scope finalizer per fiber) costs more than the call's own
  // work. The calls in flight are kept here instead, so `dispose` still interrupts them.
  let context: Context.Context<KenarClient> | undefined
  let disposed = false
  // The calls in flight, in reusable slots: a Set of fibers costs several microseconds a call
  // (hashing and rehashing objects that churn), an array slot almost nothing.
  const inFlight: Array<Fiber.Fiber<unknown, unknown> | undefined> = []
  const freeSlots: Array<number> = []
  const cancelled = (name: string) =>
    Promise.reject(new AbortedError({ operation: name, message: `${name}: the call was cancelled` }))
  const run = <A>(
    name: string,
    effect: Effect.Effect<A, unknown, KenarClient>,
    signal: AbortSignal | undefined
  ): Promise<A> => {
    if (signal?.aborted) return cancelled(name)
    if (context === undefined || disposed) {
      return runtime.runPromiseExit(effect, signal === undefined ? undefined : { signal }).then((exit) => {
        if (!disposed) context ??= runtime.cachedContext
        return settle(name, exit, signal)
      })
    }
    const fiber = Effect.runForkWith(context)(effect, signal === undefined ? undefined : { signal })
    const slot = freeSlots.length > 0 ? freeSlots.pop()! : inFlight.length
    inFlight[slot] = fiber
    return new Promise<A>((resolve, reject) => {
      fiber.addObserver((exit) => {
        if (inFlight[slot] === fiber) {
          inFlight[slot] = undefined
          freeSlots.push(slot)
        }
        try {
          resolve(settle(name, exit, signal))
        } catch (error) {
          reject(error)
        }
      })
    })
  }
  const call = <D extends Operation.Any>(
    operation: OperationFn<D>,
    input: Operation.Input<D> | undefined,
    options?: PromiseCallOptions
  ) => {
    const fn = operation as (
      input: unknown,
      options: CallOptions | undefined
    ) => Effect.Effect<Operation.Output<D>, unknown, KenarClient>
    if (options === undefined) return run(operation.definition.name, fn(input, undefined), undefined)
    const { signal, ...callOptions } = options
    return run(operation.definition.name, fn(input, callOptions), signal)
  }
  // The methods run the client's `call` once the context is there (what the operation
  // functions do, less a service lookup per call).
  const methods: Record<string, unknown> = {}
  for (const [name, operation] of Object.entries(Posts.all)) {
    const definition = operation.definition as Operation.Any
    methods[name] = (input?: unknown, options?: PromiseCallOptions) => {
      if (context === undefined) return call(operation as OperationFn<any>, input as any, options)
      const client = Context.get(context, KenarClient)
      if (options === undefined)
        return run(definition.name, client.call(definition, (input ?? {}) as never), undefined)
      const { signal, ...callOptions } = options
      return run(definition.name, client.call(definition, (input ?? {}) as never, callOptions), signal)
    }
  }
  const dispose = async () => {
    disposed = true
    context = undefined
    const running = inFlight.filter((fiber) => fiber !== undefined)
    inFlight.length = 0
    freeSlots.length = 0
    await Promise.all(running.map((fiber) => Effect.runPromise(Fiber.interrupt(fiber))))
    await runtime.dispose()
  }
  return Object.assign(methods, { call, dispose }) as unknown as KenarPromiseClient
}
