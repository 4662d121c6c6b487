/**
 * Schema decoding compiled to JavaScript on Node: effect's JIT compiler
 * generates a decoder per schema (about 3x faster than the interpreter on
 * Kenar's answers). Enabled for every operation's schemas when a Node
 * transport is built, before any call captures a decoder. Browsers keep the
 * interpreter (no `new Function`, and no compiler in the bundle).
 */
import { Posts } from "@kenar/core"
import * as SchemaJITCompiler from "effect/schema/SchemaJITCompiler"

let compiled = false

export const compileSchemas = (): void => {
  if (compiled) return
  compiled = true
  for (const operation of Object.values(Posts.all)) {
    const definition = operation.definition
    SchemaJITCompiler.enable(definition.output.ast)
    SchemaJITCompiler.enable(definition.params.ast)
    if (definition.body !== undefined) SchemaJITCompiler.enable(definition.body.ast)
  }
}
