/**
 * The proxy's optional OAuth routes, thin glue over `NodeOAuth.start` and
 * `NodeOAuth.callback`: `GET {prefix}/oauth/start` sends the browser to
 * Divar with a fresh state (kept in a cookie), and `GET {prefix}/oauth/callback`
 * checks the answer, exchanges the code with the client secret (which never
 * leaves the server), keeps the tokens under the user's session key, and
 * sends the browser back to where it started with the outcome in the query
 * (`kenar_login=success`, or `kenar_login=error&kenar_error=...&kenar_error_description=...`),
 * which `@kenar/browser`'s `readLoginResult` reads.
 */
import { OAuth } from "@kenar/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as NodeOAuth from "../NodeOAuth.js"
import { baseHeaders } from "./proxy.js"

/** Query parameters of the redirect back to the app. */
export const RESULT_PARAM = "kenar_login"
export const ERROR_PARAM = "kenar_error"
export const ERROR_DESCRIPTION_PARAM = "kenar_error_description"

/** The cookie that carries `return_to` from the start to the callback. */
export const RETURN_COOKIE = "kenar_oauth_return"

export interface OAuthRouteSettings {
  readonly prefix: string
  readonly scopes: ReadonlyArray<string>
  readonly sessionKey: (request: Request) => string | undefined | Promise<string | undefined>
  readonly onLogin: ((tokens: OAuth.TokenSet, request: Request) => void | Promise<void>) | undefined
  readonly defaultReturnTo: string
  readonly secure: boolean
}

/**
 * A same-origin path to send the browser back to, or `undefined`: it must
 * start with one `/` (no `//host`, no `/\host`, no scheme), without control
 * characters, at most 2 KiB.
 */
export const safeReturnTo = (value: string | null | undefined): string | undefined => {
  if (value === null || value === undefined || value.length > 2048) return undefined
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return undefined
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined
  try {
    const url = new URL(value, "http://return.invalid")
    return url.origin === "http://return.invalid" ? url.pathname + url.search + url.hash : undefined
  } catch {
    return undefined
  }
}

const cookieValue = (header: string | null, name: string): string | undefined => {
  if (header === null) return undefined
  for (const part of header.split(";")) {
    const eq = part.indexOf("=")
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

const returnCookie = (settings: OAuthRouteSettings, value: string, maxAge: number) =>
  `${RETURN_COOKIE}=${value}; Path=${settings.prefix}/oauth; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${settings.secure ? "; Secure" : ""}`

/** The redirect back to the app, with the outcome in the query. */
const backToApp = (
  returnTo: string,
  outcome: { readonly error: string; readonly description: string | undefined } | undefined,
  cookies: ReadonlyArray<string>
): Response => {
  const url = new URL(returnTo, "http://return.invalid")
  for (const name of [RESULT_PARAM, ERROR_PARAM, ERROR_DESCRIPTION_PARAM]) url.searchParams.delete(name)
  if (outcome === undefined) {
    url.searchParams.set(RESULT_PARAM, "success")
  } else {
    url.searchParams.set(RESULT_PARAM, "error")
    url.searchParams.set(ERROR_PARAM, outcome.error)
    if (outcome.description !== undefined) {
      url.searchParams.set(ERROR_DESCRIPTION_PARAM, outcome.description.slice(0, 300))
    }
  }
  const headers = new Headers({
    ...baseHeaders,
    location: url.pathname + url.search + url.hash,
    "referrer-policy": "no-referrer"
  })
  for (const cookie of cookies) headers.append("set-cookie", cookie)
  return new Response(null, { status: 303, headers })
}

const snake = (reason: string) => reason.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase()

/** `GET {prefix}/oauth/start?scope=A%20B&return_to=/path` */
export const start = (
  request: Request,
  settings: OAuthRouteSettings
): Effect.Effect<Response, never, OAuth.OAuthClient> =>
  Effect.gen(function* () {
    const url = new URL(request.url)
    const returnTo = safeReturnTo(url.searchParams.get("return_to")) ?? settings.defaultReturnTo
    const requested = (url.searchParams.get("scope") ?? "").split(/\s+/).filter((scope) => scope !== "")
    const unknown = requested.filter((scope) => !settings.scopes.includes(scope))
    if (unknown.length > 0) {
      return backToApp(
        returnTo,
        { error: "invalid_scope", description: `scopes not allowed by the app: ${unknown.join(" ")}` },
        []
      )
    }
    const started = yield* Effect.result(
      NodeOAuth.start({ scopes: requested.length > 0 ? requested : settings.scopes })
    )
    if (started._tag === "Failure") {
      return backToApp(
        returnTo,
        {
          error: started.failure.error ?? snake(started.failure.reason),
          description: started.failure.message
        },
        []
      )
    }
    const headers = new Headers({
      ...baseHeaders,
      location: started.success.url,
      "referrer-policy": "no-referrer"
    })
    headers.append("set-cookie", started.success.cookie)
    headers.append("set-cookie", returnCookie(settings, encodeURIComponent(returnTo), 600))
    return new Response(null, { status: 302, headers })
  })

/** `GET {prefix}/oauth/callback?code=...&state=...` (or `?error=...`) */
export const callback = (
  request: Request,
  settings: OAuthRouteSettings
): Effect.Effect<Response, never, OAuth.OAuthClient | OAuth.TokenManager> =>
  Effect.gen(function* () {
    const url = new URL(request.url)
    const cookieHeader = request.headers.get("cookie")
    const saved = cookieValue(cookieHeader, RETURN_COOKIE)
    let decoded: string | undefined
    try {
      decoded = saved === undefined ? undefined : decodeURIComponent(saved)
    } catch {
      decoded = undefined
    }
    const returnTo = safeReturnTo(decoded) ?? settings.defaultReturnTo
    const clear = [NodeOAuth.clearStateCookie(settings.secure), returnCookie(settings, "", 0)]
    const key = yield* Effect.tryPromise(async () => settings.sessionKey(request)).pipe(
      Effect.orElseSucceed(() => undefined)
    )
    if (key === undefined || key === "") {
      return backToApp(
        returnTo,
        { error: "no_session", description: "there is no session to keep the sign-in in" },
        clear
      )
    }
    const result = yield* Effect.result(
      NodeOAuth.callback(url.searchParams, NodeOAuth.stateFromCookie(cookieHeader ?? undefined), { key })
    )
    if (result._tag === "Failure") {
      const error = result.failure
      return backToApp(
        returnTo,
        error._tag === "OAuthError"
          ? {
              error: error.error ?? snake(error.reason),
              description: error.errorDescription ?? error.message
            }
          : { error: "server_error", description: "the sign-in could not be saved" },
        clear
      )
    }
    if (settings.onLogin !== undefined) {
      const hook = settings.onLogin
      const tokens = result.success
      const done = yield* Effect.result(Effect.tryPromise(async () => hook(tokens, request)))
      if (done._tag === "Failure") {
        return backToApp(
          returnTo,
          { error: "server_error", description: "the sign-in could not be saved" },
          clear
        )
      }
    }
    return backToApp(returnTo, undefined, clear)
  })

/**
 * The access token kept for the request's session, refreshed ahead of
 * expiry, or `undefined` when there is none (not signed in, or the refresh
 * failed).
 */
export const sessionToken = (
  request: Request,
  settings: Pick<OAuthRouteSettings, "sessionKey">
): Effect.Effect<string | undefined> =>
  Effect.gen(function* () {
    const manager = yield* Effect.serviceOption(OAuth.TokenManager)
    if (Option.isNone(manager)) return undefined
    const key = yield* Effect.tryPromise(async () => settings.sessionKey(request)).pipe(
      Effect.orElseSucceed(() => undefined)
    )
    if (key === undefined || key === "") return undefined
    return yield* manager.value.getAccessToken(key).pipe(
      Effect.map(Redacted.value),
      Effect.orElseSucceed(() => undefined)
    )
  })
