/**
 * The browser's side of signing a user in with Divar (OAuth 2.0
 * authorization code). The code exchange needs the app's client secret, so
 * it happens on your server (the OAuth routes of `NodeKenarProxy`, or your
 * own with `NodeOAuth`); the browser only navigates:
 *
 * 1. {@link startLogin} sends the browser to your server's start route,
 *    which redirects to Divar with a fresh `state`;
 * 2. Divar sends the user back to your server's callback route, which
 *    checks it, exchanges the code, keeps the tokens in the user's session,
 *    and redirects to the page the sign-in started from with
 *    `?kenar_login=success` or
 *    `?kenar_login=error&kenar_error=access_denied&kenar_error_description=...`;
 * 3. {@link readLoginResult} reads that outcome on the page and removes it
 *    from the address bar.
 *
 * ```ts
 * import { BrowserOAuth } from "@kenar/browser"
 *
 * loginButton.onclick = () => BrowserOAuth.startLogin({ scopes: ["USER_POSTS_GET"] })
 *
 * const result = BrowserOAuth.readLoginResult()
 * if (result?._tag === "LoginSuccess") showSignedIn()
 * else if (result?._tag === "LoginError") showError(result.error === "access_denied" ? "You said no" : result.message)
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * Query parameters the server's callback route puts on the redirect back.
 *
 * @since 0.1.0
 * @category constants
 */
export const PARAMS = {
  result: "kenar_login",
  error: "kenar_error",
  errorDescription: "kenar_error_description"
} as const

/**
 * The start route of `NodeKenarProxy` mounted at its default prefix.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_START_PATH = "/api/kenar/oauth/start"

/**
 * The sign-in succeeded: the server keeps the user's tokens in the session.
 *
 * @since 0.1.0
 * @category models
 */
export interface LoginSuccess {
  readonly _tag: "LoginSuccess"
}

/**
 * The sign-in failed. `error` is the OAuth error code when Divar sent one
 * (`access_denied`: the user refused; `invalid_scope`, ...) or the server's
 * (`state_mismatch`, `no_session`, `invalid_grant`, `server_error`, ...);
 * `errorDescription` its explanation, when there is one.
 *
 * @since 0.1.0
 * @category errors
 */
export class LoginError extends /* @__PURE__ */ Data.TaggedError("LoginError")<{
  readonly error: string
  readonly errorDescription: string | undefined
  readonly message: string
}> {}

/**
 * The outcome of a sign-in, as the callback route reported it.
 *
 * @since 0.1.0
 * @category models
 */
export type LoginResult = LoginSuccess | LoginError

/** The parts of `Location` the helpers use. */
type PageLocation = Pick<Location, "href" | "origin" | "pathname" | "search" | "hash">

/**
 * Options of {@link startLogin} and {@link loginUrl}.
 *
 * @since 0.1.0
 * @category models
 */
export interface StartLoginOptions {
  /** The server's start route (default {@link DEFAULT_START_PATH}). */
  readonly path?: string | undefined
  /** Scopes to ask for (the server allows a subset of its own list); default: all the server's. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /**
   * Where to come back to: a path on this site, or a same-origin URL.
   * Default: the current page (without a previous sign-in's outcome).
   */
  readonly returnTo?: string | undefined
}

const page = (): PageLocation => {
  const location = (globalThis as { readonly location?: PageLocation }).location
  if (location === undefined) throw new TypeError("@kenar/browser: BrowserOAuth needs a page (location)")
  return location
}

const withoutOutcome = (url: URL): URL => {
  for (const name of Object.values(PARAMS)) url.searchParams.delete(name)
  return url
}

/**
 * The URL {@link startLogin} navigates to. Throws a `TypeError` for a
 * `returnTo` on another origin.
 *
 * @since 0.1.0
 * @category constructors
 */
export const loginUrl = (options: StartLoginOptions = {}, location: PageLocation = page()): string => {
  const url = new URL(options.path ?? DEFAULT_START_PATH, location.origin)
  const back = withoutOutcome(new URL(options.returnTo ?? location.href, location.href))
  if (back.origin !== location.origin) {
    throw new TypeError("@kenar/browser: returnTo must be on this site")
  }
  url.searchParams.set("return_to", back.pathname + back.search + back.hash)
  if (options.scopes !== undefined && options.scopes.length > 0)
    url.searchParams.set("scope", options.scopes.join(" "))
  return url.href
}

/**
 * Starts the sign-in: navigates (`location.assign`) to the server's start
 * route, which redirects to Divar.
 *
 * @since 0.1.0
 * @category navigation
 */
export const startLogin = (
  options: StartLoginOptions = {},
  location: PageLocation & Pick<Location, "assign"> = page() as Location
): void => {
  location.assign(loginUrl(options, location))
}

/**
 * Reads the outcome the callback route put in the page's URL, or
 * `undefined` when there is none (not coming back from a sign-in). Unless
 * `clean` is `false`, the outcome is then removed from the address bar with
 * `history.replaceState` (so a reload or a shared link does not repeat it).
 *
 * @since 0.1.0
 * @category callback
 */
export const readLoginResult = (
  location: PageLocation = page(),
  options: {
    readonly clean?: boolean | undefined
    readonly history?: Pick<History, "replaceState" | "state"> | undefined
  } = {}
): LoginResult | undefined => {
  const url = new URL(location.href)
  const outcome = url.searchParams.get(PARAMS.result)
  if (outcome === null) return undefined
  const error = url.searchParams.get(PARAMS.error)
  const description = url.searchParams.get(PARAMS.errorDescription)
  if (options.clean !== false) {
    const history = options.history ?? (globalThis as { readonly history?: History }).history
    const cleaned = withoutOutcome(url)
    history?.replaceState(history.state, "", cleaned.pathname + cleaned.search + cleaned.hash)
  }
  if (outcome === "success") return { _tag: "LoginSuccess" }
  const code = error === null || error === "" ? "unknown_error" : error
  return new LoginError({
    error: code,
    errorDescription: description === null || description === "" ? undefined : description,
    message: `The sign-in failed: ${code}${description === null || description === "" ? "" : ` (${description})`}`
  })
}
