/**
 * @kenar/core: the Kenar (Divar open platform) API as Effect programs with
 * typed errors and retry schedules, and as a Promise client.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as KenarAuth from "./KenarAuth.js"
/** @since 0.1.0 */
export * as KenarClient from "./KenarClient.js"
/** @since 0.1.0 */
export * as KenarConfig from "./KenarConfig.js"
export * as KenarDecoding from "./KenarDecoding.js"
/** @since 0.1.0 */
export * as KenarError from "./KenarError.js"
/** @since 0.1.0 */
export * as KenarPromiseClient from "./KenarPromiseClient.js"
/** @since 0.1.0 */
export * as KenarRateLimit from "./KenarRateLimit.js"
/** @since 0.2.0 */
export * as KenarTracing from "./KenarTracing.js"
/** @since 0.2.0 */
export * as KenarTransport from "./KenarTransport.js"
/** @since 0.1.0 */
export * as OAuth from "./OAuth.js"
/** @since 0.1.0 */
export * as OAuthScope from "./OAuthScope.js"
/** @since 0.1.0 */
export * as Operation from "./Operation.js"
/** @since 0.1.0 */
export * as PostEdit from "./PostEdit.js"
/** @since 0.1.0 */
export * as PostSchema from "./PostSchema.js"
/** @since 0.1.0 */
export * as Posts from "./Posts.js"
/** @since 0.1.0 */
export * as RetryPolicy from "./RetryPolicy.js"
/** @since 0.1.0 */
export * as Uploads from "./Uploads.js"
