import * as KenarConfig from "@kenar/core/KenarConfig"

/** The proxy path clients talk to by default. */
export const DEFAULT_PROXY_PATH = "/api/kenar" as const

/**
 * Resolves `baseUrl` (default: the proxy path, or Kenar's host with an API
 * key) against the page's origin. Throws a `TypeError` for a relative URL
 * where there is no page (server-side rendering).
 */
export const resolveBaseUrl = (options: {
  readonly baseUrl?: string | URL | undefined
  readonly apiKey?: unknown
}): string => {
  const raw = String(
    options.baseUrl ?? (options.apiKey === undefined ? DEFAULT_PROXY_PATH : KenarConfig.DEFAULT_BASE_URL)
  )
  const origin = (globalThis as { readonly location?: { readonly origin?: string } }).location?.origin
  try {
    return new URL(raw, origin === undefined || origin === "null" ? undefined : origin).href
  } catch {
    throw new TypeError(
      `@kenar/browser: baseUrl ${JSON.stringify(raw)} is relative and there is no page to resolve it against: pass an absolute URL`
    )
  }
}
