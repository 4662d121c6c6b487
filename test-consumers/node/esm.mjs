// ESM consumer: imports the installed tarballs and makes real calls against the
// simulator (from the @kenar/testing tarball) on 127.0.0.1.
import assert from "node:assert/strict"
import { KenarError, Posts } from "@kenar/core"
import { NodeKenarClient } from "@kenar/node"
import { KenarSimulator, NodeSimulatorServer } from "@kenar/testing"
import { Effect } from "effect"

for (const name of ["@kenar/core", "@kenar/node", "@kenar/testing", "effect"]) {
  const url = import.meta.resolve(name)
  assert.match(url, /\/node_modules\//, `${name} resolves into node_modules`)
  assert.doesNotMatch(url, /\/src\//, `${name} resolves to built files`)
  console.log(`  ${name} -> ${url.slice(url.lastIndexOf("/node_modules/") + 14)}`)
}

const sim = KenarSimulator.make()
const demo = KenarSimulator.seedDemo(sim)
const server = await NodeSimulatorServer.listen(sim)
const options = { apiKey: demo.apiKey, baseUrl: server.url, accessToken: demo.accessToken, retry: false }
const kenar = NodeKenarClient.makePromise(options)
try {
  const token = demo.posts[0]
  const post = await kenar.getUserPost({ token })
  assert.ok(post.general_data.title.length > 0)
  console.log(`  Promise client: getUserPost -> "${post.general_data.title}" (${post.state})`)

  await assert.rejects(
    kenar.getUserPost({ token: "NoSuchPost0" }),
    (error) => error instanceof KenarError.NotFoundError && error._tag === "NotFoundError"
  )
  console.log("  Promise client: unknown post -> NotFoundError")

  await assert.rejects(
    kenar.getUserPost({ token: "a/b" }),
    (error) => error._tag === "ValidationError" && error.field === "token"
  )
  console.log("  Promise client: bad token -> ValidationError before I/O")

  const stats = await Effect.runPromise(
    Posts.getPostStats({ post_token: token }).pipe(Effect.provide(NodeKenarClient.layer(options)))
  )
  assert.equal(typeof stats.views.total, "number")
  console.log(`  Effect API: getPostStats -> ${stats.views.total} views`)

  const calls = sim.requests().map((request) => `${request.operation}:${request.status}`)
  assert.deepEqual(calls, ["getUserPost:200", "getUserPost:404", "getPostStats:200"])
  console.log(`  simulator saw: ${calls.join(", ")}`)
} finally {
  await kenar.dispose()
  await server.close()
}
console.log("esm consumer ok")
