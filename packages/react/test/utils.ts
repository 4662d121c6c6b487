import { KenarAuth, KenarClient } from "@kenar/core"
import { KenarSimulator, NodeSimulatorServer } from "@kenar/testing"
import { QueryClient } from "@tanstack/react-query"
import { cleanup } from "@testing-library/react"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import { createElement, type ReactNode } from "react"
import { afterEach } from "vitest"
import { KenarProvider, type KenarProviderProps } from "../src/index.js"

const closers: Array<() => Promise<void> | void> = []

afterEach(async () => {
  cleanup()
  await Promise.all(closers.splice(0).map((close) => close()))
})

/** Fast SDK retries, so retry tests need no long waits. */
export const retry = { baseDelay: "1 millis", maxDelay: "5 millis", jitter: false } as const

export interface SetupOptions {
  /** Which transport the client uses: real HTTP on loopback (default) or the in-process one. */
  readonly transport?: "http" | "in-process"
  /** Send the demo user's access token with every call (default true). */
  readonly withAccessToken?: boolean
  /** Replaces the simulator's handler as seen by the in-process transport (to observe requests). */
  readonly spy?: (request: Request) => void
}

/**
 * A simulator with the demo data, served on loopback HTTP, and a browser-like
 * client layer for it (fetch transport, API key and the demo user's token).
 */
export const setup = async (options: SetupOptions = {}) => {
  // latency faults end with the test, so closing the server does not wait for them
  const sleeping = new Set<() => void>()
  const sim = KenarSimulator.make({
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer)
          sleeping.delete(wake)
          resolve()
        }
        const timer = setTimeout(wake, ms)
        sleeping.add(wake)
      })
  })
  const demo = KenarSimulator.seedDemo(sim)
  const server = await NodeSimulatorServer.listen(sim)
  closers.push(() => {
    for (const wake of sleeping) wake()
    return server.close()
  })
  const [published, waiting, review] = demo.posts as [string, string, string, ...Array<string>]
  const spied: KenarSimulator.KenarSimulator = {
    ...sim,
    handler: (request) => {
      options.spy?.(request)
      return sim.handler(request)
    }
  }
  const http: Layer.Layer<HttpClient.HttpClient> =
    options.transport === "in-process" ? KenarSimulator.layer(spied) : FetchHttpClient.layer
  const layer = KenarClient.layer({ baseUrl: server.url, retry }).pipe(
    Layer.provide(
      KenarAuth.layer({
        apiKey: demo.apiKey,
        accessToken: options.withAccessToken === false ? undefined : demo.accessToken
      })
    ),
    Layer.provide(http)
  )
  /** The calls of one operation the simulator saw (since the last `sim.clearRequests()`). */
  const requests = (operation?: string) =>
    sim.requests().filter((entry) => operation === undefined || entry.operation === operation)
  return { sim, demo, server, layer, published, waiting, review, requests }
}

export type Harness = Awaited<ReturnType<typeof setup>>

/** A QueryClient for one test, cleared afterwards. */
export const makeQueryClient = (options: ConstructorParameters<typeof QueryClient>[0] = {}) => {
  const queryClient = new QueryClient(options)
  closers.push(() => queryClient.clear())
  return queryClient
}

/** A wrapper giving children a KenarProvider. */
export const wrapperOf =
  (props: Omit<KenarProviderProps, "children">) =>
  ({ children }: { readonly children?: ReactNode }) =>
    createElement(KenarProvider, { ...props, children } as KenarProviderProps)

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A customized button Kenar accepts. */
export const button = {
  type: "ONLINE_CALL",
  action: { open_direct_link: "https://example.com/call" }
} as const

/** General data of a new post. */
export const generalData = {
  category_slug: "apartment-sell",
  title: "آپارتمان ۷۰ متری",
  description: "دو خواب، نورگیر.",
  images: [],
  city: "tehran",
  location_type: "LOCATION_TYPE_APPROXIMATE",
  hide_phone: false,
  chat_enabled: true
} as const

/** A few bytes that pass as a JPEG, padded to `size`. */
export const jpeg = (size = 16) => {
  const bytes = new Uint8Array(size)
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46])
  bytes[size - 2] = 0xff
  bytes[size - 1] = 0xd9
  return bytes
}

/** A few bytes that pass as an MP4. */
export const mp4 = (size = 64) => {
  const bytes = new Uint8Array(size)
  bytes.set([0x00, 0x00, 0x00, 0x18, ..."ftypisom".split("").map((c) => c.charCodeAt(0))])
  return bytes
}
