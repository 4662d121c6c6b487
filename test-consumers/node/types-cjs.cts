// The same public types from a CommonJS TypeScript file (resolves the
// packages' "require" condition: index.d.cts).
import { KenarError, Posts } from "@kenar/core"
import { NodeKenarClient } from "@kenar/node"

export const program = Posts.getUserPost({ token: "AaEB0vbO" })
export const client = NodeKenarClient.makePromise({ apiKey: "key", baseUrl: "http://127.0.0.1:1" })
export const isNotFound = (error: unknown): boolean => error instanceof KenarError.NotFoundError
