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
 * With OAuth (refresh ahead of expiry, and refresh-and-retry once when Kenar
 * answers UNAUTHENTICATED), over one connection pool for Kenar and the token
 * endpoint:
 *
 * ```ts
 * import { NodeKenarClient, NodeOAuth } from "@kenar/node"
 *
 * const KenarLive = NodeKenarClient.layer({ auth: NodeOAuth.layerWithoutHttpClient() })
 * // provides KenarClient, and KenarAuth, TokenManager, OAuthClient, TokenStore
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
import { compileSchemas } from "./internal/compile.js"
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
 * Options of {@link layer}, {@link layerWithoutHttpClient} and
 * {@link makePromise} with an auth layer of your own instead of `apiKey` and
 * `accessToken`: typically OAuth's (`OAuth.layer(...)` from `@kenar/core`,
 * or `NodeOAuth.layerWithoutHttpClient()`), whose `KenarAuth` refreshes the
 * user's token ahead of expiry and, when Kenar answers UNAUTHENTICATED,
 * refreshes once and retries the call.
 *
 * The auth layer is built over the client's own transport (one undici pool
 * for Kenar and the token endpoint, closed with the layer), and what it
 * provides besides `KenarAuth` (`TokenManager`, `OAuthClient`, `TokenStore`)
 * is provided by the resulting layer too. Give it the API key itself:
 * `apiKey` and `accessToken` are refused next to `auth`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthLayerOptions<ROut, E, RIn> extends Omit<Options, "apiKey" | "accessToken"> {
  /** A layer providing `KenarAuth` (and anything else), over the `HttpClient` it is given. */
  readonly auth: Layer.Layer<KenarAuth.KenarAuth | ROut, E, RIn>
  /** Not with `auth`: the auth layer sends the API key. */
  readonly apiKey?: undefined
  /** Not with `auth`: the auth layer gives the token. */
  readonly accessToken?: undefined
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

const hasAuth = (
  options: Options | AuthLayerOptions<unknown, unknown, unknown>
): options is AuthLayerOptions<unknown, unknown, unknown> =>
  (options as { readonly auth?: unknown }).auth !== undefined

/** Checks an `auth` option at once: a layer, and no `apiKey` or `accessToken` beside it. */
const checkAuth = (options: AuthLayerOptions<unknown, unknown, unknown>): void => {
  if (!Layer.isLayer(options.auth)) {
    throw new TypeError("NodeKenarClient: auth must be a Layer providing KenarAuth (e.g. OAuth.layer(...))")
  }
  const stray = (["apiKey", "accessToken"] as const).filter(
    (name) => (options as Options)[name] !== undefined
  )
  if (stray.length > 0) {
    throw new TypeError(
      `NodeKenarClient: ${stray.join(" and ")} cannot be given with auth: pass ${stray.length > 1 ? "them" : "it"} to the auth layer`
    )
  }
}

/**
 * The client layer over the `HttpClient` in context (to use another
 * transport, such as the simulator's in-process one). Credentials and base
 * URL are found as in {@link layer}; with `auth`, the auth layer is built
 * over that `HttpClient` too.
 *
 * @since 0.1.0
 * @category layers
 */
export function layerWithoutHttpClient<ROut = never, E = never, RIn = never>(
  options: Omit<AuthLayerOptions<ROut, E, RIn>, "http">
): Layer.Layer<
  KenarClient.KenarClient | KenarAuth.KenarAuth | ROut,
  Config.ConfigError | E,
  HttpClient.HttpClient | RIn
>
/**
 * Without `auth`: the client with `apiKey` / `accessToken` (or `KENAR_API_KEY`).
 *
 * @since 0.1.0
 * @category layers
 */
export function layerWithoutHttpClient(
  options?: Omit<Options, "http">
): Layer.Layer<KenarClient.KenarClient, Config.ConfigError, HttpClient.HttpClient>
export function layerWithoutHttpClient(
  options: Omit<Options, "http"> | Omit<AuthLayerOptions<unknown, unknown, unknown>, "http"> = {}
): Layer.Layer<any, any, any> {
  // fast decoding for the calls, over whatever HttpClient is given
  compileSchemas()
  const base = clientOptions(options)
  const explicitBaseUrl =
    options.baseUrl === undefined ? undefined : KenarConfig.resolve({ ...base, baseUrl: options.baseUrl })
  const resolveConfig = Effect.suspend(() =>
    explicitBaseUrl === undefined
      ? Effect.flatMap(optionalBaseUrl, (baseUrl) => resolveWith(base, Option.getOrUndefined(baseUrl)))
      : Effect.succeed(explicitBaseUrl)
  )
  if (hasAuth(options)) {
    checkAuth(options)
    // KenarAuth comes from the auth layer, which shares the HttpClient in context
    return Layer.provideMerge(
      Layer.effect(KenarClient.KenarClient, Effect.flatMap(resolveConfig, KenarClient.makeWith)),
      options.auth
    )
  }
  const { apiKey: givenKey, accessToken } = options as Options
  return Layer.effect(
    KenarClient.KenarClient,
    Effect.gen(function* () {
      const apiKey = givenKey ?? Option.getOrUndefined(yield* optionalApiKey)
      const config = yield* resolveConfig
      return yield* build(config, { apiKey, accessToken })
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
 * - `auth`: an auth layer instead of `apiKey` / `accessToken`, e.g. OAuth's,
 *   built over the same connection pool; the layer then also provides what
 *   the auth layer provides (see {@link AuthLayerOptions}).
 * - The connection pool is closed when the layer's scope closes.
 *
 * ```ts
 * import { OAuth } from "@kenar/core"
 *
 * const KenarLive = NodeKenarClient.layer({
 *   auth: OAuth.layer({ clientId, clientSecret, redirectUri, apiKey })
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export function layer<ROut = never, E = never, RIn = never>(
  options: AuthLayerOptions<ROut, E, RIn>
): Layer.Layer<
  KenarClient.KenarClient | KenarAuth.KenarAuth | ROut,
  Config.ConfigError | E,
  Exclude<RIn, HttpClient.HttpClient>
>
/**
 * Without `auth`: the client with `apiKey` / `accessToken` (or `KENAR_API_KEY`).
 *
 * @since 0.1.0
 * @category layers
 */
export function layer(options?: Options): Layer.Layer<KenarClient.KenarClient, Config.ConfigError>
export function layer(
  options: Options | AuthLayerOptions<unknown, unknown, unknown> = {}
): Layer.Layer<any, any, any> {
  return Layer.provide(layerWithoutHttpClient(options as Options), transport(options.http))
}

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
 * With `auth` (see {@link AuthLayerOptions}), calls use that layer's
 * credentials, e.g. OAuth tokens kept in the `store` you gave `OAuth.layer`.
 *
 * @since 0.1.0
 * @category constructors
 */
export function makePromise<ROut = never, E = never>(
  options: AuthLayerOptions<ROut, E, HttpClient.HttpClient>
): KenarPromiseClient.KenarPromiseClient
/**
 * Without `auth`: calls with `apiKey` / `accessToken` (or `KENAR_API_KEY`).
 *
 * @since 0.1.0
 * @category constructors
 */
export function makePromise(options?: Options): KenarPromiseClient.KenarPromiseClient
export function makePromise(
  options: Options | AuthLayerOptions<unknown, unknown, HttpClient.HttpClient> = {}
): KenarPromiseClient.KenarPromiseClient {
  return KenarPromiseClient.make(layer(options as Options))
}
