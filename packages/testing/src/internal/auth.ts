/**
 * Credentials as Kenar checks them: the app's `x-api-key` on every call, and
 * for OAuth-protected operations a bearer token with a covering scope.
 */
import type { App, Grant, World } from "./state.js"
import { ApiError, Code } from "./status.js"

/** The app named by the `x-api-key` header (any letter case); 401 otherwise. */
export const requireApp = (world: World, headers: Headers): App => {
  const key = headers.get("x-api-key")
  if (key === null || key === "") {
    throw new ApiError(Code.UNAUTHENTICATED, "missing API key (x-api-key header)")
  }
  const app = world.apps.get(key)
  if (app === undefined) throw new ApiError(Code.UNAUTHENTICATED, "invalid API key")
  return app
}

const bearer = (headers: Headers): string | undefined => {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "")
  return match?.[1]
}

/** The scopes a route needs, with `{param}` parts filled from the path. */
export const neededScopes = (
  scopes: ReadonlyArray<string>,
  params: Readonly<Record<string, string>>
): ReadonlyArray<string> =>
  scopes.map((scope) => scope.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? ""))

/**
 * The grant of the bearer token: 401 when it is missing, unknown or expired,
 * 403 when none of `scopes` is granted.
 */
export const requireGrant = (world: World, headers: Headers, scopes: ReadonlyArray<string>): Grant => {
  const token = bearer(headers)
  if (token === undefined) {
    throw new ApiError(Code.UNAUTHENTICATED, "missing access token (Authorization: Bearer <token>)")
  }
  const grant = world.grants.get(token)
  if (grant === undefined) throw new ApiError(Code.UNAUTHENTICATED, "invalid access token")
  if (world.now() >= grant.expiresAt) throw new ApiError(Code.UNAUTHENTICATED, "access token expired")
  if (!scopes.some((scope) => grant.scopes.has(scope))) {
    throw new ApiError(Code.PERMISSION_DENIED, `missing OAuth scope: ${scopes.join(" or ")}`)
  }
  return grant
}
