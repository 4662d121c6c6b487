/**
 * A fast path for decoding Kenar's answers and checking path parameters.
 *
 * Every call decodes its answer with the operation's schema. effect's
 * decoder does that in several microseconds for a post (its JIT compiler
 * does not inline proto3 defaults); the fast path builds a decoder once per
 * schema that does it in about 0.2 µs: structs as generated code (plain
 * property accesses), or, where `new Function` is not allowed (a strict
 * Content-Security-Policy), as closures (about 1 µs).
 *
 * It changes no result: for any input it gives exactly effect's value, or
 * defers to effect's decoder, which then decides and explains what is wrong.
 * Schemas it does not know (of operations added later) simply keep effect's
 * decoder. Property tests compare both on generated and hostile answers.
 *
 * `@kenar/node` turns it on when a client is built. Browser clients leave it
 * off to keep bundles small (it adds about 1.2 KB min+gzip); turn it on where decoding
 * speed matters more:
 *
 * ```ts
 * import { KenarDecoding } from "@kenar/core"
 *
 * KenarDecoding.enableFastPath()
 * ```
 *
 * It applies to every client in the process, from the next call on.
 *
 * @since 0.2.0
 */
import { decoderFor } from "./internal/fastDecode.js"
import { fastPath } from "./internal/fastPath.js"

/**
 * Turns the fast path on for every client in this process.
 *
 * @since 0.2.0
 * @category settings
 */
export const enableFastPath = (): void => {
  fastPath.decoderFor = decoderFor
}

/**
 * Whether the fast path is on.
 *
 * @since 0.2.0
 * @category settings
 */
export const isFastPathEnabled = (): boolean => fastPath.decoderFor !== undefined
