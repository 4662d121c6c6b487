/**
 * `@kenar/node` turns on `KenarDecoding`'s fast path whenever it builds a
 * client, also over an `HttpClient` of the user's (not only over its own
 * transport). (Each test file runs in a fresh module graph, so the path
 * starts off here.)
 */
import { KenarDecoding } from "@kenar/core"
import { describe, expect, it } from "vitest"
import { NodeKenarClient } from "../src/index.js"

describe("the fast decoding path on Node", () => {
  it("is turned on by building a client layer over any HttpClient", () => {
    expect(KenarDecoding.isFastPathEnabled()).toBe(false)
    NodeKenarClient.layerWithoutHttpClient({ apiKey: "k", baseUrl: "http://127.0.0.1:1" })
    expect(KenarDecoding.isFastPathEnabled()).toBe(true)
  })
})
