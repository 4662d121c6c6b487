/**
 * Executor overhead: the SDK's per-call cost without any network, against an
 * in-memory HttpClient that answers at once. Prints µs per call for
 * GetUserPost under a few client settings.
 *
 *   pnpm --filter @kenar/core bench
 */
import { performance } from "node:perf_hooks"
import { Effect, Layer } from "effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import { KenarAuth, KenarClient, Posts } from "../src/index.js"

const body = JSON.stringify({
  general_data: {
    title: "پراید ۱۳۹۰ تمیز",
    images: ["a.jpg", "b.jpg"],
    city: "tehran",
    location_type: "LOCATION_TYPE_APPROXIMATE"
  },
  category_data: { brand_model: "Pride 131 SE", usage: "120000" },
  business_data: { business_name: "نمایشگاه ونک", business_type: "CAR" },
  state: "POST_STATE_PUBLISHED"
})
// a response object as cheap as a transport can make it, so the figure is the executor's own cost
const text = Effect.succeed(body)
const headers = { "content-type": "application/json" }
const http = HttpClient.makeWith(
  (request) =>
    Effect.map(
      request,
      (request) =>
        ({ request, status: 200, headers, text }) as unknown as HttpClientResponse.HttpClientResponse
    ),
  Effect.succeed
)
const layer = (retry: false | undefined) =>
  KenarClient.layer({ baseUrl: "http://kenar.test", ...(retry === false ? { retry: false } : {}) }).pipe(
    Layer.provide(KenarAuth.layer({ apiKey: "k", accessToken: "t" })),
    Layer.provide(Layer.succeed(HttpClient.HttpClient, http))
  )

const CALLS = Number(process.env.BENCH_CALLS ?? 20000)

const measure = async (name: string, retry: false | undefined, n = CALLS) => {
  const program = Effect.gen(function* () {
    const client = yield* KenarClient.KenarClient
    const call = () => client.call(Posts.getUserPost.definition, { token: "AaEB0vbO" })
    for (let i = 0; i < Math.min(2000, n); i++) yield* call()
    if (n === 0) return 0
    const start = performance.now()
    for (let i = 0; i < n; i++) yield* call()
    return ((performance.now() - start) * 1000) / n
  })
  const us = await Effect.runPromise(program.pipe(Effect.provide(layer(retry))))
  console.log(`${name}: ${us.toFixed(1)} µs/call`)
}

const mode = process.env.BENCH_MODE
if (mode === undefined || mode === "default") await measure("default", undefined)
if (mode === undefined || mode === "retry-off") await measure("retry off", false)
if (mode === undefined) await measure("default", undefined)
