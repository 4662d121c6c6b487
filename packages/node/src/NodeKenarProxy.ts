/**
 * A key-safe proxy that lets a browser call Kenar without ever seeing the
 * API key: a web-standard handler `(request: Request) => Promise<Response>`
 * for node:http (see {@link toNodeListener}), Express, Hono, Next.js route
 * handlers and anything else that speaks `Request`/`Response`.
 *
 * ```ts
 * import * as http from "node:http"
 * import { Posts } from "@kenar/core"
 * import { NodeKenarProxy } from "@kenar/node"
 *
 * const proxy = NodeKenarProxy.make({
 *   operations: [Posts.getUserPost, Posts.getPostStats, Posts.editPostV2],
 *   accessToken: async (request) => sessions.tokenOf(request.headers.get("cookie")),
 *   uploads: true
 * })
 * http.createServer(NodeKenarProxy.toNodeListener(proxy)).listen(3000)
 * ```
 *
 * What it forwards, and how:
 *
 * - Only the operations you list, under `prefix` (default `/api/kenar`):
 *   `{prefix}` + the operation's own path, with its own method. Path
 *   parameters must be valid tokens (the SDK's `PostSchema.Token` rules).
 *   Anything else (other paths, dot segments, encoded slashes, absolute
 *   request targets) is answered `404` with a `google.rpc.Status`, and a
 *   listed path with another method `405`, without contacting Kenar.
 * - The API key is added by the proxy (`apiKey`, else `KENAR_API_KEY`). A
 *   client's `x-api-key` is dropped, and so is its `Authorization` header
 *   unless `forwardClientToken` is set.
 * - For operations that act for a user (OAuth scopes), the user's token
 *   comes from your `accessToken(request)` hook (your session), or from the
 *   token manager of the OAuth routes, or (with `forwardClientToken`) from
 *   the browser's own `Authorization: Bearer`. With none, the answer is 401
 *   UNAUTHENTICATED without contacting Kenar.
 * - JSON bodies must be `application/json` (so a cross-site form cannot post
 *   one) and at most `maxBodyBytes` (default 1 MiB), else 415 / 413.
 *   Requests a browser marks `Sec-Fetch-Site: cross-site` are refused (403)
 *   unless `allowCrossSite` is set.
 * - Kenar's answer goes back with its status and body (the SDK in the
 *   browser classifies errors exactly as without a proxy); a gateway's
 *   non-JSON error page becomes a Status; a broken or refused connection is
 *   502, a timeout 504, each with a Status saying whether the request may
 *   have reached Kenar. Only `content-type`, `x-request-id` and
 *   `retry-after` are passed on; any secret in a body is redacted.
 * - Optional upload routes (`POST {prefix}/uploads/image`,
 *   `PUT {prefix}/uploads/video`) stream the browser's bytes on to Kenar's
 *   upload URL with the key (never buffered whole), and optional OAuth
 *   routes (`GET {prefix}/oauth/start`, `GET {prefix}/oauth/callback`) sign
 *   the user in without the client secret reaching the browser.
 *
 * The proxy never retries: the browser's client does, by each operation's
 * own rules.
 *
 * @since 0.1.0
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { type KenarClient, KenarConfig, type OAuth, Operation, Posts, Uploads } from "@kenar/core"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import {
  bearerOf,
  compileRoute,
  declaredLength,
  errorInfo,
  match,
  mediaType,
  notFound,
  passOn,
  type Route,
  readLimited,
  statusResponse,
  suspiciousPath,
  TooLarge,
  tooLargeResponse,
  transportFailure,
  upstreamTimeout
} from "./internal/proxy.js"
import * as proxyNode from "./internal/proxyNode.js"
import * as proxyOAuth from "./internal/proxyOAuth.js"
import * as proxyUpload from "./internal/proxyUpload.js"
import * as NodeHttpClient from "./NodeHttpClient.js"
import * as NodeKenarClient from "./NodeKenarClient.js"
import * as NodeOAuth from "./NodeOAuth.js"

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * An operation the proxy may forward: its Effect function (`Posts.getUserPost`),
 * its definition (`Posts.getUserPost.definition`), or its SDK name
 * (`"getUserPost"`).
 *
 * @since 0.1.0
 * @category models
 */
export type OperationRef = Operation.Any | { readonly definition: Operation.Any } | keyof Posts.All

/**
 * The user's access token for a request, e.g. looked up in your session
 * store. `undefined` (or `""`) means "no signed-in user".
 *
 * @since 0.1.0
 * @category models
 */
export type AccessTokenHook = (
  request: Request
) =>
  | string
  | Redacted.Redacted<string>
  | undefined
  | PromiseLike<string | Redacted.Redacted<string> | undefined>

/**
 * Settings of the upload routes.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadOptions {
  /** Largest upload in bytes (default {@link DEFAULT_MAX_UPLOAD_BYTES}); larger ones get 413. */
  readonly maxBytes?: number | undefined
  /**
   * Hosts Kenar's upload URLs may point at (the API key is sent there):
   * host names or `"*.domain"` patterns, replacing `Uploads.DEFAULT_ALLOWED_HOSTS`
   * (`divar.ir` and its subdomains).
   * The API's own host is always allowed.
   */
  readonly allowedHosts?: ReadonlyArray<string> | undefined
  /** Timeout of the upload to Kenar's upload URL (bytes in and Kenar's answer); default none. */
  readonly timeout?: Duration.Input | undefined
}

/**
 * Settings of the OAuth routes.
 *
 * @since 0.1.0
 * @category models
 */
export interface OAuthOptions {
  /**
   * The app's OAuth client settings (`NodeOAuth.Options`); each one missing
   * is read from `KENAR_OAUTH_CLIENT_ID`, `KENAR_OAUTH_CLIENT_SECRET`,
   * `KENAR_OAUTH_REDIRECT_URI`. `redirectUri` must be the absolute URL of
   * `{prefix}/oauth/callback` as the browser sees it (and registered in the
   * Kenar panel).
   */
  readonly settings?: Omit<NodeOAuth.Options, "apiKey"> | undefined
  /** The scopes a sign-in may ask for; the browser may ask for some of them, by default it gets all. */
  readonly scopes: ReadonlyArray<string>
  /**
   * The user's session, under which the tokens are kept (e.g. your session
   * id from a cookie). `undefined` at the callback fails the sign-in with
   * `no_session`.
   */
  readonly sessionKey: (request: Request) => string | undefined | PromiseLike<string | undefined>
  /** Called after a sign-in, with the tokens already kept under the session key. */
  readonly onLogin?: ((tokens: OAuth.TokenSet, request: Request) => void | PromiseLike<void>) | undefined
  /** Where the browser goes back to when `/oauth/start` got no usable `return_to` (default `"/"`). */
  readonly defaultReturnTo?: string | undefined
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The operations browsers may call. There is no default on purpose:
   * operations without OAuth scopes act as your app (e.g. `submitPostV2`
   * creates a paid post for a business), so each one is your choice.
   * {@link USER_OPERATIONS} lists those that act for the signed-in user.
   */
  readonly operations: ReadonlyArray<OperationRef>
  /** Where the proxy is mounted (default {@link DEFAULT_PREFIX}). */
  readonly prefix?: string | undefined
  /** The app's API key; default `KENAR_API_KEY` (read through `Config`). Required. */
  readonly apiKey?: string | Redacted.Redacted<string> | undefined
  /** Kenar's base URL; default `KENAR_BASE_URL`, else Kenar's host. */
  readonly baseUrl?: string | URL | undefined
  /** The signed-in user's access token for a request (your session lookup). */
  readonly accessToken?: AccessTokenHook | undefined
  /**
   * Pass the browser's own `Authorization: Bearer` on to Kenar when no token
   * came from `accessToken` or the OAuth routes (apps that keep the user's
   * token in the browser). Default `false`: the header is dropped.
   */
  readonly forwardClientToken?: boolean | undefined
  /**
   * Your own access check, asked before anything is forwarded (e.g. "is
   * there a session", a CSRF token, a per-user rate limit). `false` answers
   * 403 PERMISSION_DENIED. `operation` is the SDK name, or
   * `uploadImage`/`uploadVideo`.
   */
  readonly authorize?: ((request: Request, operation: string) => boolean | PromiseLike<boolean>) | undefined
  /** Largest JSON body in bytes (default {@link DEFAULT_MAX_BODY_BYTES}); larger ones get 413. */
  readonly maxBodyBytes?: number | undefined
  /** Timeout of each forwarded operation (default 30 seconds); 504 after it. */
  readonly timeout?: Duration.Input | undefined
  /** The upload routes: `true` for the defaults; default off. */
  readonly uploads?: boolean | UploadOptions | undefined
  /** The OAuth routes; default off. */
  readonly oauth?: OAuthOptions | undefined
  /** Forward requests a browser marks `Sec-Fetch-Site: cross-site` (default `false`: 403). */
  readonly allowCrossSite?: boolean | undefined
  /** Called once per request, after the answer is ready. Never given a header, a body or a secret. */
  readonly onEvent?: ((event: Event) => void) | undefined
  /** Connection-pool settings of the transport to Kenar. */
  readonly http?: NodeHttpClient.Options | undefined
  /** Another transport to Kenar (default: `NodeHttpClient` with `http`). */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient> | undefined
}

/**
 * What happened to one request, for your logs and metrics.
 *
 * @since 0.1.0
 * @category models
 */
export interface Event {
  readonly method: string
  /** The request path, without the query. */
  readonly path: string
  /** The SDK operation, `uploadImage`/`uploadVideo`, `oauthStart`/`oauthCallback`, or `undefined`. */
  readonly operation: string | undefined
  /** The HTTP status answered. */
  readonly status: number
  /**
   * - `forwarded`: Kenar answered (any status);
   * - `refused`: answered by the proxy without contacting Kenar (see `reason`);
   * - `failed`: Kenar could not be reached, timed out, or the client went away.
   * - `oauth`: an OAuth route redirected.
   */
  readonly outcome: "forwarded" | "refused" | "failed" | "oauth"
  /** Why the proxy answered itself, e.g. `NOT_FOUND`, `NOT_ALLOWED`, `BODY_TOO_LARGE`, `NO_USER_TOKEN`. */
  readonly reason: string | undefined
  readonly durationMillis: number
}

/**
 * The proxy: a web-standard handler, plus `dispose` to close its
 * connection pool.
 *
 * @since 0.1.0
 * @category models
 */
export interface KenarProxy {
  (request: Request): Promise<Response>
  /** The prefix it serves, without a trailing slash. */
  readonly prefix: string
  /** Closes the connection pool to Kenar. */
  readonly dispose: () => Promise<void>
}

// -----------------------------------------------------------------------------
// constants
// -----------------------------------------------------------------------------

/**
 * The default mount point, which `@kenar/browser` talks to by default.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_PREFIX = "/api/kenar"

/**
 * The default limit of a JSON body: 1 MiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/**
 * The default limit of an upload: 100 MiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024

/**
 * The Post operations that act for the signed-in user (they need an OAuth
 * scope), a reasonable allow-list for a browser app:
 * `operations: NodeKenarProxy.USER_OPERATIONS`.
 *
 * @since 0.1.0
 * @category constants
 */
export const USER_OPERATIONS: ReadonlyArray<Operation.Any> = Object.values(Posts.all)
  .map((operation) => operation.definition as Operation.Any)
  .filter((definition) => definition.scopes !== undefined)

// -----------------------------------------------------------------------------
// settings
// -----------------------------------------------------------------------------

const fail = (message: string): never => {
  throw new TypeError(`NodeKenarProxy: ${message}`)
}

const definitionOf = (ref: OperationRef): Operation.Any => {
  if (typeof ref === "string") {
    const found = (Posts.all as Record<string, { readonly definition: Operation.Any }>)[ref]
    return found === undefined ? fail(`unknown operation ${JSON.stringify(ref)}`) : found.definition
  }
  if ("definition" in ref && typeof ref.definition === "object") return ref.definition
  const definition = ref as Operation.Any
  return typeof definition.path === "string" && typeof definition.method === "string"
    ? definition
    : fail("operations must be operation functions, definitions or names")
}

const normalizePrefix = (prefix: string): string => {
  const trimmed = prefix.replace(/\/+$/, "")
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(trimmed) || suspiciousPath(trimmed)) {
    fail(`prefix must be a path such as "/api/kenar", got ${JSON.stringify(prefix)}`)
  }
  return trimmed
}

const readEnv = <A>(config: Config.Config<A>): A =>
  Effect.runSync(
    Effect.gen(function* () {
      return yield* config
    })
  )

const positiveSize = (value: number, name: string): number =>
  Number.isSafeInteger(value) && value > 0 ? value : fail(`${name} must be a positive whole number of bytes`)

const duration = (value: Duration.Input, name: string): Duration.Duration => {
  const parsed = Option.getOrUndefined(Duration.fromInput(value))
  return parsed !== undefined && Duration.toMillis(parsed) > 0
    ? parsed
    : fail(`${name} must be a positive duration`)
}

/** A token value that can go in a header as it is. */
const usableToken = (value: string | Redacted.Redacted<string> | undefined): string | undefined => {
  const token = value === undefined ? undefined : Redacted.isRedacted(value) ? Redacted.value(value) : value
  return token !== undefined && /^[\x21-\x7e]{1,4096}$/.test(token) ? token : undefined
}

// -----------------------------------------------------------------------------
// the handler
// -----------------------------------------------------------------------------

type Services =
  | HttpClient.HttpClient
  | KenarClient.KenarClient
  | Uploads.Uploader
  | OAuth.OAuthClient
  | OAuth.TokenManager

interface Answer {
  readonly response: Response
  readonly operation: string | undefined
  readonly outcome: Event["outcome"]
  readonly reason: string | undefined
}

const refused = (response: Response, reason: string, operation?: string): Answer => ({
  response,
  operation,
  outcome: "refused",
  reason
})

const methodNotAllowed = (allow: ReadonlyArray<string>, operation?: string): Answer =>
  refused(
    statusResponse(405, 12, "Method Not Allowed", { headers: { allow: allow.join(", ") } }),
    "METHOD_NOT_ALLOWED",
    operation
  )

/**
 * Builds the proxy. Settings are checked at once: a missing API key, an
 * unknown operation, an invalid prefix, size, duration or OAuth setting
 * throws a `TypeError` naming it (never a secret's value).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): KenarProxy => {
  if (!Array.isArray(options.operations)) fail("operations is required (see NodeKenarProxy.USER_OPERATIONS)")
  const prefix = normalizePrefix(options.prefix ?? DEFAULT_PREFIX)
  const routes: ReadonlyArray<Route> = options.operations.map((ref) => compileRoute(definitionOf(ref)))

  const rawKey =
    options.apiKey ?? Option.getOrUndefined(readEnv(Config.option(Config.Redacted("KENAR_API_KEY"))))
  const apiKey = usableToken(rawKey) ?? fail("no API key: pass apiKey or set KENAR_API_KEY")
  const envBaseUrl =
    options.baseUrl === undefined
      ? Option.getOrUndefined(readEnv(Config.option(Config.String("KENAR_BASE_URL"))))
      : undefined
  const config = KenarConfig.resolve({ baseUrl: options.baseUrl ?? envBaseUrl })
  const timeout = duration(options.timeout ?? "30 seconds", "timeout")
  const maxBodyBytes = positiveSize(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, "maxBodyBytes")
  const userAgent = NodeKenarClient.USER_AGENT

  const uploadOptions: UploadOptions | undefined =
    options.uploads === true ? {} : options.uploads === false ? undefined : options.uploads
  const uploads: proxyUpload.UploadSettings | undefined =
    uploadOptions === undefined
      ? undefined
      : {
          maxBytes: positiveSize(uploadOptions.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES, "uploads.maxBytes"),
          timeout:
            uploadOptions.timeout === undefined
              ? undefined
              : duration(uploadOptions.timeout, "uploads.timeout"),
          secrets: [apiKey]
        }
  // Throws a TypeError now for an invalid allowedHosts entry.
  const UploaderLive = Uploads.layer({
    apiKey,
    allowedHosts: uploadOptions?.allowedHosts ?? Uploads.DEFAULT_ALLOWED_HOSTS
  })

  let oauth: proxyOAuth.OAuthRouteSettings | undefined
  let OAuthLive:
    | Layer.Layer<OAuth.OAuthClient | OAuth.TokenManager, Config.ConfigError, HttpClient.HttpClient>
    | undefined
  if (options.oauth !== undefined) {
    const settings = { ...options.oauth.settings, apiKey }
    let resolved: OAuth.ResolvedConfig
    try {
      resolved = Effect.runSync(NodeOAuth.config(settings))
    } catch (error) {
      return fail(`oauth settings: ${error instanceof Error ? error.message : "invalid"}`)
    }
    if (options.oauth.scopes.length === 0) fail("oauth.scopes must name at least one scope")
    oauth = {
      prefix,
      scopes: [...options.oauth.scopes],
      sessionKey: options.oauth.sessionKey as proxyOAuth.OAuthRouteSettings["sessionKey"],
      onLogin: options.oauth.onLogin as proxyOAuth.OAuthRouteSettings["onLogin"],
      defaultReturnTo:
        proxyOAuth.safeReturnTo(options.oauth.defaultReturnTo ?? "/") ??
        fail("oauth.defaultReturnTo must be a path"),
      secure: resolved.redirectUri.startsWith("https:")
    }
    OAuthLive = NodeOAuth.layerWithoutHttpClient(settings)
  }

  const HttpLive = options.httpClient ?? NodeHttpClient.layerWith({ lean: true, ...options.http })
  const ClientLive = NodeKenarClient.layerWithoutHttpClient({ apiKey, baseUrl: config.baseUrl })
  // The OAuth services are only used when `oauth` is set, which is when they are provided.
  const AppLive = (
    OAuthLive === undefined
      ? Layer.merge(ClientLive, UploaderLive)
      : Layer.mergeAll(ClientLive, UploaderLive, OAuthLive)
  ) as Layer.Layer<Exclude<Services, HttpClient.HttpClient>, Config.ConfigError, HttpClient.HttpClient>
  const runtime = ManagedRuntime.make(Layer.provideMerge(AppLive, HttpLive))

  const allowed = (request: Request, operation: string): Effect.Effect<Answer | undefined> => {
    const hook = options.authorize
    if (hook === undefined) return Effect.succeed(undefined)
    return Effect.tryPromise(async () => hook(request, operation)).pipe(
      Effect.map((ok) =>
        ok === true
          ? undefined
          : refused(
              statusResponse(403, 7, `${operation} is not allowed for this request`, {
                details: [errorInfo("NOT_ALLOWED")]
              }),
              "NOT_ALLOWED",
              operation
            )
      ),
      Effect.orElseSucceed(() =>
        refused(
          statusResponse(500, 13, "the proxy's access check failed", {
            details: [errorInfo("AUTHORIZE_FAILED")]
          }),
          "AUTHORIZE_FAILED",
          operation
        )
      )
    )
  }

  /** The user's token: your hook, then the OAuth routes' token manager, then (if allowed) the browser's own. */
  const tokenFor = (request: Request): Effect.Effect<string | undefined, "HookFailed"> =>
    Effect.gen(function* () {
      const hook = options.accessToken
      if (hook !== undefined) {
        const value = yield* Effect.tryPromise({
          try: async () => hook(request),
          catch: () => "HookFailed" as const
        })
        const token = usableToken(value)
        if (token !== undefined) return token
      }
      if (oauth !== undefined) {
        const token = usableToken(yield* proxyOAuth.sessionToken(request, oauth))
        if (token !== undefined) return token
      }
      return options.forwardClientToken === true ? bearerOf(request.headers.get("authorization")) : undefined
    })

  const forward = (
    request: Request,
    definition: Operation.Any,
    params: Readonly<Record<string, string>>
  ): Effect.Effect<Answer, never, HttpClient.HttpClient> =>
    Effect.gen(function* () {
      const operation = definition.name
      let body: Uint8Array | undefined
      if (definition.body !== undefined) {
        if (mediaType(request.headers.get("content-type")) !== "application/json") {
          return refused(
            statusResponse(415, 3, `${operation} takes an application/json body`, {
              details: [errorInfo("UNSUPPORTED_MEDIA_TYPE")]
            }),
            "UNSUPPORTED_MEDIA_TYPE",
            operation
          )
        }
        const length = declaredLength(request.headers.get("content-length"))
        if (length !== undefined && length > maxBodyBytes) {
          return refused(tooLargeResponse(maxBodyBytes), "BODY_TOO_LARGE", operation)
        }
        const read = yield* Effect.result(
          Effect.tryPromise({ try: () => readLimited(request.body, maxBodyBytes), catch: (error) => error })
        )
        if (read._tag === "Failure") {
          return read.failure instanceof TooLarge
            ? refused(tooLargeResponse(maxBodyBytes), "BODY_TOO_LARGE", operation)
            : refused(
                statusResponse(400, 3, "the request body could not be read"),
                "BODY_UNREADABLE",
                operation
              )
        }
        body = read.success
        let json: unknown = {}
        try {
          json = body.length === 0 ? {} : JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body))
        } catch {
          json = undefined
        }
        if (typeof json !== "object" || json === null || Array.isArray(json)) {
          return refused(
            statusResponse(400, 3, `${operation} takes a JSON object`, {
              details: [errorInfo("INVALID_JSON")]
            }),
            "INVALID_JSON",
            operation
          )
        }
      }

      const headers: Record<string, string> = {
        accept: "application/json",
        "user-agent": userAgent,
        "x-api-key": apiKey
      }
      const secrets = [apiKey]
      if (definition.scopes !== undefined) {
        const token = yield* Effect.result(tokenFor(request))
        if (token._tag === "Failure") {
          return refused(
            statusResponse(500, 13, "the proxy could not look up the session", {
              details: [errorInfo("SESSION_LOOKUP_FAILED")]
            }),
            "SESSION_LOOKUP_FAILED",
            operation
          )
        }
        if (token.success === undefined) {
          return refused(
            statusResponse(401, 16, `${operation} acts for a signed-in user: sign in first`, {
              details: [errorInfo("NO_USER_TOKEN")]
            }),
            "NO_USER_TOKEN",
            operation
          )
        }
        headers.authorization = `Bearer ${token.success}`
        secrets.push(token.success)
      }

      let upstream = HttpClientRequest.make(definition.method)(
        config.baseUrl + Operation.pathFor(definition, params),
        { headers }
      )
      if (body !== undefined) upstream = HttpClientRequest.bodyUint8Array(upstream, body, "application/json")
      const http = yield* HttpClient.HttpClient
      const exchange = Effect.flatMap(http.execute(upstream), (response) =>
        Effect.map(response.arrayBuffer, (buffer) => ({ response, bytes: new Uint8Array(buffer) }))
      )
      const result = yield* Effect.result(
        Effect.timeoutOrElse(Effect.map(exchange, Option.some), {
          duration: timeout,
          orElse: () => Effect.succeed(Option.none())
        })
      )
      if (result._tag === "Failure") {
        return {
          response: transportFailure(result.failure),
          operation,
          outcome: "failed",
          reason: "UPSTREAM_FAILED"
        } satisfies Answer
      }
      if (Option.isNone(result.success)) {
        return {
          response: upstreamTimeout(Duration.toMillis(timeout)),
          operation,
          outcome: "failed",
          reason: "UPSTREAM_TIMEOUT"
        } satisfies Answer
      }
      const { response, bytes } = result.success.value
      return {
        response: passOn(response.status, response.headers, bytes, secrets),
        operation,
        outcome: "forwarded",
        reason: undefined
      } satisfies Answer
    }).pipe(Effect.provideService(HttpClient.TracerDisabledWhen, () => true))

  const handle = (request: Request): Effect.Effect<Answer, never, Services> =>
    Effect.gen(function* () {
      const url = new URL(request.url)
      const path = url.pathname
      const method = request.method.toUpperCase()
      if (!path.startsWith(`${prefix}/`)) return refused(notFound(), "NOT_FOUND")
      const rest = path.slice(prefix.length)
      if (suspiciousPath(rest)) return refused(notFound(), "NOT_FOUND")

      if (oauth !== undefined && (rest === "/oauth/start" || rest === "/oauth/callback")) {
        const operation = rest === "/oauth/start" ? "oauthStart" : "oauthCallback"
        if (method !== "GET") return methodNotAllowed(["GET"], operation)
        const response = yield* rest === "/oauth/start"
          ? proxyOAuth.start(request, oauth)
          : proxyOAuth.callback(request, oauth)
        return { response, operation, outcome: "oauth", reason: undefined } satisfies Answer
      }

      if (options.allowCrossSite !== true && request.headers.get("sec-fetch-site") === "cross-site") {
        return refused(
          statusResponse(403, 7, "cross-site requests are not forwarded", {
            details: [errorInfo("CROSS_SITE")]
          }),
          "CROSS_SITE"
        )
      }

      if (uploads !== undefined && (rest === "/uploads/image" || rest === "/uploads/video")) {
        const kind = rest === "/uploads/image" ? "image" : "video"
        const operation = kind === "image" ? "uploadImage" : "uploadVideo"
        if (method !== proxyUpload.routeMethod[kind]) {
          return methodNotAllowed([proxyUpload.routeMethod[kind]], operation)
        }
        const denied = yield* allowed(request, operation)
        if (denied !== undefined) return denied
        return { ...(yield* proxyUpload.upload(kind, request, uploads)), operation } satisfies Answer
      }

      const found = match(routes, method, rest)
      if (found._tag === "NotFound") return refused(notFound(), "NOT_FOUND")
      if (found._tag === "MethodNotAllowed") return methodNotAllowed(found.allow)
      const denied = yield* allowed(request, found.definition.name)
      if (denied !== undefined) return denied
      return yield* forward(request, found.definition, found.params)
    })

  const proxy = async (request: Request): Promise<Response> => {
    const started = performance.now()
    const exit = await runtime.runPromiseExit(handle(request), { signal: request.signal })
    const answer: Answer = Exit.isSuccess(exit)
      ? exit.value
      : Cause.hasInterruptsOnly(exit.cause)
        ? {
            response: statusResponse(499, 1, "the client closed the request"),
            operation: undefined,
            outcome: "failed",
            reason: "CLIENT_CLOSED"
          }
        : {
            response: statusResponse(500, 13, "internal error of the proxy"),
            operation: undefined,
            outcome: "failed",
            reason: "INTERNAL"
          }
    if (options.onEvent !== undefined) {
      try {
        options.onEvent({
          method: request.method,
          path: new URL(request.url).pathname,
          operation: answer.operation,
          status: answer.response.status,
          outcome: answer.outcome,
          reason: answer.reason,
          durationMillis: performance.now() - started
        })
      } catch {
        // a failing logger must not fail the request
      }
    }
    return answer.response
  }
  return Object.assign(proxy, { prefix, dispose: () => runtime.dispose() })
}

/**
 * A node:http request listener over a web handler such as the proxy:
 * `http.createServer(NodeKenarProxy.toNodeListener(proxy))`, or
 * `app.use(NodeKenarProxy.toNodeListener(proxy))` in Express (it reads
 * `req.originalUrl`). Request bodies stream in with backpressure, answers
 * stream out, a client that goes away aborts the request's `signal`, and
 * raw request targets that are not plain paths (absolute-form
 * `http://host/...`, dot segments) are answered 404 before the URL parser
 * can normalise them.
 *
 * @since 0.1.0
 * @category adapters
 */
export const toNodeListener: (
  handler: (request: Request) => Promise<Response>
) => (req: IncomingMessage, res: ServerResponse) => void = proxyNode.toNodeListener
