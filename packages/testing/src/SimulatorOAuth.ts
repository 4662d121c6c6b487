/**
 * The simulator's OAuth 2.0 authorization server, playing
 * `https://oauth.divar.ir`: the authorization code grant with a consent page
 * (or auto-approval), single-use codes, token exchange, refresh with rotation
 * of both tokens and a grace window for the old ones. It is served by the
 * simulator's own handler at `/oauth2/auth` and `/oauth2/token`, so an app
 * points its OAuth base URL at the simulator's origin (in-process, the
 * simulator answers every host, `oauth.divar.ir` included).
 *
 * ```ts
 * const sim = KenarSimulator.make()
 * const user = sim.addUser()
 * const client = sim.addOAuthClient({
 *   clientId: "my-app",
 *   redirectUris: ["http://127.0.0.1:5173/oauth/callback"]
 * })
 * sim.oauth.autoApprove = true // GET /oauth2/auth redirects at once with a code
 * sim.oauth.user = user // who signs in (or `login_hint=<user>` on the request)
 * // ... run the flow, then:
 * sim.oauth.stats().token.refresh_token // token requests with grant_type=refresh_token
 * ```
 *
 * Tokens it issues are ordinary simulator access tokens: the Post API checks
 * their scopes and expiry like those of `issueToken`.
 *
 * @since 0.1.0
 */

/**
 * The paths of the authorization server on the simulator's origin.
 *
 * @since 0.1.0
 * @category constants
 */
export const paths = {
  /** Authorization endpoint (GET): consent page, or a redirect back to the app. */
  authorize: "/oauth2/auth",
  /** Where the consent page's form posts the user's decision. */
  decision: "/oauth2/auth/decision",
  /** Token endpoint (POST, form-encoded). */
  token: "/oauth2/token"
} as const

/**
 * An OAuth client: an app with its slug as client id, a secret and the
 * redirect URIs registered in its panel.
 *
 * @since 0.1.0
 * @category models
 */
export interface Client {
  /** The app's slug. */
  readonly clientId: string
  readonly clientSecret: string
  /** Compared exactly (no normalisation) with the request's `redirect_uri`. */
  readonly redirectUris: ReadonlyArray<string>
  /** The API key of the app the client belongs to. */
  readonly apiKey: string
}

/**
 * What `sim.addOAuthClient` takes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  /** The app slug (default `app-<n>`). */
  readonly clientId?: string
  /** Default: a generated `sim_cs_...` secret. */
  readonly clientSecret?: string
  /** Absolute URLs without a query string or fragment; at least one. */
  readonly redirectUris: ReadonlyArray<string>
  /** The app's API key: an existing app is linked, an unknown key registers the app. Default: a new app. */
  readonly apiKey?: string
}

/**
 * Counts of the authorization server's traffic. Token requests are counted
 * per `grant_type` as sent, whether they succeed or not (`other`: missing or
 * unsupported); `issued` counts the successful ones.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  /** GET /oauth2/auth requests. */
  readonly authorize: number
  /** Authorizations that ended in a code (by the consent page or auto-approval). */
  readonly approved: number
  /** Authorizations the user denied. */
  readonly denied: number
  readonly token: {
    readonly authorization_code: number
    readonly refresh_token: number
    readonly other: number
  }
  readonly issued: {
    readonly authorization_code: number
    readonly refresh_token: number
  }
}

/**
 * Lifetimes and initial settings of the authorization server (`make({ oauth })`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Start with {@link OAuth.autoApprove} on (default false). */
  readonly autoApprove?: boolean
  /** The user who signs in by default (see {@link OAuth.user}). */
  readonly user?: string
  /** Authorization codes (default 600 s). */
  readonly codeLifetimeSeconds?: number
  /** Access tokens (default 3600 s, the `expires_in` of every answer). */
  readonly accessTokenLifetimeSeconds?: number
  /** Refresh tokens, counted anew for each rotated one (default 30 days). */
  readonly refreshTokenLifetimeSeconds?: number
  /** How long the old access and refresh tokens keep working after a refresh (default 120 s). */
  readonly rotationGraceSeconds?: number
}

/**
 * The authorization server's controls (`sim.oauth`).
 *
 * @since 0.1.0
 * @category models
 */
export interface OAuth {
  /**
   * Approve every authorization request at once: GET /oauth2/auth answers
   * 302 to the redirect URI with a code, without the consent page. Invalid
   * requests are still refused. Default false.
   */
  autoApprove: boolean
  /**
   * The user who signs in when the request has no `login_hint`. Default:
   * the first user added (`demo-user` after `seedDemo`).
   */
  user: string | undefined
  /** The registered clients. */
  readonly clients: () => ReadonlyArray<Client>
  /**
   * Revokes the authorization a token (access or refresh) belongs to, as
   * when the user removes the app's access: every access and refresh token
   * issued from the same code stops working. Returns false for an unknown token.
   */
  readonly revoke: (token: string) => boolean
  readonly stats: () => Stats
  readonly resetStats: () => void
}
