/**
 * Transport benchmark: raw undici, raw fetch, Effect HttpClient over fetch and
 * over @kenar/node's undici client, and the full SDK call (`getUserPost`)
 * through NodeKenarClient (Effect) and the Promise client.
 *
 * Each candidate gets the post: the raw `undici` and `fetch` candidates parse
 * the JSON answer (what any caller of GetUserPost needs) and nothing more;
 * the SDK also validates the input, adds credentials, applies the deadline
 * and decodes the answer against its schema. The `effect-*` candidates only
 * read the body as text (the HTTP client layer alone).
 *
 * One node:http server on 127.0.0.1 runs in a child process; every candidate
 * runs for a few seconds at concurrency 1 and 32, in several rounds with the
 * order alternating. Prints req/s, p50, p99, the client's CPU time per
 * request (this process only, so it is less sensitive to other load on the
 * machine than req/s), and the ratios against undici and fetch.
 *
 *   pnpm --filter @kenar/node bench       # defaults: 9 rounds of 0.5 s, concurrency 1 and 32 (~100 s)
 *   pnpm --filter @kenar/node bench --seconds 1 --rounds 2 --only sdk-effect,undici --concurrency 32
 *
 * Bare imports are resolved from packages/node, where the dependencies live.
 * The SDK is loaded from the built packages (dist/, what users run; `pnpm
 * build` first): run from the TypeScript sources through tsx, every closure
 * the SDK makes per call would also pay for tsx's `keepNames` wrappers.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { performance } from "node:perf_hooks"
import { pathToFileURL } from "node:url"
import { parseArgs } from "node:util"

const fromNode = createRequire(new URL("../packages/node/package.json", import.meta.url))
const load = (specifier: string): Promise<any> => import(pathToFileURL(fromNode.resolve(specifier)).href)

for (const pkg of ["core", "node"]) {
  if (!existsSync(new URL(`../packages/${pkg}/dist/index.js`, import.meta.url))) {
    console.error(`bench: packages/${pkg}/dist is missing: run pnpm build first`)
    process.exit(1)
  }
}

const [undici, Effect, Layer, HttpClient, FetchHttpClient, core, node] = await Promise.all([
  load("undici"),
  load("effect/Effect"),
  load("effect/Layer"),
  load("effect/http/HttpClient"),
  load("effect/http/FetchHttpClient"),
  import("../packages/core/dist/index.js"),
  import("../packages/node/dist/index.js")
])

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "0.5" },
    rounds: { type: "string", default: "9" },
    concurrency: { type: "string", default: "1,32" },
    only: { type: "string" }
  }
})
const SECONDS = Number(args.seconds)
const ROUNDS = Number(args.rounds)
const CONCURRENCIES = args.concurrency.split(",").map(Number)
const ONLY = args.only?.split(",")

// ---------------------------------------------------------------------------
// server: a GetUserPost-shaped answer, in a worker thread
// ---------------------------------------------------------------------------

const answer = JSON.stringify({
  general_data: {
    category_slug: "light",
    title: "پراید ۱۳۹۰ تمیز",
    description: "بدون رنگ، بیمه تا آخر سال، فنی سالم. ".repeat(4),
    images: [
      "https://s100.divarcdn.com/static/pictures/1/a.jpg",
      "https://s100.divarcdn.com/static/pictures/1/b.jpg"
    ],
    city: "tehran",
    district: "vanak",
    latitude: 35.757,
    longitude: 51.41,
    location_type: "LOCATION_TYPE_APPROXIMATE",
    hide_phone: false,
    chat_enabled: true
  },
  category_data: {
    brand_model: "Pride 131 SE",
    usage: "120000",
    color: "سفید",
    price: { mode: "fixed", value: 350000000 }
  },
  business_data: { business_name: "نمایشگاه ونک", business_type: "CAR" },
  state: "POST_STATE_PUBLISHED",
  reject_reason: ""
})

const serverSource = `
const http = require("node:http")
const body = Buffer.from(process.env.ANSWER)
const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  req.resume()
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length, "x-request-id": "bench" })
    res.end(body)
  })
})
server.listen(0, "127.0.0.1", () => console.log(server.address().port))
process.on("SIGTERM", () => { server.closeAllConnections(); server.close(() => process.exit(0)) })
`

// The server runs in its own process, so the CPU time measured here is the client's alone.
const server = spawn(process.execPath, ["-e", serverSource], {
  env: { ...process.env, ANSWER: answer },
  stdio: ["ignore", "pipe", "inherit"]
})
const port: number = await new Promise((resolve) =>
  server.stdout.once("data", (data) => resolve(Number(String(data).trim())))
)
const origin = `http://127.0.0.1:${port}`
const url = `${origin}/v1/open-platform/user-post/AaEB0vbO`
const headers = { accept: "application/json", "x-api-key": "bench-key", authorization: "Bearer bench-token" }

// ---------------------------------------------------------------------------
// candidates
// ---------------------------------------------------------------------------

interface Result {
  readonly count: number
  readonly latencies: Float64Array
  /** CPU time of this process during the run, in microseconds. */
  readonly cpu: number
}

const cpuSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start)
  return used.user + used.system
}

/** Runs `concurrency` loops of `once` until the deadline, recording latencies. */
const runPromiseLoops = async (
  concurrency: number,
  seconds: number,
  once: () => Promise<unknown>
): Promise<Result> => {
  const latencies: Array<number> = []
  const cpu = process.cpuUsage()
  const deadline = performance.now() + seconds * 1000
  const loop = async () => {
    while (performance.now() < deadline) {
      const start = performance.now()
      await once()
      latencies.push(performance.now() - start)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  return { count: latencies.length, latencies: Float64Array.from(latencies), cpu: cpuSince(cpu) }
}

/** The same for an Effect, with the loops as fibers of one runPromise. */
const runEffectLoops = (concurrency: number, seconds: number, once: any, layer: any): Promise<Result> => {
  const latencies: Array<number> = []
  const cpu = process.cpuUsage()
  const program = Effect.suspend(() => {
    const deadline = performance.now() + seconds * 1000
    const loop = Effect.whileLoop({
      while: () => performance.now() < deadline,
      body: () => {
        const start = performance.now()
        return Effect.map(once, () => latencies.push(performance.now() - start))
      },
      step: () => {}
    })
    return Effect.forEach(Array.from({ length: concurrency }), () => loop, {
      concurrency: "unbounded",
      discard: true
    })
  })
  return Effect.runPromise(Effect.provide(program, layer)).then(() => ({
    count: latencies.length,
    latencies: Float64Array.from(latencies),
    cpu: cpuSince(cpu)
  }))
}

const undiciAgent = new undici.Agent({ keepAliveTimeout: 10_000 })
const tracerOff = (layer: any) =>
  Layer.merge(
    layer,
    Layer.succeed(HttpClient.TracerDisabledWhen, () => true)
  )

const httpGet = Effect.flatMap(HttpClient.get(url, { headers }), (response: any) => response.text)

const sdkOptions = { apiKey: "bench-key", accessToken: "bench-token", baseUrl: origin }
const sdkLayer = node.NodeKenarClient.layer(sdkOptions)
const leanLayer = node.NodeHttpClient.layerWith({ lean: true })
const sdkPlainLayer = Layer.provide(
  node.NodeKenarClient.layerWithoutHttpClient(sdkOptions),
  node.NodeHttpClient.layer
)
const promiseClient = node.NodeKenarClient.makePromise(sdkOptions)
// the SDK's own transport alone (what NodeKenarClient sends calls through), JSON parsed as the raw candidates do
const kenarTransport = core.KenarTransport.attached(node.NodeHttpClient.fromDispatcherLean(undiciAgent))
const transportRequest = { method: "GET", url, headers, body: undefined }
const transportGet = Effect.map(
  Effect.suspend(() => kenarTransport.send(transportRequest, 10_000)),
  (answer: any) => JSON.parse(answer.text)
)
const input = { token: "AaEB0vbO" }

// Layers are built once per run; FetchHttpClient and NodeHttpClient each keep their pool.
const candidates: Record<string, (concurrency: number, seconds: number) => Promise<Result>> = {
  undici: (c, s) =>
    runPromiseLoops(c, s, () =>
      undiciAgent
        .request({ origin, path: "/v1/open-platform/user-post/AaEB0vbO", method: "GET", headers })
        .then((r: any) => r.body.json())
    ),
  fetch: (c, s) => runPromiseLoops(c, s, () => fetch(url, { headers }).then((r) => r.json())),
  "effect-fetch": (c, s) => runEffectLoops(c, s, httpGet, FetchHttpClient.layer),
  "effect-fetch-notrace": (c, s) => runEffectLoops(c, s, httpGet, tracerOff(FetchHttpClient.layer)),
  "effect-node": (c, s) => runEffectLoops(c, s, httpGet, node.NodeHttpClient.layer),
  "effect-node-notrace": (c, s) => runEffectLoops(c, s, httpGet, tracerOff(node.NodeHttpClient.layer)),
  "effect-node-lean-notrace": (c, s) => runEffectLoops(c, s, httpGet, tracerOff(leanLayer)),
  "kenar-transport": (c, s) => runEffectLoops(c, s, transportGet, Layer.empty),
  "sdk-effect-plain-transport": (c, s) => runEffectLoops(c, s, core.Posts.getUserPost(input), sdkPlainLayer),
  "sdk-effect": (c, s) => runEffectLoops(c, s, core.Posts.getUserPost(input), sdkLayer),
  "sdk-promise": (c, s) => runPromiseLoops(c, s, () => promiseClient.getUserPost(input))
}

// ---------------------------------------------------------------------------
// run
// ---------------------------------------------------------------------------

const names = Object.keys(candidates).filter((name) => ONLY === undefined || ONLY.includes(name))
const results = new Map<string, Array<Result>>()

// Warm up every path (JIT, pools) without recording.
for (const name of names) await candidates[name]!(8, 0.5)

for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? names : [...names].reverse()
  for (const concurrency of CONCURRENCIES) {
    for (const name of order) {
      const result = await candidates[name]!(concurrency, SECONDS)
      const key = `${name}@${concurrency}`
      results.set(key, [...(results.get(key) ?? []), result])
      process.stderr.write(
        `round ${round + 1} c=${concurrency} ${name}: ${Math.round(result.count / SECONDS)} req/s\n`
      )
    }
  }
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

const summary = (runs: Array<Result>) => {
  const total = runs.reduce((n, r) => n + r.count, 0)
  const all = new Float64Array(total)
  let offset = 0
  for (const r of runs) {
    all.set(r.latencies, offset)
    offset += r.latencies.length
  }
  all.sort()
  const cpu = runs.reduce((n, r) => n + r.cpu, 0)
  return {
    rps: total / (SECONDS * runs.length),
    p50: percentile(all, 0.5),
    p99: percentile(all, 0.99),
    cpuPerRequest: cpu / total
  }
}

/**
 * The median over rounds of a candidate's req/s divided by the baseline's req/s in the same
 * round: the two ran back to back, so load from elsewhere on a shared machine mostly cancels out.
 */
const medianRatio = (runs: Array<Result>, base: Array<Result> | undefined): number | undefined => {
  if (base === undefined || base.length !== runs.length) return undefined
  const ratios = runs.map((run, i) => run.count / base[i]!.count).sort((a, b) => a - b)
  const middle = Math.floor(ratios.length / 2)
  return ratios.length % 2 === 1 ? ratios[middle]! : (ratios[middle - 1]! + ratios[middle]!) / 2
}

const lines = [
  `node ${process.version}, ${ROUNDS} rounds x ${SECONDS}s per candidate and concurrency, order alternating`,
  "req/s, latencies and CPU over all rounds; ratios: median over rounds of the candidate's req/s over the",
  "baseline's req/s in the same round (back-to-back runs, so load from elsewhere mostly cancels out)",
  "",
  "| candidate | conc | req/s | p50 ms | p99 ms | client CPU µs/req | vs undici | vs fetch |",
  "|---|---:|---:|---:|---:|---:|---:|---:|"
]
for (const concurrency of CONCURRENCIES) {
  for (const name of names) {
    const runs = results.get(`${name}@${concurrency}`)!
    const s = summary(runs)
    const ratio = (baseline: string) => {
      const value = medianRatio(runs, results.get(`${baseline}@${concurrency}`))
      return value === undefined ? "-" : value.toFixed(2)
    }
    lines.push(
      `| ${name} | ${concurrency} | ${Math.round(s.rps)} | ${s.p50.toFixed(3)} | ${s.p99.toFixed(3)} | ${Math.round(s.cpuPerRequest)} | ${ratio("undici")} | ${ratio("fetch")} |`
    )
  }
}
console.log(lines.join("\n"))

await promiseClient.dispose()
await undiciAgent.close()
server.kill("SIGTERM")
await new Promise((resolve) => server.once("exit", resolve))
