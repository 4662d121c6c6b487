/**
 * The Kenar client service. It needs an `HttpClient` (a transport from
 * `@kenar/node`, `@kenar/browser`, or `@kenar/testing`) and a `KenarAuth`
 * layer, and nothing platform-specific.
 *
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { KenarAuth, KenarClient, Posts } from "@kenar/core"
 * import { FetchHttpClient } from "effect/http"
 *
 * const KenarLive = KenarClient.layer({ timeout: "5 seconds" }).pipe(
 *   Layer.provide(KenarAuth.layer({ apiKey: process.env.KENAR_API_KEY })),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 *
 * Effect.runPromise(Posts.getUploadUrls().pipe(Effect.provide(KenarLive)))
 * ```
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { makeExecutor } from "./internal/executor.js"
import { RequestGate } from "./internal/gate.js"
import { KenarAuth } from "./KenarAuth.js"
import * as KenarConfig from "./KenarConfig.js"
import type * as Operation from "./Operation.js"

/**
 * The client service: one generic `call` that runs any operation definition.
 *
 * @since 0.1.0
 * @category services
 */
export class KenarClient extends Context.Service<
  KenarClient,
  {
    /** The client's resolved settings. */
    readonly config: KenarConfig.ResolvedConfig
    /** The transport the client sends with (uploads reuse it). */
    readonly http: HttpClient.HttpClient
    /** The client's credentials (uploads reuse its API key). */
    readonly auth: KenarAuth["Service"]
    /** Runs one operation. */
    readonly call: <D extends Operation.Any>(
      definition: D,
      input: Operation.Input<D>,
      options?: KenarConfig.CallOptions
    ) => Effect.Effect<Operation.Output<D>, Operation.Error<D>>
  }
>()("@kenar/core/KenarClient") {}

/**
 * Never follow a redirect: `fetch` would resend `x-api-key` to whatever host
 * a redirect names. A 3xx answer becomes a typed error instead. (undici's
 * `request`, used by `@kenar/node`, does not follow redirects at all.) Fetch
 * options given where the client layer is built, or around a call, are kept.
 */
const withoutRedirects = (
  http: HttpClient.HttpClient,
  built: Option.Option<globalThis.RequestInit>
): HttpClient.HttpClient =>
  HttpClient.transform(http, (effect) =>
    Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (current) =>
      Effect.provideService(effect, FetchHttpClient.RequestInit, {
        ...Option.getOrElse(built, () => ({})),
        ...Option.getOrElse(current, () => ({})),
        redirect: "manual"
      })
    )
  )

/**
 * Builds the client from the `HttpClient` and `KenarAuth` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWith = (
  config: KenarConfig.ResolvedConfig
): Effect.Effect<KenarClient["Service"], never, HttpClient.HttpClient | KenarAuth> =>
  Effect.gen(function* () {
    const http = withoutRedirects(
      yield* HttpClient.HttpClient,
      yield* Effect.serviceOption(FetchHttpClient.RequestInit)
    )
    const auth = yield* KenarAuth
    // an optional hook around every attempt, e.g. `KenarRateLimit.layer` (uploads' bytes bypass it)
    const gate = yield* Effect.serviceOption(RequestGate)
    const execute = makeExecutor(Option.isSome(gate) ? gate.value.wrap(http, config) : http, auth, config)
    return KenarClient.of({
      config,
      http,
      auth,
      call: (definition, input, options) => execute(definition, input, options) as any
    })
  })

/**
 * The client layer. Options are checked at once: an invalid base URL or
 * timeout throws a `TypeError` naming the option.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: KenarConfig.ClientOptions = {}
): Layer.Layer<KenarClient, never, HttpClient.HttpClient | KenarAuth> =>
  Layer.effect(KenarClient, makeWith(KenarConfig.resolve(options)))

/**
 * The client layer, with the base URL read from `KENAR_BASE_URL` through
 * `Config` when `options.baseUrl` is not given.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: KenarConfig.ClientOptions = {}
): Layer.Layer<KenarClient, Config.ConfigError, HttpClient.HttpClient | KenarAuth> =>
  Layer.effect(KenarClient, Effect.flatMap(KenarConfig.fromConfig(options), makeWith))

/**
 * An operation as an Effect function over the {@link KenarClient} in context,
 * carrying its definition.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperationFn<D extends Operation.Any> {
  (
    ...args: Operation.HasNoInput<D> extends true
      ? [input?: Operation.Input<D>, options?: KenarConfig.CallOptions]
      : [input: Operation.Input<D>, options?: KenarConfig.CallOptions]
  ): Effect.Effect<Operation.Output<D>, Operation.Error<D>, KenarClient>
  /** The operation's one definition. */
  readonly definition: D
}

/**
 * Turns a definition into its Effect function.
 *
 * @since 0.1.0
 * @category constructors
 */
export const operation = <D extends Operation.Any>(definition: D): OperationFn<D> => {
  const fn = (input?: Operation.Input<D>, options?: KenarConfig.CallOptions) =>
    KenarClient.use((client) => client.call(definition, (input ?? {}) as Operation.Input<D>, options))
  return Object.assign(fn, { definition }) as unknown as OperationFn<D>
}
