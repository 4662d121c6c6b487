/**
 * Credentials for Kenar calls: the app's API key (`x-api-key`) and, for
 * OAuth-protected operations, the user's access token (`Authorization:
 * Bearer`). Secrets are held as `Redacted` and never appear in errors, logs
 * or spans.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { CredentialError } from "./KenarError.js"
import * as KenarTransport from "./KenarTransport.js"

/**
 * What the auth layer knows about the call it authorizes.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthContext {
  /** The SDK operation name, e.g. `"getUserPost"`. */
  readonly operation: string
  /** OAuth scopes the call needs (any one suffices), or `undefined` for API-key-only operations. */
  readonly scopes: ReadonlyArray<string> | undefined
  /** A token given for this one call, which takes precedence over the token source. */
  readonly accessToken: Redacted.Redacted<string> | undefined
}

/**
 * A way to get the user's access token: a fixed value, or a function asked
 * before each OAuth-protected call (it may return a Promise or an Effect).
 * Returning `undefined` means "no token".
 *
 * @since 0.1.0
 * @category models
 */
export type TokenSource =
  | string
  | Redacted.Redacted<string>
  | ((
      context: AuthContext
    ) =>
      | string
      | Redacted.Redacted<string>
      | undefined
      | PromiseLike<string | Redacted.Redacted<string> | undefined>
      | Effect.Effect<string | Redacted.Redacted<string> | undefined, unknown>)

/**
 * The auth service: adds credentials to each request.
 *
 * @since 0.1.0
 * @category services
 */
export class KenarAuth extends Context.Service<
  KenarAuth,
  {
    /** Adds the credentials a call needs, or fails if one is missing. */
    readonly authorize: (
      request: KenarTransport.Request,
      context: AuthContext
    ) => Effect.Effect<KenarTransport.Request, CredentialError>
    /**
     * Called once when Kenar answers UNAUTHENTICATED: `true` when fresh
     * credentials were obtained and the call should be tried once more.
     */
    readonly onUnauthenticated: (context: AuthContext) => Effect.Effect<boolean>
  }
>()("@kenar/core/KenarAuth") {}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthOptions {
  /** The app's API key. Required unless a proxy adds it (see {@link passthrough}). */
  readonly apiKey?: string | Redacted.Redacted<string> | undefined
  /** The user's access token, for OAuth-protected operations. */
  readonly accessToken?: TokenSource | undefined
}

const toRedacted = (value: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value, { label: "kenar-secret" })

const nonEmpty = (value: Redacted.Redacted<string> | undefined) =>
  value !== undefined && Redacted.value(value).length > 0 ? value : undefined

/**
 * Resolves a token source for one call.
 *
 * @since 0.1.0
 * @category utils
 */
export const resolveToken = (
  source: TokenSource | undefined,
  context: AuthContext
): Effect.Effect<Redacted.Redacted<string> | undefined, CredentialError> => {
  if (context.accessToken !== undefined) return Effect.succeed(nonEmpty(context.accessToken))
  if (source === undefined) return Effect.succeed(undefined)
  if (typeof source !== "function") return Effect.succeed(nonEmpty(toRedacted(source)))
  const failed = (cause: unknown) =>
    new CredentialError({
      operation: context.operation,
      credential: "accessToken",
      message: `The access token source failed: ${cause instanceof Error ? cause.name : "error"}`
    })
  return Effect.suspend(() => {
    const result = source(context)
    if (Effect.isEffect(result)) return Effect.mapError(result, failed)
    if (result !== null && typeof result === "object" && "then" in result) {
      return Effect.tryPromise({ try: () => Promise.resolve(result), catch: failed })
    }
    return Effect.succeed(result as string | Redacted.Redacted<string> | undefined)
  }).pipe(
    Effect.catchDefect((defect) => Effect.fail(failed(defect))),
    Effect.map((token) => (token === undefined ? undefined : nonEmpty(toRedacted(token))))
  )
}

/** `base` with `extra` merged over it, computed once per `base` record. */
const cachedMerge = (extra: () => Readonly<Record<string, string>>) => {
  const merged = new WeakMap<object, Readonly<Record<string, string>>>()
  return (base: Readonly<Record<string, string>>): Readonly<Record<string, string>> => {
    let headers = merged.get(base)
    if (headers === undefined) {
      headers = { ...base, ...extra() }
      merged.set(base, headers)
    }
    return headers
  }
}

/**
 * An auth service that sends `apiKey` with every call and asks `accessToken`
 * for OAuth-protected ones. A missing credential fails the call with a
 * {@link CredentialError} before anything is sent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: AuthOptions): KenarAuth["Service"] => {
  const apiKey = options.apiKey === undefined ? undefined : nonEmpty(toRedacted(options.apiKey))
  const source = options.accessToken
  // a fixed token is turned into its header once, not on every call
  const fixedToken =
    source === undefined || typeof source === "function" ? undefined : nonEmpty(toRedacted(source))
  const fixedBearer = fixedToken === undefined ? undefined : `Bearer ${Redacted.value(fixedToken)}`
  // both headers of a call with a fixed token, computed once
  const fixedHeaders =
    apiKey === undefined || fixedBearer === undefined
      ? undefined
      : { "x-api-key": Redacted.value(apiKey), authorization: fixedBearer }
  // A client's calls share a few header records (the executor's): the credentials are added to
  // each once, and the result reused (merging two records on every call costs microseconds).
  const withKeyOnly = cachedMerge(() => ({ "x-api-key": fixedHeaders!["x-api-key"] }))
  const withBoth = cachedMerge(() => fixedHeaders!)
  const missingToken = (context: AuthContext) =>
    new CredentialError({
      operation: context.operation,
      credential: "accessToken",
      message: `No access token: ${context.operation} needs an OAuth token with scope ${context.scopes?.join(" or ")}`
    })
  return {
    authorize: (request, context) => {
      if (apiKey === undefined) {
        return Effect.fail(
          new CredentialError({
            operation: context.operation,
            credential: "apiKey",
            message: "No API key: pass `apiKey` or set KENAR_API_KEY"
          })
        )
      }
      if (context.accessToken === undefined && fixedHeaders !== undefined) {
        return Effect.succeed({
          ...request,
          headers: context.scopes === undefined ? withKeyOnly(request.headers) : withBoth(request.headers)
        })
      }
      const withKey = KenarTransport.setHeader(request, "x-api-key", Redacted.value(apiKey))
      if (context.scopes === undefined && context.accessToken === undefined) return Effect.succeed(withKey)
      // a fixed token was handled above: with no token source there is no token
      if (context.accessToken === undefined && typeof source !== "function") {
        return Effect.fail(missingToken(context))
      }
      return Effect.flatMap(resolveToken(source, context), (token) => {
        if (token !== undefined) {
          return Effect.succeed(
            KenarTransport.setHeader(withKey, "authorization", `Bearer ${Redacted.value(token)}`)
          )
        }
        return context.scopes === undefined ? Effect.succeed(withKey) : Effect.fail(missingToken(context))
      })
    },
    onUnauthenticated: () => Effect.succeed(false)
  }
}

/**
 * Layer of {@link make}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: AuthOptions): Layer.Layer<KenarAuth> => Layer.succeed(KenarAuth, make(options))

/**
 * Reads the API key from `KENAR_API_KEY` (as `Redacted`) through `Config`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: {
    readonly accessToken?: TokenSource | undefined
    readonly apiKey?: Config.Config<Redacted.Redacted<string>>
  } = {}
): Layer.Layer<KenarAuth, Config.ConfigError> =>
  Layer.effect(
    KenarAuth,
    Effect.map(options.apiKey ?? Config.Redacted("KENAR_API_KEY"), (apiKey) =>
      make({ apiKey, accessToken: options.accessToken })
    )
  )

/**
 * An auth service that adds no API key: for calls that go through a server
 * (such as the `@kenar/node` proxy) which adds it. An access token is still
 * sent when the source gives one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const passthrough = (
  options: { readonly accessToken?: TokenSource | undefined } = {}
): KenarAuth["Service"] => ({
  authorize: (request, context) =>
    Effect.map(resolveToken(options.accessToken, context), (token) =>
      token === undefined
        ? request
        : KenarTransport.setHeader(request, "authorization", `Bearer ${Redacted.value(token)}`)
    ),
  onUnauthenticated: () => Effect.succeed(false)
})
