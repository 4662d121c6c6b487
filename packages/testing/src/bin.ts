#!/usr/bin/env node
/**
 * `kenar-simulator` (`pnpm simulator`): the simulator on loopback HTTP with
 * demo data, until SIGINT/SIGTERM.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import * as KenarSimulator from "./KenarSimulator.js"
import * as NodeSimulatorServer from "./NodeSimulatorServer.js"
import * as SimulatorFault from "./SimulatorFault.js"
import * as SimulatorOAuth from "./SimulatorOAuth.js"

const usage = `Usage: kenar-simulator [options]

  --port <n>          port (default 0: an ephemeral port; or KENAR_SIMULATOR_PORT)
  --host <addr>       address to bind (default 127.0.0.1)
  --rate-limit <n>    requests per minute per API key (default 600, 0 = off)
  --daily-quota <n>   requests per day per API key (default 0 = off)
  --fault <spec>      inject a fault, repeatable: <kind>[:key=value,...] or JSON
                      kinds: ${SimulatorFault.kinds.join(", ")}
                      e.g. --fault status:status=503,rate=0.2 --fault latency:ms=300
  --auto-approve      approve OAuth authorization requests at once (no consent page)
  --no-admin          do not serve /__simulator/ admin endpoints
  --cors              allow browsers from any origin
  -h, --help          show this help`

const count = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`--${name} must be a non-negative integer, got '${value}'`)
  }
  return n
}

const main = async () => {
  const args = process.argv.slice(2)
  const { values } = parseArgs({
    // `pnpm simulator -- --port 8790` passes the `--` through
    args: args[0] === "--" ? args.slice(1) : args,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "rate-limit": { type: "string" },
      "daily-quota": { type: "string" },
      fault: { type: "string", multiple: true },
      "auto-approve": { type: "boolean" },
      "no-admin": { type: "boolean" },
      cors: { type: "boolean" },
      help: { type: "boolean", short: "h" }
    }
  })
  if (values.help) {
    console.log(usage)
    return
  }
  const sim = KenarSimulator.make({
    rateLimit: {
      perMinute: count("rate-limit", values["rate-limit"], 600),
      perDay: count("daily-quota", values["daily-quota"], 0)
    },
    admin: !values["no-admin"],
    cors: values.cors ?? false,
    oauth: { autoApprove: values["auto-approve"] ?? false }
  })
  for (const spec of values.fault ?? []) sim.faults.inject(SimulatorFault.parse(spec))
  const demo = KenarSimulator.seedDemo(sim)
  const server = await NodeSimulatorServer.listen(sim, {
    port: count("port", values.port ?? process.env.KENAR_SIMULATOR_PORT, 0),
    host: values.host ?? "127.0.0.1"
  })
  const lines = [
    `Kenar simulator listening on ${server.url}`,
    "",
    `  API key (x-api-key):         ${demo.apiKey}`,
    `  Access token (Bearer):       ${demo.accessToken}`,
    `  User:                        ${demo.user}`,
    `  Business:                    ${demo.business}`,
    "  Posts:",
    ...demo.posts.map((token) => {
      const post = sim.post(token)!
      return `    ${token.padEnd(10)} ${post.state.padEnd(32)} ${post.general_data.title}`
    }),
    "",
    "  OAuth (point the app's OAuth base URL at the simulator):",
    `    Authorize:                 ${server.url}${SimulatorOAuth.paths.authorize}`,
    `    Token:                     ${server.url}${SimulatorOAuth.paths.token}`,
    `    Client id:                 ${demo.oauthClient.clientId}`,
    `    Client secret:             ${demo.oauthClient.clientSecret}`,
    ...demo.oauthClient.redirectUris.map((uri) => `    Redirect URI:              ${uri}`),
    `    Consent:                   ${sim.oauth.autoApprove ? "auto-approved" : "consent page"} as ${sim.oauth.user}`,
    "",
    `  Rate limit: ${sim.limits.perMinute || "off"} per minute, ${sim.limits.perDay || "no"} daily quota`,
    ...sim.faults.active().map((fault) => `  Fault: ${JSON.stringify(fault)}`),
    values["no-admin"] ? "  Admin endpoints: off" : `  Admin: ${server.url}/__simulator/state`,
    "",
    "Ctrl+C to stop."
  ]
  console.log(lines.join("\n"))
  const stop = (signal: string) => {
    console.log(`\n${signal}: stopping`)
    const forced = setTimeout(() => process.exit(0), 2000)
    forced.unref()
    server.close().then(
      () => process.exit(0),
      () => process.exit(0)
    )
  }
  process.once("SIGINT", () => stop("SIGINT"))
  process.once("SIGTERM", () => stop("SIGTERM"))
}

main().catch((error: unknown) => {
  console.error(`kenar-simulator: ${(error as Error)?.message ?? error}`)
  process.exit(1)
})
