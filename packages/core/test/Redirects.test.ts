/**
 * The API key must never follow a redirect to another host: `fetch` resends
 * custom headers such as `x-api-key` on redirects.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Exit, Layer } from "effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import { afterAll, beforeAll, expect, it } from "vitest"
import { KenarAuth, KenarClient, Posts } from "../src/index.js"

const apiKey = "redirect-test-api-key-93af"
const seen: Array<IncomingHttpHeaders> = []
let decoy: Server
let kenar: Server
const urlOf = (server: Server, host: string) => `http://${host}:${(server.address() as AddressInfo).port}`

beforeAll(async () => {
  decoy = createServer((request, response) => {
    seen.push(request.headers)
    response.writeHead(200, { "content-type": "application/json" }).end("{}")
  })
  await new Promise<void>((resolve) => decoy.listen(0, "127.0.0.2", resolve))
  kenar = createServer((request, response) => {
    response.writeHead(Number(request.url?.includes("permanent") ? 308 : 307), {
      location: `${urlOf(decoy, "127.0.0.2")}/steal`
    })
    response.end()
  })
  await new Promise<void>((resolve) => kenar.listen(0, "127.0.0.1", resolve))
})
afterAll(async () => {
  await new Promise((resolve) => decoy.close(resolve))
  await new Promise((resolve) => kenar.close(resolve))
})

it("does not follow a redirect with the API key (fetch transport); the 3xx is a typed error", async () => {
  const layer = KenarClient.layer({ baseUrl: urlOf(kenar, "127.0.0.1"), retry: false }).pipe(
    Layer.provide(KenarAuth.layer({ apiKey })),
    Layer.provide(FetchHttpClient.layer)
  )
  const exit = await Effect.runPromiseExit(Posts.getUploadUrls().pipe(Effect.provide(layer)))
  expect(Exit.isFailure(exit)).toBe(true)
  const error = Exit.isFailure(exit) ? (exit.cause.reasons[0] as any).error : undefined
  expect(error).toMatchObject({ _tag: "UnknownError", httpStatus: 307 })
  expect(seen).toHaveLength(0)
})

it("keeps fetch options provided where the client layer is built", async () => {
  const headersSeen: Array<IncomingHttpHeaders> = []
  const server = createServer((request, response) => {
    headersSeen.push(request.headers)
    response.writeHead(200, { "content-type": "application/json" }).end("{}")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const layer = KenarClient.layer({ baseUrl: urlOf(server, "127.0.0.1"), retry: false }).pipe(
    Layer.provide(KenarAuth.layer({ apiKey })),
    Layer.provide(FetchHttpClient.layer),
    Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { headers: { "x-app-header": "kept" } }))
  )
  await Effect.runPromise(Posts.getUploadUrls().pipe(Effect.provide(layer)))
  await new Promise((resolve) => server.close(resolve))
  expect(headersSeen[0]?.["x-app-header"]).toBe("kept")
})
