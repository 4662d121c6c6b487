// CommonJS consumer: require() of the CJS builds (which load the ESM-only
// effect through Node's require(esm)), one real call against the simulator.
const assert = require("node:assert/strict")
const { KenarError } = require("@kenar/core")
const { NodeKenarClient } = require("@kenar/node")
const { KenarSimulator, NodeSimulatorServer } = require("@kenar/testing")

for (const name of ["@kenar/core", "@kenar/node", "@kenar/testing"]) {
  const path = require.resolve(name)
  assert.match(path, /\/node_modules\/.*\.cjs$/, `${name} resolves to its CJS build`)
  console.log(`  ${name} -> ${path.slice(path.lastIndexOf("/node_modules/") + 14)}`)
}

const main = async () => {
  const sim = KenarSimulator.make()
  const demo = KenarSimulator.seedDemo(sim)
  const server = await NodeSimulatorServer.listen(sim)
  const kenar = NodeKenarClient.makePromise({
    apiKey: demo.apiKey,
    baseUrl: server.url,
    accessToken: demo.accessToken,
    retry: false
  })
  try {
    const post = await kenar.getUserPost({ token: demo.posts[0] })
    assert.ok(post.general_data.title.length > 0)
    console.log(`  Promise client: getUserPost -> "${post.general_data.title}" (${post.state})`)
    await assert.rejects(kenar.getUserPost({ token: "NoSuchPost0" }), KenarError.NotFoundError)
    console.log("  Promise client: unknown post -> NotFoundError")
  } finally {
    await kenar.dispose()
    await server.close()
  }
  console.log("cjs consumer ok")
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
