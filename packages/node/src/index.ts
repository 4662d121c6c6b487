/**
 * @kenar/node: Node.js layers for the Kenar SDK: a keep-alive undici
 * transport, credentials from the environment, and a ready Promise client.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as NodeHttpClient from "./NodeHttpClient.js"
/** @since 0.1.0 */
export * as NodeKenarClient from "./NodeKenarClient.js"
/** @since 0.1.0 */
export * as NodeKenarProxy from "./NodeKenarProxy.js"
/** @since 0.1.0 */
export * as NodeOAuth from "./NodeOAuth.js"
/** @since 0.1.0 */
export * as NodeRedis from "./NodeRedis.js"
/** @since 0.1.0 */
export * as NodeUploads from "./NodeUploads.js"
