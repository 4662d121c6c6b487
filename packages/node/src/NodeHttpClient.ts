/**
 * The Node.js transport: an Effect `HttpClient` over undici's `request()` with
 * a keep-alive connection pool per origin. Responses are built straight from
 * undici's (no web `Response` in between), bodies are read lazily, streamed
 * request bodies are sent with backpressure, and interruption aborts the
 * request.
 *
 * ```ts
 * import { Effect } from "effect"
 * import * as HttpClient from "effect/http/HttpClient"
 * import { NodeHttpClient } from "@kenar/node"
 *
 * const program = Effect.flatMap(HttpClient.get("http://127.0.0.1:8080/health"), (res) => res.text)
 * Effect.runPromise(program.pipe(Effect.provide(NodeHttpClient.layer)))
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Undici from "undici"
import * as internal from "./internal/undiciClient.js"

/**
 * Settings of the connection pool. Durations take any `Duration.Input`
 * (`"5 seconds"`, a number of milliseconds, ...).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Most sockets per origin; more concurrent requests wait in a queue (default: no limit). */
  readonly connections?: number | undefined
  /** HTTP/1.1 pipelining depth per socket (default 1: none). */
  readonly pipelining?: number | undefined
  /** Timeout of establishing a connection (TCP and TLS); default 10 seconds. */
  readonly connectTimeout?: Duration.Input | undefined
  /** How long an idle socket is kept for reuse when the server gives no hint; default 4 seconds. */
  readonly keepAliveTimeout?: Duration.Input | undefined
  /** Upper bound of a server's `Keep-Alive: timeout=` hint; default 10 minutes. */
  readonly keepAliveMaxTimeout?: Duration.Input | undefined
  /**
   * undici's own limit on waiting for response headers (default 300 seconds).
   * Kenar calls have their own per-attempt timeout, which aborts sooner.
   */
  readonly headersTimeout?: Duration.Input | undefined
  /** undici's own limit on a pause between body chunks (default 300 seconds). */
  readonly bodyTimeout?: Duration.Input | undefined
  /**
   * Less work per request for requests that are not traced
   * (`HttpClient.TracerDisabledWhen`, `Tracer.DisablePropagation`): no
   * `AbortSignal`, no garbage-collection hook and no response wrapper, about
   * twice the throughput of the plain client on Node 20. Interruption still
   * aborts the request. Such requests ignore `HttpClient.withScope`, and a
   * response must be read (or its body streamed) to free its connection.
   * Traced requests are unaffected. Default `false`; `NodeKenarClient` sets it.
   */
  readonly lean?: boolean | undefined
}

/**
 * The undici dispatcher requests go through. Provide your own (a
 * `ProxyAgent`, a `MockAgent`, an agent with TLS settings) with
 * {@link layerDispatcher}; its lifetime is then yours.
 *
 * @since 0.1.0
 * @category services
 */
export class Dispatcher extends Context.Service<Dispatcher, Undici.Dispatcher>()(
  "@kenar/node/NodeHttpClient/Dispatcher"
) {}

/**
 * An `HttpClient` over the given undici dispatcher (for example
 * `new undici.Agent(...)`, `undici.getGlobalDispatcher()`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromDispatcher: (dispatcher: Undici.Dispatcher) => HttpClient.HttpClient =
  internal.fromDispatcher

/**
 * A keep-alive undici `Agent` built from the options, closed when the scope
 * closes. Throws a `TypeError` for invalid options.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeDispatcher: (options?: Options) => Effect.Effect<Undici.Dispatcher, never, Scope.Scope> =
  internal.scopedAgent

/**
 * The {@link Options.lean} client over the given dispatcher.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromDispatcherLean: (dispatcher: Undici.Dispatcher) => HttpClient.HttpClient =
  internal.fromDispatcherLean

/**
 * An `HttpClient` with its own connection pool, closed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Options): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  Effect.map(
    internal.scopedAgent(options),
    options?.lean === true ? internal.fromDispatcherLean : internal.fromDispatcher
  )

/**
 * The undici `HttpClient` over the {@link Dispatcher} in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutDispatcher: Layer.Layer<HttpClient.HttpClient, never, Dispatcher> = Layer.effect(
  HttpClient.HttpClient,
  Dispatcher.useSync(internal.fromDispatcher)
)

/**
 * Provides a dispatcher you own (not closed by the layer).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDispatcher = (dispatcher: Undici.Dispatcher): Layer.Layer<HttpClient.HttpClient> =>
  Layer.succeed(HttpClient.HttpClient, internal.fromDispatcher(dispatcher))

/**
 * The undici `HttpClient` with a pool built from the options and closed with
 * the layer. Throws a `TypeError` for invalid options when the layer is built.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (options: Options): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(HttpClient.HttpClient, make(options))

/**
 * The undici `HttpClient` with a default keep-alive pool, closed with the layer.
 * This is the transport `NodeKenarClient` uses.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = Layer.effect(HttpClient.HttpClient, make())

/**
 * Effect's `fetch`-based client (Node's built-in `fetch`), for comparison or
 * where undici's `request` cannot be used. Slower: see the package README.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFetch: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer
