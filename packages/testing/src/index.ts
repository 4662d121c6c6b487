/**
 * @kenar/testing: a local Kenar simulator (the Post API on loopback HTTP or
 * in-process) with fault injection, for tests and development.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as KenarSimulator from "./KenarSimulator.js"
/** @since 0.1.0 */
export * as NodeSimulatorServer from "./NodeSimulatorServer.js"
/** @since 0.1.0 */
export * as SimulatorFault from "./SimulatorFault.js"
/** @since 0.1.0 */
export * as SimulatorOAuth from "./SimulatorOAuth.js"
