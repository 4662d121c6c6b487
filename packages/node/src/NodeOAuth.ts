/**
 * OAuth for Node servers: the app's OAuth settings from the environment, and
 * two helpers for the routes that start the sign-in and receive the callback.
 * The logic lives in `@kenar/core`'s `OAuth` module; this is glue.
 *
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { KenarClient, OAuth, OAuthScope, Posts } from "@kenar/core"
 * import { NodeHttpClient, NodeKenarClient, NodeOAuth } from "@kenar/node"
 *
 * // KENAR_OAUTH_CLIENT_ID, KENAR_OAUTH_CLIENT_SECRET, KENAR_OAUTH_REDIRECT_URI, KENAR_API_KEY
 * const KenarLive = KenarClient.layer({ userAgent: NodeKenarClient.USER_AGENT }).pipe(
 *   Layer.provideMerge(NodeOAuth.layer()),
 *   Layer.provide(NodeHttpClient.layer)
 * )
 *
 * // GET /login
 * const login = NodeOAuth.start({ scopes: [OAuthScope.USER_POSTS_GET, OAuthScope.OFFLINE_ACCESS] })
 * // -> redirect to `url`, send `cookie` as Set-Cookie (or keep `state` in the session)
 *
 * // GET /oauth/callback
 * const callback = (req: IncomingMessage, userId: string) =>
 *   NodeOAuth.callback(req.url!, NodeOAuth.stateFromCookie(req.headers.cookie), { key: userId })
 *
 * // later, as that user
 * const post = Posts.getUserPost({ token: "AaEB0vbO" }).pipe(OAuth.withTokenKey(userId))
 * ```
 *
 * @since 0.1.0
 */
import { type KenarAuth, OAuth } from "@kenar/core"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as NodeHttpClient from "./NodeHttpClient.js"

/**
 * Options of {@link layer}. Each setting given here wins over its
 * environment variable.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The app slug. Default: `KENAR_OAUTH_CLIENT_ID`. */
  readonly clientId?: string | undefined
  /** The app's OAuth secret. Default: `KENAR_OAUTH_CLIENT_SECRET` (read as `Redacted`). */
  readonly clientSecret?: string | Redacted.Redacted<string> | undefined
  /** The registered redirect URI. Default: `KENAR_OAUTH_REDIRECT_URI`. */
  readonly redirectUri?: string | URL | undefined
  /** The app's API key. Default: `KENAR_API_KEY` when set (calls fail with a `CredentialError` otherwise). */
  readonly apiKey?: string | Redacted.Redacted<string> | undefined
  /** Default: Divar's authorization endpoint. */
  readonly authorizeUrl?: string | URL | undefined
  /** Default: Divar's token endpoint. */
  readonly tokenUrl?: string | URL | undefined
  /** Timeout of each token request. Default: 10 seconds. */
  readonly timeout?: Duration.Input | undefined
  /** Refresh this long before expiry. Default: 60 seconds. */
  readonly refreshSkew?: Duration.Input | undefined
  /** Where tokens are kept. Default: in memory. */
  readonly store?: OAuth.TokenStore["Service"] | undefined
}

const invalid = (error: unknown) =>
  new Config.ConfigError(
    new ConfigProvider.SourceError({
      message: error instanceof Error ? error.message : "invalid OAuth settings"
    })
  )

/**
 * The OAuth settings: `options`, else `KENAR_OAUTH_CLIENT_ID`,
 * `KENAR_OAUTH_CLIENT_SECRET` (as `Redacted`) and `KENAR_OAUTH_REDIRECT_URI`
 * through `Config`. A missing or invalid setting fails with a `ConfigError`
 * (which never holds the secret).
 *
 * @since 0.1.0
 * @category constructors
 */
export const config = (options: Options = {}): Effect.Effect<OAuth.ResolvedConfig, Config.ConfigError> =>
  Effect.gen(function* () {
    const clientId = options.clientId ?? (yield* Config.String("KENAR_OAUTH_CLIENT_ID"))
    const clientSecret = options.clientSecret ?? (yield* Config.Redacted("KENAR_OAUTH_CLIENT_SECRET"))
    const redirectUri = options.redirectUri ?? (yield* Config.String("KENAR_OAUTH_REDIRECT_URI"))
    return yield* Effect.try({
      try: () =>
        OAuth.resolveConfig({
          clientId,
          clientSecret,
          redirectUri,
          authorizeUrl: options.authorizeUrl,
          tokenUrl: options.tokenUrl,
          timeout: options.timeout
        }),
      catch: invalid
    })
  })

/**
 * `OAuth.layer` with its settings from {@link config}, over the `HttpClient`
 * in context: provides the `KenarAuth` for `KenarClient.layer`, the
 * `TokenManager`, the `OAuthClient` and the `TokenStore`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutHttpClient = (
  options: Options = {}
): Layer.Layer<
  KenarAuth.KenarAuth | OAuth.TokenManager | OAuth.OAuthClient | OAuth.TokenStore,
  Config.ConfigError,
  HttpClient.HttpClient
> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const resolved = yield* config(options)
      const apiKey =
        options.apiKey ?? Option.getOrUndefined(yield* Config.option(Config.Redacted("KENAR_API_KEY")))
      return OAuth.layer({
        ...resolved,
        apiKey,
        store: options.store,
        refreshSkew: options.refreshSkew
      })
    })
  )

/**
 * Like {@link layerWithoutHttpClient}, with the undici transport
 * (`NodeHttpClient.layer`) for the token endpoint.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  KenarAuth.KenarAuth | OAuth.TokenManager | OAuth.OAuthClient | OAuth.TokenStore,
  Config.ConfigError
> => Layer.provide(layerWithoutHttpClient(options), NodeHttpClient.layer)

/**
 * Name of the state cookie set by {@link start}: `__Host-kenar_oauth_state`
 * for an https redirect URI (the prefix stops subdomains from planting one),
 * `kenar_oauth_state` otherwise (e.g. `http://localhost` in development).
 *
 * @since 0.1.0
 * @category constants
 */
export const STATE_COOKIE = "kenar_oauth_state"

/**
 * What {@link start} gives the route handler.
 *
 * @since 0.1.0
 * @category models
 */
export interface Start {
  /** Redirect the user here (HTTP 302/303). */
  readonly url: string
  /** Keep this for the callback: in the server-side session, or via `cookie`. */
  readonly state: string
  /**
   * A `Set-Cookie` value holding the state: `HttpOnly`, `SameSite=Lax`,
   * `Path=/`, 10 minutes, `Secure` for https redirect URIs.
   */
  readonly cookie: string
}

/**
 * Starts a sign-in: a fresh state and the authorization URL for `scopes`
 * (see `OAuthScope.forOperations`).
 *
 * @since 0.1.0
 * @category route handlers
 */
export const start = (options: {
  readonly scopes: ReadonlyArray<string>
}): Effect.Effect<Start, OAuth.OAuthError, OAuth.OAuthClient> =>
  Effect.gen(function* () {
    const client = yield* OAuth.OAuthClient
    const state = yield* OAuth.generateState
    const url = yield* client.authorizationUrl({ scopes: options.scopes, state })
    const secure = client.config.redirectUri.startsWith("https:")
    const name = secure ? `__Host-${STATE_COOKIE}` : STATE_COOKIE
    const cookie = `${name}=${state}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`
    return { url, state, cookie }
  })

/**
 * A `Set-Cookie` value that deletes the state cookie (send it from the callback).
 *
 * @since 0.1.0
 * @category route handlers
 */
export const clearStateCookie = (secure: boolean): string =>
  `${secure ? `__Host-${STATE_COOKIE}` : STATE_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`

/**
 * Reads the state set by {@link start} from a `Cookie` header
 * (`req.headers.cookie`), or `undefined`.
 *
 * @since 0.1.0
 * @category route handlers
 */
export const stateFromCookie = (cookieHeader: string | undefined): string | undefined => {
  if (cookieHeader === undefined) return undefined
  let plain: string | undefined
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=")
    if (eq === -1) continue
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (name === `__Host-${STATE_COOKIE}` && value !== "") return value
    if (name === STATE_COOKIE && value !== "") plain = value
  }
  return plain
}

/**
 * Completes a sign-in from the callback request: checks it against the
 * state kept by {@link start} (`OAuth.verifyCallback`), exchanges the code,
 * keeps the tokens in the `TokenManager` under `key` (default: the
 * `OAuth.TokenKey` in context) and returns them.
 *
 * @since 0.1.0
 * @category route handlers
 */
export const callback = (
  url: OAuth.CallbackInput,
  expectedState: string | undefined,
  options: { readonly key?: string | undefined } = {}
): Effect.Effect<
  OAuth.TokenSet,
  OAuth.OAuthError | OAuth.TokenStoreError,
  OAuth.OAuthClient | OAuth.TokenManager
> =>
  Effect.gen(function* () {
    const code = yield* OAuth.verifyCallback(url, expectedState)
    const tokens = yield* (yield* OAuth.OAuthClient).exchangeCode(code)
    yield* (yield* OAuth.TokenManager).save(tokens, options.key)
    return tokens
  })
