/**
 * A scripted transport for unit tests of the client's own logic (retry,
 * classification, spans): each request gets the next scripted answer, and
 * every request is recorded with the (test) clock's time. Integration tests
 * use the simulator over real HTTP instead.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import { KenarAuth, KenarClient, type KenarConfig } from "../../src/index.js"

export type Script =
  | { readonly status: number; readonly body?: string | object; readonly headers?: Record<string, string> }
  | { readonly fail: { readonly code: string } }
  | { readonly hang: true }

export interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
  readonly at: number
}

export const scripted = (script: ReadonlyArray<Script>, repeatLast = true) => {
  const requests: Array<Recorded> = []
  let index = 0
  const http = HttpClient.make((request: HttpClientRequest.HttpClientRequest) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => {
      const body =
        request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : undefined
      requests.push({ method: request.method, url: request.url, headers: { ...request.headers }, body, at })
      const i = index++
      const step = script[repeatLast ? Math.min(i, script.length - 1) : i]
      if (step === undefined) return Effect.die(new Error("script exhausted"))
      if ("hang" in step) return Effect.never
      if ("fail" in step) {
        const cause = Object.assign(new Error(`socket error ${step.fail.code}`), { code: step.fail.code })
        return Effect.fail(
          new HttpClientError.HttpClientError({
            reason: new HttpClientError.TransportError({ request, cause })
          })
        )
      }
      const text =
        step.body === undefined ? "" : typeof step.body === "string" ? step.body : JSON.stringify(step.body)
      return Effect.succeed(
        HttpClientResponse.fromWeb(
          request,
          new Response(text, {
            status: step.status,
            headers: { "content-type": "application/json", ...step.headers }
          })
        )
      )
    })
  )
  return { http, requests, layer: Layer.succeed(HttpClient.HttpClient, http) }
}

export const API_KEY = "test-api-key-5f2b9c"
export const ACCESS_TOKEN = "test-access-token-81d7e4"

/** A client over a scripted transport, with fixed credentials and no jitter. */
export const clientLayer = (
  transport: Layer.Layer<HttpClient.HttpClient>,
  options: KenarConfig.ClientOptions = {}
) =>
  KenarClient.layer({
    baseUrl: "http://kenar.test",
    retry: { jitter: false },
    ...options
  }).pipe(
    Layer.provide(KenarAuth.layer({ apiKey: API_KEY, accessToken: ACCESS_TOKEN })),
    Layer.provide(transport)
  )
