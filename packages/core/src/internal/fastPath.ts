/**
 * Where the optional fast path for decoding plugs in (see `KenarDecoding`):
 * the shared constants, and the compiler once enabled. Kept apart from the
 * compiler itself so that clients which never enable it (browser bundles)
 * carry none of it.
 */
import type * as SchemaAST from "effect/SchemaAST"

/** Returned when the fast path cannot decode an input (effect's decoder then decides). */
export const invalid: unique symbol = Symbol.for("@kenar/core/fastDecode/invalid")

/** A fast decoder: the decoded value, or {@link invalid}. */
export type FastDecode = (input: unknown) => unknown

/**
 * The annotation carrying a proto3 field's zero value (in its encoded form),
 * set by `proto.ts` next to `withDecodingDefaultKey`.
 */
export const zeroAnnotation = "kenarZero"

/** The fast decoder of a schema, once enabled (`KenarDecoding.enableFastPath`). */
export const fastPath: { decoderFor: ((ast: SchemaAST.AST) => FastDecode) | undefined } = {
  decoderFor: undefined
}
