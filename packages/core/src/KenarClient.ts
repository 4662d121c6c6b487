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
import { constTrue } from "effect/Function"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { makeExecutor } from "./internal/executor.js"
import { RequestGate } from "./internal/gate.js"
import { CallTracing } from "./internal/tracing.js"
import { KenarAuth } from "./KenarAuth.js"
import * as KenarConfig from "./KenarConfig.js"
import * as KenarTracing from "./KenarTracing.js"
import * as KenarTransport from "./KenarTransport.js"
import type * as Operation from "./Operation.js"

/**
 * The client service: one generic `call` that runs any operation definition.
 *
 * @since 0.1.0
 * @category services
 */
export class KenarClient extends /* @__PURE__ */ Context.Service<
  KenarClient,
  {
    /** The client's resolved settings. */
    readonly config: KenarConfig.ResolvedConfig
    /**
     * The `HttpClient` uploads send their bytes with: the one the client was
     * built over, or the one given to {@link layerWithTransport}; `undefined`
     * when a client built over a bare transport has none (uploads then need
     * an `Uploads.layer` with its own).
     */
    readonly http: HttpClient.HttpClient | undefined
    /** The transport the client's calls go through. */
    readonly transport: KenarTransport.KenarTransport["Service"]
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
 * The client's calls make one span each (`kenar.<operation>`); the
 * `HttpClient` under them makes none and propagates no trace headers.
 */
const untraced = (http: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transform(http, (effect) =>
    Effect.provideService(effect, HttpClient.TracerDisabledWhen, constTrue)
  )

/**
 * Builds the client over a transport, with the `KenarAuth` in context.
 * `http` is what uploads send their bytes with. Calls are traced when
 * `KenarTracing.layer` is in context (see {@link KenarTracing}).
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeWithTransport = (
  config: KenarConfig.ResolvedConfig,
  transport: KenarTransport.KenarTransport["Service"],
  http?: HttpClient.HttpClient | undefined
): Effect.Effect<KenarClient["Service"], never, KenarAuth> =>
  Effect.gen(function* () {
    const auth = yield* KenarAuth
    // an optional hook around every attempt, e.g. `KenarRateLimit.layer` (uploads' bytes bypass it)
    const gate = yield* Effect.serviceOption(RequestGate)
    const send = Option.isSome(gate) ? gate.value.wrap(transport.send, config) : transport.send
    const tracing = yield* Effect.serviceOption(CallTracing)
    const execute = makeExecutor(send, auth, config, Option.getOrUndefined(tracing))
    return KenarClient.of({
      config,
      http,
      transport,
      auth,
      call: (definition, input, options) => execute(definition, input, options) as any
    })
  })

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
    const given = yield* HttpClient.HttpClient
    const http = withoutRedirects(given, yield* Effect.serviceOption(FetchHttpClient.RequestInit))
    // a platform client may carry a leaner transport for calls (see KenarTransport.attach)
    const transport = KenarTransport.attached(given) ?? KenarTransport.fromHttpClient(untraced(http))
    // clients over an HttpClient (Node, tests, servers) trace their calls without asking
    return yield* makeWithTransport(config, transport, http).pipe(
      Effect.provideServiceEffect(
        CallTracing,
        Effect.map(
          Effect.serviceOption(CallTracing),
          Option.getOrElse(() => KenarTracing.make)
        )
      )
    )
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
 * The client layer over the `KenarTransport` in context (a platform's lean
 * transport) instead of an `HttpClient`. `http`, when given, is what uploads
 * send their bytes with.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerWithTransport = (
  options: KenarConfig.ClientOptions = {},
  http?: HttpClient.HttpClient | undefined
): Layer.Layer<KenarClient, never, KenarTransport.KenarTransport | KenarAuth> => {
  const config = KenarConfig.resolve(options)
  return Layer.effect(
    KenarClient,
    Effect.gen(function* () {
      const transport = yield* KenarTransport.KenarTransport
      return yield* makeWithTransport(config, transport, http)
    })
  )
}

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
