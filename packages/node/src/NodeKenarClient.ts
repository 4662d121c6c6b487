/**
 * A Kenar client for Node.js with everything provided: the undici transport,
 * the API key (from the options or `KENAR_API_KEY`), the base URL (from the
 * options or `KENAR_BASE_URL`), a `User-Agent`, timeouts and retries.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Posts } from "@kenar/core"
 * import { NodeKenarClient } from "@kenar/node"
 *
 * const KenarLive = NodeKenarClient.layer({ accessToken: () => tokens.current() })
 *
 * const title = Posts.getUserPost({ token: "AaEB0vbO" }).pipe(
 *   Effect.map((post) => post.general_data.title),
 *   Effect.provide(KenarLive)
 * )
 * ```
 *
 * Without Effect:
 *
 * ```ts
 * const kenar = NodeKenarClient.makePromise({ apiKey: process.env.KENAR_API_KEY, accessToken })
 * const post = await kenar.getUserPost({ token: "AaEB0vbO" })
 * await kenar.dispose()
 * ```
 *
 * @since 0.1.0
 */
import { KenarAuth, KenarClient, KenarConfig, KenarPromiseClient } from "@kenar/core"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as NodeHttpClient from "./NodeHttpClient.js"

/**
 * Options of {@link layer} and {@link makePromise}: the core client options
 * (`baseUrl`, `timeout`, `retry`, `userAgent`) plus credentials and
 * connection-pool settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends KenarConfig.ClientOptions {
  /** The app's API key; when absent, `KENAR_API_KEY` is read through `Config`. */
  readonly apiKey?: string | Redacted.Redacted<string> | undefined
  /** The user's OAuth access token, or a function asked before each call that needs one. */
  readonly accessToken?: KenarAuth.TokenSource | undefined
  /** Settings of the connection pool (see `NodeHttpClient.Options`; `lean` defaults to `true` here). */
  readonly http?: NodeHttpClient.Options | undefined
}

/**
 * Options of {@link layerConfig}: like {@link Options}, with the API key and
 * base URL given as `Config`s.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions extends Omit<Options, "apiKey" | "baseUrl"> {
  /** Default: `Config.Redacted("KENAR_API_KEY")` (required). */
  readonly apiKey?: Config.Config<Redacted.Redacted<string>> | undefined
  /** Default: `KENAR_BASE_URL` if set, else Kenar's host. */
  readonly baseUrl?: Config.Config<string> | Config.Config<Option.Option<string>> | undefined
}

/**
 * The `User-Agent` sent by Node clients:
 * `kenar-ts/<version> (@kenar/node; node/<process.version>)`.
 *
 * @since 0.1.0
 * @category constants
 */
export const USER_AGENT: string = `kenar-ts/${KenarConfig.VERSION} (@kenar/node; node/${process.version})`

const optionalApiKey = Config.option(Config.Redacted("KENAR_API_KEY"))
const optionalBaseUrl = Config.option(Config.String("KENAR_BASE_URL"))

const invalidBaseUrl = (error: unknown) =>
  new Config.ConfigError(
    new ConfigProvider.SourceError({
      message: `KENAR_BASE_URL: ${error instanceof Error ? error.message : String(error)}`,
      cause: error
    })
  )

/** Resolves the settings with the base URL from the environment, as a ConfigError when invalid. */
const resolveWith = (
  options: KenarConfig.ClientOptions,
  baseUrl: string | undefined
): Effect.Effect<KenarConfig.ResolvedConfig, Config.ConfigError> =>
  baseUrl === undefined
    ? Effect.succeed(KenarConfig.resolve(options))
    : Effect.try({ try: () => KenarConfig.resolve({ ...options, baseUrl }), catch: invalidBaseUrl })

const clientOptions = (options: Omit<Options, "apiKey"> | ConfigOptions): KenarConfig.ClientOptions => {
  const resolved: KenarConfig.ClientOptions = {
    timeout: options.timeout,
    retry: options.retry,
    userAgent: options.userAgent ?? USER_AGENT
  }
  // Checks the options given in code at once (a TypeError names the bad one).
  KenarConfig.resolve(resolved)
  return resolved
}

const transport = (options: NodeHttpClient.Options | undefined) =>
  NodeHttpClient.layerWith({ lean: true, ...options })

const build = (
  config: KenarConfig.ResolvedConfig,
  auth: KenarAuth.AuthOptions
): Effect.Effect<KenarClient.KenarClient["Service"], never, HttpClient.HttpClient> =>
  Effect.provideService(KenarClient.makeWith(config), KenarAuth.KenarAuth, KenarAuth.make(auth))

/**
 * The client layer over the `HttpClient` in context (to use another
 * transport, such as the simulator's in-process one). Credentials and base
 * URL are found as in {@link layer}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutHttpClient = (
  options: Omit<Options, "http"> = {}
): Layer.Layer<KenarClient.KenarClient, Config.ConfigError, HttpClient.HttpClient> => {
  const base = clientOptions(options)
  const explicitBaseUrl =
    options.baseUrl === undefined ? undefined : KenarConfig.resolve({ ...base, baseUrl: options.baseUrl })
  return Layer.effect(
    KenarClient.KenarClient,
    Effect.gen(function* () {
      const apiKey = options.apiKey ?? Option.getOrUndefined(yield* optionalApiKey)
      const config =
        explicitBaseUrl ?? (yield* resolveWith(base, Option.getOrUndefined(yield* optionalBaseUrl)))
      return yield* build(config, { apiKey, accessToken: options.accessToken })
    })
  )
}

/**
 * The Kenar client for Node, with the undici transport built in.
 *
 * - API key: `options.apiKey`, else `KENAR_API_KEY` read through `Config` (as
 *   `Redacted`). When neither is set, building the client still succeeds and
 *   each call fails with a `CredentialError` before anything is sent.
 * - Base URL: `options.baseUrl`, else `KENAR_BASE_URL`, else Kenar's host. An
 *   invalid `KENAR_BASE_URL` fails the layer with a `ConfigError`; invalid
 *   options given in code throw a `TypeError` at once.
 * - `User-Agent`: {@link USER_AGENT} unless `options.userAgent` is given.
 * - The connection pool is closed when the layer's scope closes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<KenarClient.KenarClient, Config.ConfigError> =>
  Layer.provide(layerWithoutHttpClient(options), transport(options.http))

/**
 * Like {@link layer}, with the API key and base URL read from the given
 * `Config`s. Unlike {@link layer}, a missing API key fails the layer with a
 * `ConfigError` when it is built.
 *
 * ```ts
 * const KenarLive = NodeKenarClient.layerConfig({ apiKey: Config.Redacted("DIVAR_KEY") })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: ConfigOptions = {}
): Layer.Layer<KenarClient.KenarClient, Config.ConfigError> => {
  const base = clientOptions(options)
  return Layer.provide(
    Layer.effect(
      KenarClient.KenarClient,
      Effect.gen(function* () {
        const apiKey = yield* options.apiKey ?? Config.Redacted("KENAR_API_KEY")
        const baseUrl: string | Option.Option<string> = yield* options.baseUrl ?? optionalBaseUrl
        const config = yield* resolveWith(
          base,
          typeof baseUrl === "string" ? baseUrl : Option.getOrUndefined(baseUrl)
        )
        return yield* build(config, { apiKey, accessToken: options.accessToken })
      })
    ),
    transport(options.http)
  )
}

/**
 * The Promise client over {@link layer}: every operation as an async method
 * that rejects with the SDK's tagged errors, plus `call` and `dispose`.
 * Creating it never touches the network or the environment: the layer is
 * built on the first call. Call `dispose()` to close the connection pool.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePromise = (options: Options = {}): KenarPromiseClient.KenarPromiseClient =>
  KenarPromiseClient.make(layer(options))
