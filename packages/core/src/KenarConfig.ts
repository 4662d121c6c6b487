/**
 * Settings of a Kenar client: base URL, per-attempt timeout, retry policy and
 * `User-Agent`.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import packageJson from "../package.json" with { type: "json" }
import * as RetryPolicy from "./RetryPolicy.js"

/**
 * Kenar's API host.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BASE_URL = "https://open-api.divar.ir"

/**
 * The SDK's version (from this package's `package.json`, so a release bumps
 * it), sent in the `User-Agent` where the platform allows it.
 *
 * @since 0.1.0
 * @category constants
 */
export const VERSION: string = packageJson.version

/**
 * Options a client is created with; every one has a default.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  /** Where Kenar is (default `https://open-api.divar.ir`); a path prefix is kept. */
  readonly baseUrl?: string | URL | undefined
  /** Timeout of each attempt (default 10 s); a retry gets a fresh one. */
  readonly timeout?: Duration.Input | undefined
  /** Retry settings, or `false` for none (default: see `RetryPolicy.defaults`). */
  readonly retry?: RetryPolicy.RetryInput | undefined
  /** `User-Agent` header; `undefined` sends none (browsers forbid it). */
  readonly userAgent?: string | undefined
}

/**
 * Options of a single call.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /** Timeout of each attempt of this call. */
  readonly timeout?: Duration.Input | undefined
  /** Retry settings for this call, or `false` for none. */
  readonly retry?: RetryPolicy.RetryInput | undefined
  /** The user's access token for this call (e.g. a server acting for many users). */
  readonly accessToken?: string | undefined
}

/**
 * Resolved client settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedConfig {
  /** Base URL without a trailing slash. */
  readonly baseUrl: string
  readonly timeout: Duration.Duration
  readonly retry: RetryPolicy.RetryPolicy
  readonly userAgent: string | undefined
}

/**
 * The default per-attempt timeout: 10 seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_TIMEOUT: Duration.Duration = /* @__PURE__ */ Duration.seconds(10)

/**
 * Checks and completes client options. Throws a `TypeError` naming the
 * option for a base URL that is not an absolute http(s) URL or a timeout that
 * is not a positive duration: both are programming errors found at start-up.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (options: ClientOptions = {}): ResolvedConfig => {
  const raw = String(options.baseUrl ?? DEFAULT_BASE_URL)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new TypeError(`Kenar client: baseUrl must be an absolute URL, got ${JSON.stringify(raw)}`)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Kenar client: baseUrl must use http or https, got ${url.protocol}`)
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new TypeError("Kenar client: baseUrl must not carry credentials, a query or a fragment")
  }
  const timeout =
    options.timeout === undefined
      ? DEFAULT_TIMEOUT
      : Option.getOrUndefined(Duration.fromInput(options.timeout))
  if (timeout === undefined || !(Duration.toMillis(timeout) > 0)) {
    throw new TypeError("Kenar client: timeout must be a positive duration")
  }
  return {
    baseUrl: `${url.origin}${url.pathname}`.replace(/\/+$/, ""),
    timeout,
    retry: RetryPolicy.merge(RetryPolicy.defaults, options.retry),
    userAgent: options.userAgent
  }
}

/**
 * Reads `KENAR_BASE_URL` (optional) through `Config`, over the given options.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromConfig = (options: ClientOptions = {}): Effect.Effect<ResolvedConfig, Config.ConfigError> =>
  Effect.map(Config.option(Config.URL("KENAR_BASE_URL")), (baseUrl) =>
    resolve({ ...options, baseUrl: options.baseUrl ?? Option.getOrUndefined(baseUrl) })
  )
