/**
 * OAuth 2.0 (authorization code) for Kenar: build the authorization URL,
 * check the callback, exchange the code and refresh tokens at Divar's token
 * endpoint, keep each user's tokens in a {@link TokenStore}, and a
 * {@link TokenManager} that refreshes ahead of expiry (one refresh at a time
 * per user). {@link layerAuth} turns it into the client's `KenarAuth`, which
 * sends the API key and the user's bearer token and refreshes once when Kenar
 * answers UNAUTHENTICATED.
 *
 * ```ts
 * import { Effect, Layer, Redacted } from "effect"
 * import * as FetchHttpClient from "effect/http/FetchHttpClient"
 * import { KenarClient, OAuth, OAuthScope, Posts } from "@kenar/core"
 *
 * const OAuthLive = OAuth.layer({
 *   clientId: "my-app",
 *   clientSecret: Redacted.make(process.env.KENAR_OAUTH_CLIENT_SECRET!),
 *   redirectUri: "https://example.com/oauth/callback",
 *   apiKey: Redacted.make(process.env.KENAR_API_KEY!)
 * })
 * const KenarLive = KenarClient.layer().pipe(
 *   Layer.provideMerge(OAuthLive),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 *
 * // 1. redirect the user (keep `state` in the session)
 * const start = Effect.gen(function* () {
 *   const oauth = yield* OAuth.OAuthClient
 *   const state = yield* OAuth.generateState
 *   const scopes = yield* OAuthScope.forOperations([Posts.getUserPost], { offlineAccess: true })
 *   return { state, url: yield* oauth.authorizationUrl({ scopes, state }) }
 * })
 *
 * // 2. on the callback: check it, exchange the code, keep the tokens for this user
 * const callback = (url: string, expectedState: string, userId: string) =>
 *   Effect.gen(function* () {
 *     const code = yield* OAuth.verifyCallback(url, expectedState)
 *     const tokens = yield* (yield* OAuth.OAuthClient).exchangeCode(code)
 *     yield* (yield* OAuth.TokenManager).save(tokens, userId)
 *   })
 *
 * // 3. call Kenar as that user
 * const post = Posts.getUserPost({ token: "AaEB0vbO" }).pipe(OAuth.withTokenKey("user-42"))
 * ```
 *
 * Secrets (client secret, codes, tokens) are held as `Redacted` and never
 * appear in errors, logs or spans.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { constTrue } from "effect/Function"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { type AuthContext, KenarAuth } from "./KenarAuth.js"
import { CredentialError } from "./KenarError.js"
import * as KenarTransport from "./KenarTransport.js"
import * as OAuthScope from "./OAuthScope.js"

// -----------------------------------------------------------------------------
// configuration
// -----------------------------------------------------------------------------

/**
 * Divar's authorization endpoint.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_AUTHORIZE_URL = "https://oauth.divar.ir/oauth2/auth"

/**
 * Divar's token endpoint.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_TOKEN_URL = "https://oauth.divar.ir/oauth2/token"

/**
 * The app's OAuth settings, from the Kenar app panel.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  /** The app's slug. */
  readonly clientId: string
  /** The app's OAuth secret. A server-side secret: never ship it to browsers. */
  readonly clientSecret: Redacted.Redacted<string> | string
  /** Where Divar sends the user back: absolute, no query string, exactly as registered in the panel. */
  readonly redirectUri: string | URL
  /** Default {@link DEFAULT_AUTHORIZE_URL}. */
  readonly authorizeUrl?: string | URL | undefined
  /** Default {@link DEFAULT_TOKEN_URL}. */
  readonly tokenUrl?: string | URL | undefined
  /** Timeout of each token request. Default: 10 seconds. */
  readonly timeout?: Duration.Input | undefined
}

/**
 * Checked and completed {@link Config}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedConfig {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly redirectUri: string
  readonly authorizeUrl: string
  readonly tokenUrl: string
  readonly timeout: Duration.Duration
}

const secretLabel = "kenar-oauth-secret"

const redact = (value: string | Redacted.Redacted<string>, label = secretLabel): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value, { label })

const checkUrl = (name: string, raw: string, options: { readonly allowQuery: boolean }): string => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new TypeError(`Kenar OAuth: ${name} must be an absolute URL, got ${JSON.stringify(raw)}`)
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`Kenar OAuth: ${name} must use https (or http), got ${url.protocol}`)
  }
  if (url.username !== "" || url.password !== "") {
    throw new TypeError(`Kenar OAuth: ${name} must not carry credentials`)
  }
  if (raw.includes("#")) throw new TypeError(`Kenar OAuth: ${name} must not have a fragment`)
  if (!options.allowQuery && raw.includes("?")) {
    throw new TypeError(`Kenar OAuth: ${name} must not have a query string`)
  }
  return raw
}

/**
 * Checks and completes the settings. Throws a `TypeError` naming the bad
 * option (never its secret): `redirectUri` must be an absolute http(s) URL
 * without query string or fragment; the endpoint URLs absolute http(s) URLs.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveConfig = (config: Config): ResolvedConfig => {
  if (typeof config.clientId !== "string" || config.clientId.trim() === "") {
    throw new TypeError("Kenar OAuth: clientId (the app slug) must be a non-empty string")
  }
  const clientSecret = redact(config.clientSecret)
  if (typeof Redacted.value(clientSecret) !== "string" || Redacted.value(clientSecret) === "") {
    throw new TypeError("Kenar OAuth: clientSecret must be a non-empty string")
  }
  const timeout = Duration.fromInputUnsafe(config.timeout ?? "10 seconds")
  if (!(Duration.toMillis(timeout) > 0))
    throw new TypeError("Kenar OAuth: timeout must be a positive duration")
  return {
    clientId: config.clientId,
    clientSecret,
    redirectUri: checkUrl("redirectUri", String(config.redirectUri), { allowQuery: false }),
    authorizeUrl: checkUrl("authorizeUrl", String(config.authorizeUrl ?? DEFAULT_AUTHORIZE_URL), {
      allowQuery: false
    }),
    tokenUrl: checkUrl("tokenUrl", String(config.tokenUrl ?? DEFAULT_TOKEN_URL), { allowQuery: true }),
    timeout
  }
}

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

/**
 * Why an OAuth step failed.
 *
 * - `AuthorizationFailed`: the callback carried `error` (e.g. `access_denied`:
 *   the user said no); see `error` and `errorDescription`.
 * - `StateMismatch`: the callback's `state` is not the one kept for this
 *   user (a forged or stale callback): do not exchange the code.
 * - `MissingState` / `MissingCode`: the callback lacks `state` / `code`.
 * - `InvalidRequest`: an input rejected before any I/O (a bad scope, a weak
 *   state, an empty code).
 * - `TokenEndpointError`: the token endpoint answered an OAuth error, e.g.
 *   `invalid_grant` (code used or expired, refresh token revoked or rotated
 *   away) or `invalid_client` (wrong client id or secret).
 * - `InvalidResponse`: the token endpoint's answer could not be read.
 * - `Transport`: the token endpoint could not be reached, or timed out.
 * - `NoTokens`: the token store holds nothing for this user (not signed in).
 * - `NoRefreshToken`: the access token expired and there is no refresh
 *   token (`offline_access` was not granted): sign the user in again.
 *
 * @since 0.1.0
 * @category models
 */
export type OAuthErrorReason =
  | "AuthorizationFailed"
  | "StateMismatch"
  | "MissingState"
  | "MissingCode"
  | "InvalidRequest"
  | "TokenEndpointError"
  | "InvalidResponse"
  | "Transport"
  | "NoTokens"
  | "NoRefreshToken"

/**
 * An OAuth step failed. Never carries the client secret, a code, a state or
 * a token.
 *
 * @since 0.1.0
 * @category errors
 */
export class OAuthError extends /* @__PURE__ */ Data.TaggedError("OAuthError")<{
  readonly reason: OAuthErrorReason
  /** The OAuth `error` code (`access_denied`, `invalid_grant`, ...), when there is one. */
  readonly error: string | undefined
  /** The OAuth `error_description`, when there is one (secrets we know of are blanked out). */
  readonly errorDescription: string | undefined
  /** HTTP status of the token endpoint's answer, for token requests. */
  readonly httpStatus: number | undefined
  readonly message: string
}> {}

const oauthError = (
  reason: OAuthErrorReason,
  message: string,
  extra: {
    readonly error?: string | undefined
    readonly errorDescription?: string | undefined
    readonly httpStatus?: number | undefined
  } = {}
) =>
  new OAuthError({
    reason,
    message,
    error: extra.error,
    errorDescription: extra.errorDescription,
    httpStatus: extra.httpStatus
  })

/**
 * A {@link TokenStore} failed. Store implementations must keep tokens out
 * of `message`.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenStoreError extends /* @__PURE__ */ Data.TaggedError("TokenStoreError")<{
  readonly operation: "get" | "set" | "delete"
  readonly message: string
}> {}

/** Text from a server, cut short and with the secrets we know of blanked out. */
const scrub = (text: string | undefined, secrets: ReadonlyArray<string>): string | undefined => {
  if (text === undefined) return undefined
  let out = text.length > 500 ? `${text.slice(0, 500)}...` : text
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("<redacted>")
  return out
}

// -----------------------------------------------------------------------------
// tokens
// -----------------------------------------------------------------------------

/**
 * The tokens of one user.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenSet {
  /** Sent as `Authorization: Bearer`; valid for `expires_in` (3600 s) from issue. */
  readonly accessToken: Redacted.Redacted<string>
  /** Present when `offline_access` was granted; valid 30 days and rotated on each refresh. */
  readonly refreshToken: Redacted.Redacted<string> | undefined
  /** `"bearer"`. */
  readonly tokenType: string
  /** The scopes granted. */
  readonly scopes: ReadonlyArray<string>
  /** When the access token expires, in epoch milliseconds of the `Clock` (counted from the request). */
  readonly expiresAt: number
}

const TokenSecret = /* @__PURE__ */ Schema.String.check(/* @__PURE__ */ Schema.isNonEmpty())

/**
 * The token endpoint's success answer on the wire:
 * `{ access_token, token_type, expires_in, scope, refresh_token? }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenResponse = /* @__PURE__ */ Schema.Struct({
  access_token: /* @__PURE__ */ Schema.RedactedFromValue(TokenSecret, { label: "kenar-access-token" }),
  token_type: Schema.String,
  expires_in: /* @__PURE__ */ Schema.optionalKey(
    /* @__PURE__ */ Schema.Finite.check(/* @__PURE__ */ Schema.isGreaterThan(0))
  ),
  scope: /* @__PURE__ */ Schema.optionalKey(Schema.String),
  refresh_token: /* @__PURE__ */ Schema.optionalKey(
    /* @__PURE__ */ Schema.RedactedFromValue(TokenSecret, { label: "kenar-refresh-token" })
  )
})

/**
 * The token endpoint's error answer: `{ error, error_description? }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenErrorResponse = /* @__PURE__ */ Schema.Struct({
  error: Schema.String,
  error_description: /* @__PURE__ */ Schema.optionalKey(Schema.String)
})

const decodeTokenResponse = /* @__PURE__ */ Schema.decodeUnknownExit(TokenResponse)
const decodeTokenError = /* @__PURE__ */ Schema.decodeUnknownExit(TokenErrorResponse)

const fieldProblems = (json: unknown): string => {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return "not a JSON object"
  const body = json as Record<string, unknown>
  const problems: Array<string> = []
  if (typeof body.access_token !== "string" || body.access_token === "") problems.push("access_token")
  if (typeof body.token_type !== "string") problems.push("token_type")
  if ("expires_in" in body && !(typeof body.expires_in === "number" && body.expires_in > 0)) {
    problems.push("expires_in")
  }
  if ("scope" in body && typeof body.scope !== "string") problems.push("scope")
  if ("refresh_token" in body && (typeof body.refresh_token !== "string" || body.refresh_token === "")) {
    problems.push("refresh_token")
  }
  return problems.length === 0 ? "unexpected shape" : `missing or invalid ${problems.join(", ")}`
}

const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

const splitScopes = (scope: string | undefined): ReadonlyArray<string> =>
  scope === undefined ? [] : scope.split(" ").filter((s) => s.length > 0)

/** Reads a token endpoint answer. `secrets` are blanked out of any text kept in an error. */
const readTokenAnswer = (
  status: number,
  text: string,
  issuedAt: number,
  secrets: ReadonlyArray<string>
): Effect.Effect<TokenSet, OAuthError> => {
  const parsed = parseJson(text)
  if (status < 200 || status >= 300) {
    const body = parsed.ok ? decodeTokenError(parsed.value) : undefined
    if (body !== undefined && Exit.isSuccess(body)) {
      const code = scrub(body.value.error, secrets)!
      const description = scrub(body.value.error_description, secrets)
      return Effect.fail(
        oauthError(
          "TokenEndpointError",
          `The token endpoint refused the request: ${code}${description === undefined ? "" : ` (${description})`}`,
          { error: code, errorDescription: description, httpStatus: status }
        )
      )
    }
    return Effect.fail(
      oauthError(
        "InvalidResponse",
        `The token endpoint answered HTTP ${status} without an OAuth error body`,
        {
          httpStatus: status
        }
      )
    )
  }
  if (!parsed.ok) {
    return Effect.fail(
      oauthError("InvalidResponse", `The token endpoint's answer (HTTP ${status}) is not JSON`, {
        httpStatus: status
      })
    )
  }
  const decoded = decodeTokenResponse(parsed.value)
  if (Exit.isFailure(decoded)) {
    return Effect.fail(
      oauthError(
        "InvalidResponse",
        `The token endpoint's answer is not a token response: ${fieldProblems(parsed.value)}`,
        { httpStatus: status }
      )
    )
  }
  const body = decoded.value
  if (body.token_type.toLowerCase() !== "bearer") {
    return Effect.fail(
      oauthError(
        "InvalidResponse",
        `Unsupported token_type ${JSON.stringify(body.token_type.slice(0, 40))}`,
        {
          httpStatus: status
        }
      )
    )
  }
  return Effect.succeed({
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    tokenType: "bearer",
    scopes: splitScopes(body.scope),
    expiresAt: issuedAt + (body.expires_in ?? 3600) * 1000
  })
}

// -----------------------------------------------------------------------------
// authorization request and callback
// -----------------------------------------------------------------------------

const base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

const base64Url = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 4) / 3))
    for (let j = 0; j < chars; j++) out += base64UrlAlphabet[(n >> (18 - 6 * j)) & 63]
  }
  return out
}

/**
 * A fresh `state`: 256 bits from the platform's CSPRNG
 * (`crypto.getRandomValues`), as 43 URL-safe characters (`[A-Za-z0-9_-]`).
 * Keep it in the user's session and pass it to {@link verifyCallback}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateState: Effect.Effect<string> = /* @__PURE__ */ Effect.sync(() => {
  const bytes = new Uint8Array(32)
  globalThis.crypto.getRandomValues(bytes)
  return base64Url(bytes)
})

/**
 * Parameters of {@link authorizationUrl}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationParams {
  /** The scopes to ask for (see `OAuthScope.forOperations`). At least one. */
  readonly scopes: ReadonlyArray<string>
  /** The state kept in the session: at least 16 characters (see {@link generateState}). */
  readonly state: string
}

/**
 * Minimum length of a `state`, so a constant or guessable value is refused.
 *
 * @since 0.1.0
 * @category constants
 */
export const MIN_STATE_LENGTH = 16

/**
 * The URL to send the user to: the authorization endpoint with
 * `response_type=code`, `client_id`, `redirect_uri`, `scope` (space-separated)
 * and `state`, each percent-encoded (spaces as `%20`). Fails with
 * `InvalidRequest` for an invalid scope, no scope, or a state shorter than
 * {@link MIN_STATE_LENGTH}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const authorizationUrl = (
  config: ResolvedConfig,
  params: AuthorizationParams
): Effect.Effect<string, OAuthError> =>
  Effect.suspend(() => {
    if (!Array.isArray(params.scopes)) {
      return Effect.fail(oauthError("InvalidRequest", "Pass the scopes as an array of strings"))
    }
    const scopes = Array.from(new Set(params.scopes))
    if (scopes.length === 0) return Effect.fail(oauthError("InvalidRequest", "Ask for at least one scope"))
    const bad = scopes.find((scope) => typeof scope !== "string" || !OAuthScope.isValid(scope))
    if (bad !== undefined) {
      return Effect.fail(
        oauthError("InvalidRequest", `Invalid scope ${JSON.stringify(bad)}: expected NAME or NAME.<resource>`)
      )
    }
    if (typeof params.state !== "string" || params.state.length < MIN_STATE_LENGTH) {
      return Effect.fail(
        oauthError(
          "InvalidRequest",
          `The state must be at least ${MIN_STATE_LENGTH} random characters (use OAuth.generateState)`
        )
      )
    }
    const query = [
      ["response_type", "code"],
      ["client_id", config.clientId],
      ["redirect_uri", config.redirectUri],
      ["scope", scopes.join(" ")],
      ["state", params.state]
    ]
      .map(([name, value]) => `${name}=${encodeURIComponent(value!)}`)
      .join("&")
    return Effect.succeed(`${config.authorizeUrl}?${query}`)
  })

/**
 * Compares two strings in time that depends only on their lengths (no early
 * exit at the first differing character). The lengths themselves may leak
 * through timing; a state's length is not secret ({@link generateState}
 * always gives 43 characters).
 */
const timingSafeEqual = (a: string, b: string): boolean => {
  const encoder = new TextEncoder()
  const x = encoder.encode(a)
  const y = encoder.encode(b)
  const length = Math.max(x.length, y.length)
  let difference = x.length ^ y.length
  for (let i = 0; i < length; i++) difference |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return difference === 0
}

/**
 * What {@link verifyCallback} accepts: the callback URL (absolute, or a path
 * with query such as Node's `req.url`), its query parameters, or an object
 * of them (such as a framework's parsed query).
 *
 * @since 0.1.0
 * @category models
 */
export type CallbackInput =
  | string
  | URL
  | URLSearchParams
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

const callbackParams = (input: CallbackInput): URLSearchParams => {
  if (input instanceof URLSearchParams) return input
  if (input instanceof URL) return input.searchParams
  if (typeof input === "string") {
    try {
      return new URL(input, "http://callback.invalid").searchParams
    } catch {
      return new URLSearchParams()
    }
  }
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue
    for (const item of typeof value === "string" ? [value] : value) params.append(name, item)
  }
  return params
}

const single = (
  params: URLSearchParams,
  name: string
): { readonly value: string | undefined } | OAuthError => {
  const values = params.getAll(name)
  if (values.length > 1) return oauthError("InvalidRequest", `The callback carries more than one ${name}`)
  const value = values[0]
  return { value: value === undefined || value === "" ? undefined : value }
}

/**
 * Checks the redirect back from Divar and returns the authorization code
 * (as `Redacted`), to pass to `exchangeCode`. In order:
 *
 * 1. `error` in the callback fails with `AuthorizationFailed` carrying the
 *    OAuth `error` code (`access_denied` when the user refused) and
 *    `error_description`;
 * 2. a missing `state` fails with `MissingState`;
 * 3. a `state` other than `expectedState` (compared in constant time) fails
 *    with `StateMismatch`, as does an empty `expectedState` (e.g. a lost
 *    session);
 * 4. a missing `code` fails with `MissingCode`.
 *
 * @since 0.1.0
 * @category callback
 */
export const verifyCallback = (
  input: CallbackInput,
  expectedState: string | undefined
): Effect.Effect<Redacted.Redacted<string>, OAuthError> =>
  Effect.suspend(() => {
    const params = callbackParams(input)
    const error = single(params, "error")
    if (error instanceof OAuthError) return Effect.fail(error)
    if (error.value !== undefined) {
      const code = error.value.slice(0, 100)
      const description = scrub(params.get("error_description") ?? undefined, [])
      return Effect.fail(
        oauthError(
          "AuthorizationFailed",
          `The authorization was not granted: ${code}${description === undefined ? "" : ` (${description})`}`,
          { error: code, errorDescription: description }
        )
      )
    }
    const state = single(params, "state")
    if (state instanceof OAuthError) return Effect.fail(state)
    if (state.value === undefined) return Effect.fail(oauthError("MissingState", "The callback has no state"))
    if (expectedState === undefined || expectedState === "") {
      return Effect.fail(
        oauthError("StateMismatch", "No state was kept for this sign-in (session lost or expired?)")
      )
    }
    if (!timingSafeEqual(state.value, expectedState)) {
      return Effect.fail(
        oauthError("StateMismatch", "The callback's state is not the one kept for this sign-in")
      )
    }
    const code = single(params, "code")
    if (code instanceof OAuthError) return Effect.fail(code)
    if (code.value === undefined) return Effect.fail(oauthError("MissingCode", "The callback has no code"))
    return Effect.succeed(Redacted.make(code.value, { label: "kenar-oauth-code" }))
  })

// -----------------------------------------------------------------------------
// the OAuth client
// -----------------------------------------------------------------------------

/**
 * The OAuth client service: the app's settings and the calls to Divar's
 * OAuth endpoints.
 *
 * @since 0.1.0
 * @category services
 */
export class OAuthClient extends /* @__PURE__ */ Context.Service<
  OAuthClient,
  {
    readonly config: ResolvedConfig
    /** See {@link authorizationUrl}. */
    readonly authorizationUrl: (params: AuthorizationParams) => Effect.Effect<string, OAuthError>
    /** Exchanges an authorization code for tokens (`grant_type=authorization_code`). */
    readonly exchangeCode: (code: string | Redacted.Redacted<string>) => Effect.Effect<TokenSet, OAuthError>
    /**
     * Gets new tokens with a refresh token (`grant_type=refresh_token`). Both
     * tokens rotate: keep the new pair. When the answer has no new refresh
     * token or no scope, the returned set has none (the `TokenManager` keeps
     * the old ones).
     */
    readonly refresh: (
      refreshToken: string | Redacted.Redacted<string>
    ) => Effect.Effect<TokenSet, OAuthError>
  }
>()("@kenar/core/OAuth/OAuthClient") {}

/**
 * Builds the OAuth client over the `HttpClient` in context (settings are
 * checked as in {@link resolveConfig}). Token requests
 * are `POST`s of `application/x-www-form-urlencoded` bodies carrying
 * `client_id` and `client_secret`; each is traced as one span
 * `kenar.oauth.token` (with the grant type, never a secret) and bounded by
 * `config.timeout`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeClient = (
  config: Config | ResolvedConfig
): Effect.Effect<OAuthClient["Service"], never, HttpClient.HttpClient> => {
  const resolved = resolveConfig(config)
  return Effect.map(Effect.service(HttpClient.HttpClient), (http) => makeClientWith(http, resolved))
}

const makeClientWith = (http: HttpClient.HttpClient, config: ResolvedConfig): OAuthClient["Service"] => {
  const timeoutMillis = Duration.toMillis(config.timeout)

  const tokenRequest = (
    grant: "authorization_code" | "refresh_token",
    fields: Record<string, string>,
    grantSecret: string
  ): Effect.Effect<TokenSet, OAuthError> => {
    const clientSecret = Redacted.value(config.clientSecret)
    const secrets = [clientSecret, grantSecret]
    const request = HttpClientRequest.post(config.tokenUrl, { headers: { accept: "application/json" } }).pipe(
      HttpClientRequest.bodyUrlParams({
        grant_type: grant,
        ...fields,
        client_id: config.clientId,
        client_secret: clientSecret
      })
    )
    return Effect.gen(function* () {
      const issuedAt = yield* Clock.currentTimeMillis
      const response = yield* Effect.mapError(http.execute(request), (error) =>
        oauthError("Transport", `Could not reach the token endpoint (${error.reason._tag})`)
      )
      const text = yield* Effect.mapError(response.text, (error) =>
        oauthError("Transport", `The token endpoint's answer broke off (${error.reason._tag})`, {
          httpStatus: response.status
        })
      )
      yield* Effect.annotateCurrentSpan({ "http.response.status_code": response.status })
      return yield* readTokenAnswer(response.status, text, issuedAt, secrets)
    }).pipe(
      Effect.timeoutOrElse({
        duration: config.timeout,
        orElse: () =>
          Effect.fail(oauthError("Transport", `The token endpoint did not answer within ${timeoutMillis} ms`))
      }),
      Effect.provideService(HttpClient.TracerDisabledWhen, constTrue),
      Effect.withSpan("kenar.oauth.token", {
        kind: "client",
        attributes: { "oauth.grant_type": grant, "http.request.method": "POST" }
      })
    )
  }

  const secretOf = (value: string | Redacted.Redacted<string>) =>
    Redacted.isRedacted(value) ? Redacted.value(value) : value

  return OAuthClient.of({
    config,
    authorizationUrl: (params) => authorizationUrl(config, params),
    exchangeCode: (code) => {
      const value = secretOf(code)
      if (typeof value !== "string" || value === "") {
        return Effect.fail(oauthError("InvalidRequest", "The authorization code is empty"))
      }
      return tokenRequest("authorization_code", { code: value, redirect_uri: config.redirectUri }, value)
    },
    refresh: (refreshToken) => {
      const value = secretOf(refreshToken)
      if (typeof value !== "string" || value === "") {
        return Effect.fail(oauthError("InvalidRequest", "The refresh token is empty"))
      }
      return tokenRequest("refresh_token", { refresh_token: value }, value)
    }
  })
}

/**
 * Layer of {@link makeClient}. The settings are checked at once: invalid
 * ones throw a `TypeError` (see {@link resolveConfig}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  config: Config | ResolvedConfig
): Layer.Layer<OAuthClient, never, HttpClient.HttpClient> => {
  const resolved = resolveConfig(config)
  return Layer.effect(OAuthClient, makeClient(resolved))
}

// -----------------------------------------------------------------------------
// token store
// -----------------------------------------------------------------------------

/**
 * Where each user's tokens are kept, by key (your user or session id). The
 * default keeps them in memory ({@link makeMemoryStore}); put them in your
 * database (encrypted) to survive restarts and to share them between
 * instances. `set` replaces the whole set.
 *
 * @since 0.1.0
 * @category services
 */
export class TokenStore extends /* @__PURE__ */ Context.Service<
  TokenStore,
  {
    readonly get: (key: string) => Effect.Effect<TokenSet | undefined, TokenStoreError>
    readonly set: (key: string, tokens: TokenSet) => Effect.Effect<void, TokenStoreError>
    readonly delete: (key: string) => Effect.Effect<void, TokenStoreError>
  }
>()("@kenar/core/OAuth/TokenStore") {}

/**
 * A token store in memory (per process, lost on restart).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemoryStore = (): TokenStore["Service"] => {
  const tokens = new Map<string, TokenSet>()
  return TokenStore.of({
    get: (key) => Effect.sync(() => tokens.get(key)),
    set: (key, set) =>
      Effect.sync(() => {
        tokens.set(key, set)
      }),
    delete: (key) =>
      Effect.sync(() => {
        tokens.delete(key)
      })
  })
}

/**
 * A fresh in-memory {@link TokenStore} each time the layer is built.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemoryStore: Layer.Layer<TokenStore> = /* @__PURE__ */ Layer.sync(
  TokenStore,
  makeMemoryStore
)

// -----------------------------------------------------------------------------
// token manager
// -----------------------------------------------------------------------------

/**
 * Whose tokens a call uses: the key in the {@link TokenStore}. Defaults to
 * `"default"` (one user, e.g. a script); set it per request with
 * {@link withTokenKey}.
 *
 * @since 0.1.0
 * @category references
 */
export const TokenKey: Context.Reference<string> = /* @__PURE__ */ Context.Reference<string>(
  "@kenar/core/OAuth/TokenKey",
  {
    defaultValue: () => "default"
  }
)

/**
 * Runs an effect (e.g. a Kenar call) with the tokens stored under `key`.
 *
 * ```ts
 * Posts.getUserPost({ token }).pipe(OAuth.withTokenKey(session.userId))
 * ```
 *
 * @since 0.1.0
 * @category references
 */
export const withTokenKey =
  (key: string) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.provideService(self, TokenKey, key)

/**
 * Options of {@link makeTokenManager}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenManagerOptions {
  /** Refresh this long before the access token expires. Default: 60 seconds. */
  readonly refreshSkew?: Duration.Input | undefined
}

/**
 * Gives each user's current access token, refreshing it when needed.
 *
 * @since 0.1.0
 * @category services
 */
export class TokenManager extends /* @__PURE__ */ Context.Service<
  TokenManager,
  {
    /**
     * The current tokens of `key` (default: the {@link TokenKey} in context),
     * refreshed first when the access token expires within the skew. When
     * that refresh fails but the access token has not expired yet, the
     * current tokens are returned.
     */
    readonly getTokens: (key?: string) => Effect.Effect<TokenSet, OAuthError | TokenStoreError>
    /** The access token of `getTokens`. */
    readonly getAccessToken: (
      key?: string
    ) => Effect.Effect<Redacted.Redacted<string>, OAuthError | TokenStoreError>
    /**
     * Refreshes now, e.g. after Kenar rejected the token. When `rejected` is
     * given and the store already holds another access token (someone else
     * refreshed), that one is returned without a request.
     */
    readonly forceRefresh: (options?: {
      readonly key?: string | undefined
      readonly rejected?: Redacted.Redacted<string> | undefined
    }) => Effect.Effect<TokenSet, OAuthError | TokenStoreError>
    /** Keeps a user's tokens, e.g. those of `exchangeCode`. */
    readonly save: (tokens: TokenSet, key?: string) => Effect.Effect<void, TokenStoreError>
    /** Forgets a user's tokens (sign-out). */
    readonly remove: (key?: string) => Effect.Effect<void, TokenStoreError>
  }
>()("@kenar/core/OAuth/TokenManager") {}

const sameAccessToken = (a: TokenSet, b: TokenSet) =>
  Redacted.value(a.accessToken) === Redacted.value(b.accessToken)

/**
 * Builds the token manager over the {@link OAuthClient} and
 * {@link TokenStore} in context.
 *
 * - Refreshes ahead of expiry (`refreshSkew`, default 60 s), and stores the
 *   rotated pair (keeping the old refresh token or scopes if the answer has
 *   none).
 * - Single flight: while a refresh for a user is under way, every other
 *   caller for that user waits for it, so 100 concurrent callers with an
 *   expired token cause exactly one request. Before refreshing, the store is
 *   read again: if another instance already stored newer tokens, they are
 *   used.
 * - Rotation races: when the refresh fails with `invalid_grant` but the store
 *   now holds newer tokens (another refresher won; the old pair keeps working
 *   for about 2 minutes), those are used.
 * - A refresh runs in the manager's scope, so a caller that is interrupted
 *   does not cancel it for the others.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeTokenManager = (
  options: TokenManagerOptions = {}
): Effect.Effect<TokenManager["Service"], never, OAuthClient | TokenStore | Scope.Scope> =>
  Effect.gen(function* () {
    const client = yield* OAuthClient
    const store = yield* TokenStore
    const scope = yield* Effect.scope
    const skew = Duration.toMillis(Duration.fromInputUnsafe(options.refreshSkew ?? "60 seconds"))
    type Failure = OAuthError | TokenStoreError
    const flights = new Map<string, Deferred.Deferred<TokenSet, Failure>>()

    const keyOf = (key: string | undefined): Effect.Effect<string> =>
      key === undefined ? Effect.service(TokenKey) : Effect.succeed(key)

    const load = (key: string): Effect.Effect<TokenSet, Failure> =>
      Effect.flatMap(store.get(key), (tokens) =>
        tokens === undefined
          ? Effect.fail(oauthError("NoTokens", "No OAuth tokens for this user: sign in first"))
          : Effect.succeed(tokens)
      )

    /** One refresh of `seen`, the tokens the caller found stale or rejected. */
    const refreshNow = (key: string, seen: TokenSet): Effect.Effect<TokenSet, Failure> =>
      Effect.gen(function* () {
        const latest = yield* store.get(key)
        const now = yield* Clock.currentTimeMillis
        if (latest !== undefined && !sameAccessToken(latest, seen) && now < latest.expiresAt - skew)
          return latest
        const current = latest ?? seen
        if (current.refreshToken === undefined) {
          return yield* oauthError(
            "NoRefreshToken",
            "The access token expired and there is no refresh token (ask for offline_access): sign in again"
          )
        }
        const refreshed = yield* Effect.exit(client.refresh(current.refreshToken))
        if (Exit.isSuccess(refreshed)) {
          const next: TokenSet = {
            ...refreshed.value,
            refreshToken: refreshed.value.refreshToken ?? current.refreshToken,
            scopes: refreshed.value.scopes.length > 0 ? refreshed.value.scopes : current.scopes
          }
          yield* store.set(key, next)
          return next
        }
        const failure = refreshed.cause.reasons.find((reason) => reason._tag === "Fail")
        const error = failure?._tag === "Fail" ? failure.error : undefined
        if (error?.reason === "TokenEndpointError" && error.error === "invalid_grant") {
          const again = yield* store.get(key)
          const later = yield* Clock.currentTimeMillis
          if (again !== undefined && !sameAccessToken(again, current) && later < again.expiresAt) return again
        }
        return yield* refreshed
      })

    /**
     * Joins the refresh under way for `key`, or starts one in the manager's
     * scope. Registering the flight and forking it cannot be interrupted, so
     * a flight is always settled.
     */
    const refreshShared = (key: string, seen: TokenSet): Effect.Effect<TokenSet, Failure> =>
      Effect.flatMap(
        Effect.uninterruptible(
          Effect.suspend(() => {
            const flight = flights.get(key)
            if (flight !== undefined) return Effect.succeed(flight)
            const deferred = Deferred.makeUnsafe<TokenSet, Failure>()
            flights.set(key, deferred)
            return Effect.map(Effect.forkIn(refreshNow(key, seen), scope), (fiber) => {
              fiber.addObserver((exit) => {
                flights.delete(key)
                Deferred.doneUnsafe(deferred, exit)
              })
              return deferred
            })
          })
        ),
        Deferred.await
      )

    const getTokens = (key?: string): Effect.Effect<TokenSet, Failure> =>
      Effect.gen(function* () {
        const k = yield* keyOf(key)
        const tokens = yield* load(k)
        const now = yield* Clock.currentTimeMillis
        if (now < tokens.expiresAt - skew) return tokens
        return yield* Effect.catch(refreshShared(k, tokens), (error) =>
          now < tokens.expiresAt ? Effect.succeed(tokens) : Effect.fail(error)
        )
      })

    return TokenManager.of({
      getTokens,
      getAccessToken: (key) => Effect.map(getTokens(key), (tokens) => tokens.accessToken),
      forceRefresh: (options) =>
        Effect.gen(function* () {
          const k = yield* keyOf(options?.key)
          const tokens = yield* load(k)
          const rejected = options?.rejected
          if (rejected !== undefined && Redacted.value(tokens.accessToken) !== Redacted.value(rejected)) {
            return tokens
          }
          return yield* refreshShared(k, tokens)
        }),
      save: (tokens, key) => Effect.flatMap(keyOf(key), (k) => store.set(k, tokens)),
      remove: (key) => Effect.flatMap(keyOf(key), (k) => store.delete(k))
    })
  })

/**
 * Layer of {@link makeTokenManager}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTokenManager = (
  options: TokenManagerOptions = {}
): Layer.Layer<TokenManager, never, OAuthClient | TokenStore> =>
  Layer.effect(TokenManager, makeTokenManager(options))

// -----------------------------------------------------------------------------
// KenarAuth over OAuth
// -----------------------------------------------------------------------------

/**
 * Options of {@link makeAuth}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthOptions {
  /** The app's API key, sent as `x-api-key` with every call. */
  readonly apiKey: string | Redacted.Redacted<string> | undefined
  /** Always use the tokens of this key; by default the {@link TokenKey} of the calling fiber. */
  readonly tokenKey?: string | undefined
}

/**
 * A `KenarAuth` that sends the API key with every call and, for
 * OAuth-protected operations, the user's bearer token from the
 * {@link TokenManager} (a token passed per call wins). When Kenar answers
 * UNAUTHENTICATED, it refreshes once and tells the client to retry when it
 * got a new token. A missing API key or unavailable token fails the call
 * with a `CredentialError` before anything is sent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeAuth = (options: AuthOptions): Effect.Effect<KenarAuth["Service"], never, TokenManager> =>
  Effect.map(Effect.service(TokenManager), (manager) => {
    const raw = options.apiKey === undefined ? undefined : redact(options.apiKey, "kenar-secret")
    const apiKey = raw !== undefined && Redacted.value(raw).length > 0 ? raw : undefined
    /** The token sent for each call, to tell a stale token from one already replaced. */
    const sent = new WeakMap<AuthContext, Redacted.Redacted<string>>()
    const bearer = (request: KenarTransport.Request, token: Redacted.Redacted<string>) =>
      KenarTransport.setHeader(request, "authorization", `Bearer ${Redacted.value(token)}`)
    return KenarAuth.of({
      authorize: (request, context) =>
        Effect.gen(function* () {
          if (apiKey === undefined) {
            return yield* new CredentialError({
              operation: context.operation,
              credential: "apiKey",
              message: "No API key: pass `apiKey` or set KENAR_API_KEY"
            })
          }
          const withKey = KenarTransport.setHeader(request, "x-api-key", Redacted.value(apiKey))
          if (context.accessToken !== undefined) return bearer(withKey, context.accessToken)
          if (context.scopes === undefined) return withKey
          const token = yield* Effect.mapError(
            manager.getAccessToken(options.tokenKey),
            (error) =>
              new CredentialError({
                operation: context.operation,
                credential: "accessToken",
                message: `No OAuth access token for ${context.operation} (needs ${context.scopes?.join(" or ")}): ${error.message}`
              })
          )
          sent.set(context, token)
          return bearer(withKey, token)
        }),
      onUnauthenticated: (context) => {
        const rejected = sent.get(context)
        if (context.accessToken !== undefined || rejected === undefined) return Effect.succeed(false)
        return manager.forceRefresh({ key: options.tokenKey, rejected }).pipe(
          Effect.map((tokens) => Redacted.value(tokens.accessToken) !== Redacted.value(rejected)),
          Effect.orElseSucceed(() => false)
        )
      }
    })
  })

/**
 * Layer of {@link makeAuth}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerAuth = (options: AuthOptions): Layer.Layer<KenarAuth, never, TokenManager> =>
  Layer.effect(KenarAuth, makeAuth(options))

/**
 * A `KenarAuth.TokenSource` reading the {@link TokenManager}, for clients
 * built with an `accessToken` option (such as `NodeKenarClient.layer`).
 * Unlike {@link layerAuth}, such a client does not refresh on
 * UNAUTHENTICATED.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tokenSource =
  (manager: TokenManager["Service"], key?: string) =>
  (): Effect.Effect<Redacted.Redacted<string>, OAuthError | TokenStoreError> =>
    manager.getAccessToken(key)

/**
 * Options of {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Config, AuthOptions, TokenManagerOptions {
  /** Where tokens are kept. Default: in memory ({@link makeMemoryStore}). */
  readonly store?: TokenStore["Service"] | undefined
}

/**
 * Everything for OAuth in one layer: the {@link OAuthClient}, the
 * {@link TokenStore} (in memory unless `store` is given), the
 * {@link TokenManager} and the client's `KenarAuth`. Needs an `HttpClient`
 * for the token endpoint. The settings are checked at once (a `TypeError`
 * names a bad one).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<KenarAuth | TokenManager | OAuthClient | TokenStore, never, HttpClient.HttpClient> => {
  const client = layerClient(resolveConfig(options))
  const store = options.store === undefined ? layerMemoryStore : Layer.succeed(TokenStore, options.store)
  const manager = Layer.provideMerge(layerTokenManager(options), Layer.merge(client, store))
  return Layer.provideMerge(layerAuth(options), manager)
}
