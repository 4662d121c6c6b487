/**
 * A Kenar client for browsers. By default it talks to your own server's
 * key-safe proxy (`NodeKenarProxy` from `@kenar/node`, mounted at
 * `/api/kenar`), which adds the API key and the signed-in user's token: the
 * browser holds no secret at all.
 *
 * ```ts
 * import { BrowserKenarClient } from "@kenar/browser"
 *
 * const kenar = BrowserKenarClient.makePromise() // -> https://your.app/api/kenar
 * const post = await kenar.getUserPost({ token: "AaEB0vbO" })
 * const photo = await kenar.uploadImage(file, { onProgress: (p) => bar.set(p.loaded / p.total) })
 * ```
 *
 * With Effect:
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Posts } from "@kenar/core"
 * import { BrowserKenarClient } from "@kenar/browser"
 *
 * const title = Posts.getUserPost({ token: "AaEB0vbO" }).pipe(
 *   Effect.map((post) => post.general_data.title),
 *   Effect.provide(BrowserKenarClient.layer())
 * )
 * ```
 *
 * - Transport: `fetch` itself (not effect's `HttpClient`, which keeps its
 *   streams, cookies and tracing out of your bundle), with
 *   `redirect: "manual"` (a redirect is never followed: it fails the call as
 *   an `UnknownError` with `httpStatus: 0`, since browsers hide opaque
 *   redirects) and `credentials: "same-origin"` (the proxy's session cookie
 *   goes along). The timeout, an interruption or the Promise client's
 *   `AbortSignal` abort the request.
 * - No `User-Agent` (browsers forbid setting it).
 * - An API key is refused in a browser: see {@link ApiKeyInBrowserError}.
 *
 * @since 0.1.0
 */
// core's modules by path, not through its index: a bundler (esbuild in
// particular) keeps every member of a namespace imported through an index
import * as KenarAuth from "@kenar/core/KenarAuth"
import * as KenarClient from "@kenar/core/KenarClient"
import * as KenarPromiseClient from "@kenar/core/KenarPromiseClient"
import * as KenarTransport from "@kenar/core/KenarTransport"
import type * as RetryPolicy from "@kenar/core/RetryPolicy"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as Redacted from "effect/Redacted"
import * as BrowserUploads from "./BrowserUploads.js"
import * as internalBaseUrl from "./internal/baseUrl.js"
import * as internalFetch from "./internal/fetchTransport.js"

// -----------------------------------------------------------------------------
// the API key guard
// -----------------------------------------------------------------------------

/**
 * Thrown (at construction, before anything is sent) when an `apiKey` is
 * given to a client running in a browser without
 * `dangerouslyAllowApiKeyInBrowser: true`. Anything shipped to a browser is
 * public: an API key there lets anyone act as your app (submit paid posts,
 * spend your quota). Call Kenar through `NodeKenarProxy` from `@kenar/node`
 * instead. A `TypeError` (a programming error), with `_tag` for narrowing;
 * it never contains the key.
 *
 * @since 0.1.0
 * @category errors
 */
export class ApiKeyInBrowserError extends TypeError {
  readonly _tag = "ApiKeyInBrowserError" as const
  constructor() {
    super(
      "@kenar/browser: refusing to use a Kenar API key in a browser: anyone can read it from your bundle. " +
        "Call Kenar through your server (NodeKenarProxy from @kenar/node adds the key there), or pass " +
        "`dangerouslyAllowApiKeyInBrowser: true` if this page is never served to untrusted users."
    )
    this.name = "ApiKeyInBrowserError"
  }
}

/**
 * Whether this code runs in a browser: a window with a document, or a web
 * worker.
 *
 * @since 0.1.0
 * @category utils
 */
export const isBrowser = (): boolean => {
  const global = globalThis as {
    readonly window?: { readonly document?: unknown }
    readonly WorkerGlobalScope?: unknown
    readonly importScripts?: unknown
  }
  return (
    (typeof global.window === "object" &&
      global.window !== null &&
      typeof global.window.document === "object") ||
    (typeof global.WorkerGlobalScope === "function" && typeof global.importScripts === "function")
  )
}

/**
 * Throws {@link ApiKeyInBrowserError} when `options` carries an API key in a
 * browser without the explicit opt-in.
 *
 * @since 0.1.0
 * @category utils
 */
export const guardApiKey = (options: {
  readonly apiKey?: unknown
  readonly dangerouslyAllowApiKeyInBrowser?: boolean | undefined
}): void => {
  if (options.apiKey !== undefined && options.dangerouslyAllowApiKeyInBrowser !== true && isBrowser()) {
    throw new ApiKeyInBrowserError()
  }
}

// -----------------------------------------------------------------------------
// access tokens
// -----------------------------------------------------------------------------

/**
 * A token source that is loaded on first use (e.g. from your server's
 * session endpoint), kept until it expires or Kenar rejects it, and loaded
 * again then: one load at a time, shared by concurrent calls. Build one with
 * {@link refreshingToken}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefreshingToken {
  readonly _tag: "RefreshingToken"
  /** The current token, loading one when there is none or it expired. */
  readonly get: () => Promise<string | undefined>
  /**
   * Called when Kenar rejected `rejected`: loads a new token unless another
   * caller already did. `true` when there is a new token to retry with.
   */
  readonly refresh: (rejected: string | undefined) => Promise<boolean>
}

/**
 * What a {@link refreshingToken} loader gives: a token, a token with its
 * expiry (epoch milliseconds), or `undefined` for "not signed in".
 *
 * @since 0.1.0
 * @category models
 */
export type LoadedToken =
  | string
  | { readonly accessToken: string; readonly expiresAt?: number | undefined }
  | undefined

/**
 * A {@link RefreshingToken} over your loader.
 *
 * ```ts
 * const accessToken = BrowserKenarClient.refreshingToken(async () => {
 *   const response = await fetch("/session/kenar-token", { method: "POST" })
 *   return response.ok ? ((await response.json()) as { accessToken: string; expiresAt: number }) : undefined
 * })
 * const kenar = BrowserKenarClient.makePromise({ accessToken })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const refreshingToken = (
  load: () => Promise<LoadedToken>,
  options: {
    /** Load a new token this many milliseconds before `expiresAt` (default 30 000). */
    readonly skewMillis?: number | undefined
    /** The clock (default `Date.now`). */
    readonly now?: (() => number) | undefined
  } = {}
): RefreshingToken => {
  const skew = options.skewMillis ?? 30_000
  const now = options.now ?? Date.now
  let current: { readonly token: string; readonly expiresAt: number | undefined } | undefined
  let pending: Promise<string | undefined> | undefined
  const reload = (): Promise<string | undefined> => {
    pending ??= load()
      .then((loaded) => {
        current =
          loaded === undefined
            ? undefined
            : typeof loaded === "string"
              ? { token: loaded, expiresAt: undefined }
              : { token: loaded.accessToken, expiresAt: loaded.expiresAt }
        return current?.token
      })
      .finally(() => {
        pending = undefined
      })
    return pending
  }
  const fresh = () =>
    current !== undefined && (current.expiresAt === undefined || now() < current.expiresAt - skew)
  return {
    _tag: "RefreshingToken",
    get: () => (fresh() ? Promise.resolve(current!.token) : reload()),
    refresh: async (rejected) => {
      if (pending !== undefined) return (await pending) !== undefined
      if (current !== undefined && rejected !== undefined && current.token !== rejected) return true
      current = undefined
      return (await reload()) !== undefined
    }
  }
}

/**
 * What `accessToken` takes: a fixed token, a function asked before each
 * call that needs one (it may return a Promise), or a {@link RefreshingToken}.
 *
 * @since 0.1.0
 * @category models
 */
export type AccessToken = KenarAuth.TokenSource | RefreshingToken

const isRefreshing = (source: AccessToken | undefined): source is RefreshingToken =>
  typeof source === "object" && source !== null && (source as { _tag?: unknown })._tag === "RefreshingToken"

/** The auth service: the token (if any), and the API key only in the opted-in direct mode. */
const authOf = (options: Options): KenarAuth.KenarAuth["Service"] => {
  const source = options.accessToken
  const apiKey = options.apiKey
  if (!isRefreshing(source)) {
    return apiKey === undefined
      ? KenarAuth.passthrough({ accessToken: source })
      : KenarAuth.make({ apiKey, accessToken: source })
  }
  // The token each call sent, by its auth context (one per call), so that a
  // rejection refreshes only when the rejected token is still the current one.
  const sent = new WeakMap<KenarAuth.AuthContext, string | undefined>()
  const tracked: KenarAuth.TokenSource = (context) =>
    source.get().then((token) => {
      sent.set(context, token)
      return token
    })
  const base =
    apiKey === undefined
      ? KenarAuth.passthrough({ accessToken: tracked })
      : KenarAuth.make({ apiKey, accessToken: tracked })
  return {
    authorize: base.authorize,
    onUnauthenticated: (context) =>
      Effect.tryPromise(() => source.refresh(sent.get(context))).pipe(Effect.orElseSucceed(() => false))
  }
}

// -----------------------------------------------------------------------------
// the client
// -----------------------------------------------------------------------------

/**
 * The proxy path the client talks to by default.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_PROXY_PATH: "/api/kenar" = internalBaseUrl.DEFAULT_PROXY_PATH

/**
 * Options of {@link layer} and {@link makePromise}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Where calls go: your proxy. Relative URLs are resolved against
   * `location.origin`. Default {@link DEFAULT_PROXY_PATH}, or Kenar's own
   * host when an API key is (dangerously) given.
   */
  readonly baseUrl?: string | URL | undefined
  /**
   * The user's access token, for apps that keep it in the browser: sent as
   * `Authorization: Bearer` (the proxy must be built with
   * `forwardClientToken: true`). Leave it out when the proxy takes the token
   * from the session.
   */
  readonly accessToken?: AccessToken | undefined
  /** `fetch`'s credentials mode (default `"same-origin"`: the proxy's session cookie goes along). */
  readonly credentials?: RequestCredentials | undefined
  /**
   * The `fetch` calls go through (default: the global `fetch`, looked up at
   * each call), e.g. one that adds a header. It gets `redirect: "manual"`,
   * the `credentials` and an `AbortSignal` with every request. Uploads use
   * `XMLHttpRequest` (for progress) whatever this is.
   */
  readonly fetch?: typeof globalThis.fetch | undefined
  /** Timeout of each attempt (default 10 seconds). */
  readonly timeout?: Duration.Input | undefined
  /** Retry settings, or `false` for none (default: the SDK's per-operation policy). */
  readonly retry?: RetryPolicy.RetryInput | undefined
  /** Timeout of each upload attempt (default 5 minutes). */
  readonly uploadTimeout?: Duration.Input | undefined
  /**
   * An API key. Refused in browsers ({@link ApiKeyInBrowserError}) unless
   * `dangerouslyAllowApiKeyInBrowser` is `true`.
   */
  readonly apiKey?: string | Redacted.Redacted<string> | undefined
  /**
   * Allows `apiKey` in a browser, e.g. for an internal tool that is never
   * served to untrusted users. Everyone who can load the page can read the key.
   */
  readonly dangerouslyAllowApiKeyInBrowser?: boolean | undefined
}

/**
 * Resolves `baseUrl` against the page's origin. Throws a `TypeError` for a
 * relative URL where there is no page (server-side rendering).
 *
 * @since 0.1.0
 * @category utils
 */
export const resolveBaseUrl = (options: Pick<Options, "baseUrl" | "apiKey">): string =>
  internalBaseUrl.resolveBaseUrl(options)

/**
 * The client layer for browsers, with the fetch transport built in. It also
 * provides the {@link BrowserUploads.Uploader} for uploads through the same
 * proxy. (There is no effect `HttpClient` in it: the client's `http` is
 * `undefined`, so core's `Uploads` would need an `Uploads.layer` of their
 * own; in a browser, upload with {@link BrowserUploads}.) Options are checked
 * at once: an API key in a browser throws {@link ApiKeyInBrowserError}, an
 * invalid URL or timeout a `TypeError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<KenarClient.KenarClient | BrowserUploads.Uploader> => {
  guardApiKey(options)
  const baseUrl = resolveBaseUrl(options)
  const credentials = options.credentials ?? "same-origin"
  const client = KenarClient.layerWithTransport({
    baseUrl,
    timeout: options.timeout,
    retry: options.retry
  }).pipe(
    Layer.provide(
      Layer.mergeAll(
        Layer.succeed(KenarAuth.KenarAuth, authOf(options)),
        Layer.succeed(
          KenarTransport.KenarTransport,
          internalFetch.make({ credentials, fetch: options.fetch })
        )
      )
    )
  )
  const uploads = BrowserUploads.layer({
    baseUrl,
    credentials,
    retry: options.retry,
    timeout: options.uploadTimeout
  })
  return Layer.merge(client, uploads)
}

/**
 * The Promise client: every Post operation as an async method (rejecting
 * with the SDK's tagged errors), `call` for any operation, the uploads of
 * {@link BrowserUploads}, and `dispose`.
 *
 * @since 0.1.0
 * @category models
 */
export type BrowserPromiseClient = KenarPromiseClient.KenarPromiseClient & {
  /** Uploads an image (`Blob`/`File`) through the proxy; see `BrowserUploads.uploadImage`. */
  readonly uploadImage: (
    file: Blob,
    options?: BrowserUploads.PromiseUploadOptions
  ) => Promise<BrowserUploads.ImageUpload>
  /** Uploads an MP4 video (`Blob`/`File`) through the proxy; see `BrowserUploads.uploadVideo`. */
  readonly uploadVideo: (
    file: Blob,
    options?: BrowserUploads.PromiseUploadOptions
  ) => Promise<BrowserUploads.VideoUpload>
}

/**
 * The Promise client over {@link layer}. Creating it sends nothing; options
 * are checked at once, as in {@link layer}.
 *
 * ```ts
 * const kenar = BrowserKenarClient.makePromise()
 * try {
 *   await kenar.getUserPost({ token })
 * } catch (error) {
 *   if (error._tag === "NotFoundError") showGone()
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePromise = (options: Options = {}): BrowserPromiseClient => {
  const live = layer(options)
  const client = KenarPromiseClient.make(live)
  const uploads = ManagedRuntime.make(live)
  const upload =
    <A>(
      name: string,
      run: (
        file: Blob,
        options: BrowserUploads.UploadOptions
      ) => Effect.Effect<A, unknown, BrowserUploads.Uploader>
    ) =>
    (file: Blob, options: BrowserUploads.PromiseUploadOptions = {}): Promise<A> => {
      const { signal, ...rest } = options
      return uploads
        .runPromiseExit(run(file, rest), { signal })
        .then((exit) => KenarPromiseClient.settle(name, exit, signal))
    }
  const disposeClient = client.dispose
  return Object.assign(client, {
    uploadImage: upload("uploadImage", BrowserUploads.uploadImage),
    uploadVideo: upload("uploadVideo", BrowserUploads.uploadVideo),
    dispose: () => Promise.all([disposeClient(), uploads.dispose()]).then(() => undefined)
  }) as BrowserPromiseClient
}
