/**
 * Path injection: tokens with `/`, `..`, `?`, `#`, `%`, spaces, control or
 * Persian characters never steer a request off its route. Over real HTTP
 * (undici and fetch) to a server that records the raw request line: each
 * token is either rejected before any I/O (a `ValidationError` naming the
 * parameter, and the server sees nothing) or sent on exactly the intended
 * route with the token as one escaped path segment. Generated tokens
 * (fast-check, seeded: FC_SEED, FC_RUNS) as well as a fixed list.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { KenarAuth, KenarClient, type KenarError, type Operation, Posts } from "@kenar/core"
import { Effect, Exit, Layer } from "effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as NodeHttpClient from "../src/NodeHttpClient.js"

const SEED = Number(process.env.FC_SEED ?? 31337)
const RUNS = Number(process.env.FC_RUNS ?? 100)

const hostile = [
  "a/b",
  "..",
  "../..",
  "../../v1/open-platform/post/AaEB0vbO",
  "..%2F..%2Foauth2%2Ftoken",
  "%2e%2e",
  "%2F",
  "a%2Fb",
  "a?x=1",
  "?",
  "a#frag",
  "#",
  "a b",
  " AaEB0vbO",
  "AaEB0vbO ",
  "a\tb",
  "a\nb",
  "a\r\nHost: evil.example",
  "a\u0000b",
  "آگهی",
  "AaEB0vbO۱",
  "ＡａＥＢ",
  "a\\b",
  "a;b",
  "a.b",
  "@evil.example",
  "//evil.example",
  "http://evil.example/",
  "",
  "x".repeat(65)
]

/** Operations with a path parameter, and a valid input around it. */
const withParams: ReadonlyArray<readonly [keyof Posts.All, string, Record<string, unknown>]> = [
  ["getUserPost", "token", {}],
  ["getPostStats", "post_token", {}],
  ["deleteUserPost", "post_token", {}],
  ["deletePostCustomizedButton", "post_token", {}],
  ["deleteBusinessCustomizedButton", "business_token", {}],
  ["editPost", "post_token", { title: "عنوان تازه", description: "توضیح" }],
  ["editPostV2", "post_token", { update_mask: ["general_data.title"], general_data: { title: "عنوان" } }],
  [
    "setPostCustomizedButton",
    "post_token",
    { customized_button: { type: "ONLINE_CALL", action: { open_direct_link: "https://example.com" } } }
  ],
  [
    "createBusinessCustomizedButton",
    "business_token",
    { customized_button: { type: "ONLINE_CALL", action: { open_direct_link: "https://example.com" } } }
  ]
]

const seen: Array<string> = []
let server: http.Server
let baseUrl: string

beforeAll(async () => {
  server = http.createServer((request, response) => {
    seen.push(request.url ?? "")
    request.resume()
    request.on("end", () => {
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const transports: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["undici (NodeHttpClient)", NodeHttpClient.layer],
  ["fetch (FetchHttpClient)", FetchHttpClient.layer]
]

const figures = { tried: 0, rejected: 0, sentOnRoute: 0, offRoute: 0 }

const attempt = async (
  transport: Layer.Layer<HttpClient.HttpClient>,
  name: keyof Posts.All,
  param: string,
  rest: Record<string, unknown>,
  token: string
) => {
  const layer = KenarClient.layer({ baseUrl, retry: false, timeout: "5 seconds" }).pipe(
    Layer.provide(KenarAuth.layer({ apiKey: "path-test-key", accessToken: "path-test-token" })),
    Layer.provide(transport)
  )
  const operation = Posts.all[name] as unknown as (
    input: unknown
  ) => Effect.Effect<unknown, KenarError.KenarError, KenarClient.KenarClient>
  const definition = Posts.all[name].definition as Operation.Any
  const before = seen.length
  const exit = await Effect.runPromiseExit(operation({ ...rest, [param]: token }).pipe(Effect.provide(layer)))
  const received = seen.slice(before)
  figures.tried++
  const reason = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined
  const error = reason?._tag === "Fail" ? reason.error : undefined
  if (error?._tag === "ValidationError") {
    figures.rejected++
    expect(received, `${name}(${JSON.stringify(token)}) reached the server`).toEqual([])
    expect(error.field).toBe(param)
    return
  }
  // sent: exactly one request, on the route, the token one segment that decodes back to itself
  expect(Exit.isSuccess(exit), `${name}(${JSON.stringify(token)}): ${String(exit)}`).toBe(true)
  expect(received).toHaveLength(1)
  const [template, after = ""] = definition.path.split(`{${param}}`)
  const url = received[0]!
  if (!(url.startsWith(template!) && url.endsWith(after))) figures.offRoute++
  expect(url.startsWith(template!) && url.endsWith(after)).toBe(true)
  const segment = url.slice(template!.length, url.length - after.length)
  expect(segment).not.toMatch(/[/?#]/)
  expect(decodeURIComponent(segment)).toBe(token)
  figures.sentOnRoute++
}

describe("path injection: a token never leaves its route", () => {
  for (const [transportName, transport] of transports) {
    describe(transportName, () => {
      for (const [name, param, rest] of withParams) {
        it(`${name}: hostile tokens are rejected before any I/O`, async () => {
          for (const token of hostile) await attempt(transport, name, param, rest, token)
        })
      }

      it("generated tokens: rejected before I/O, or sent on the route as one segment", async () => {
        const token = fc.oneof(
          fc.string({ unit: "grapheme", maxLength: 20 }),
          fc.string({ unit: "binary", maxLength: 20 }),
          fc.stringMatching(/^[A-Za-z0-9_-]{1,70}$/),
          fc
            .array(
              fc.constantFrom(
                "a",
                "Z",
                "9",
                "_",
                "-",
                "/",
                ".",
                "..",
                "?",
                "#",
                "%",
                "%2F",
                " ",
                "آ",
                "\u0000"
              ),
              {
                minLength: 1,
                maxLength: 12
              }
            )
            .map((parts) => parts.join(""))
        )
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...withParams), token, async ([name, param, rest], value) =>
            attempt(transport, name, param, rest, value)
          ),
          { numRuns: RUNS, seed: SEED }
        )
      })
    })
  }

  it("prints the figures", () => {
    console.log(
      `[path injection] ${figures.tried} calls with hostile or generated tokens over 2 transports: ${figures.rejected} rejected before I/O (server saw nothing), ${figures.sentOnRoute} sent on the intended route as one segment, ${figures.offRoute} off the route`
    )
    expect(figures.offRoute).toBe(0)
    expect(figures.rejected).toBeGreaterThan(0)
  })
})
