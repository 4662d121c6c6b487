/**
 * @kenar/browser: browser layers for the Kenar SDK: a fetch transport to
 * your own key-safe proxy, access-token sources, File/Blob uploads with
 * progress, OAuth redirect helpers, and a guard against shipping an API key
 * to browsers.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as BrowserKenarClient from "./BrowserKenarClient.js"
/** @since 0.1.0 */
export * as BrowserOAuth from "./BrowserOAuth.js"
/** @since 0.1.0 */
export * as BrowserUploads from "./BrowserUploads.js"
