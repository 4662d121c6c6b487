import { Agent, request as httpRequest, type IncomingMessage } from "node:http"
import { describe, expect, it } from "vitest"
import * as KenarSimulator from "../src/KenarSimulator.js"
import * as NodeSimulatorServer from "../src/NodeSimulatorServer.js"
import { apiKey, paths, setup } from "./utils.js"

interface Exchange {
  readonly status: number
  readonly headers: IncomingMessage["headers"]
  readonly body: string
  readonly reusedSocket: boolean
}

const exchange = (
  url: string,
  options: {
    method?: string
    headers?: Record<string, string>
    body?: Uint8Array | string
    agent?: Agent
  } = {}
) =>
  new Promise<Exchange>((resolve, reject) => {
    let written!: () => void
    // settle once the request is written too, so the socket is free for the next one
    const finished = new Promise<void>((settle) => {
      written = settle
    })
    const req = httpRequest(
      url,
      {
        method: options.method ?? "GET",
        headers: options.headers,
        ...(options.agent ? { agent: options.agent } : {})
      },
      (res) => {
        let body = ""
        res.setEncoding("utf8")
        res.on("data", (chunk: string) => {
          body += chunk
        })
        res.on("end", () =>
          finished.then(() =>
            resolve({ status: res.statusCode!, headers: res.headers, body, reusedSocket: req.reusedSocket })
          )
        )
      }
    )
    req.on("finish", written)
    req.on("error", reject)
    req.end(options.body)
  })

describe("NodeSimulatorServer", () => {
  it("binds 127.0.0.1 on an ephemeral port, and closes", async () => {
    const sim = KenarSimulator.make()
    const key = sim.addApp()
    const first = await NodeSimulatorServer.listen(sim)
    const second = await NodeSimulatorServer.listen(sim)
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(first.host).toBe("127.0.0.1")
    expect(first.port).toBeGreaterThan(0)
    expect(second.port).not.toBe(first.port)
    const response = await fetch(`${first.url}${paths.uploadUrls}`, { headers: { "x-api-key": key } })
    expect((await response.json()).image.url).toBe(`${first.url}/__upload/image`)
    await first.close()
    await second.close()
    await expect(fetch(`${first.url}${paths.uploadUrls}`)).rejects.toThrow()
  })

  it("keeps connections alive, even after an answer that did not read the request body", async () => {
    const h = await setup()
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const big = new Uint8Array(4 * 1024 * 1024).fill(0x20)
      const rejected = await exchange(`${h.server.url}${paths.submitV2}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: big,
        agent
      })
      expect(rejected.status).toBe(401)
      expect(rejected.headers.connection).toBe("keep-alive")
      const next = await exchange(`${h.server.url}${paths.uploadUrls}`, {
        headers: { "x-api-key": apiKey },
        agent
      })
      expect(next.status).toBe(200)
      expect(next.reusedSocket).toBe(true)
    } finally {
      agent.destroy()
    }
  })

  it("honours Connection: close", async () => {
    const h = await setup()
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const first = await exchange(`${h.server.url}${paths.uploadUrls}`, {
        headers: { "x-api-key": apiKey, connection: "close" },
        agent
      })
      expect(first.status).toBe(200)
      expect(first.headers.connection).toBe("close")
      const second = await exchange(`${h.server.url}${paths.uploadUrls}`, {
        headers: { "x-api-key": apiKey },
        agent
      })
      expect(second.status).toBe(200)
      expect(second.reusedSocket).toBe(false)
    } finally {
      agent.destroy()
    }
  })

  it("sends Content-Length and JSON, and echoes the Host it was reached at in upload URLs", async () => {
    const h = await setup()
    const answer = await exchange(`http://localhost:${h.server.port}${paths.uploadUrls}`, {
      headers: { "x-api-key": apiKey }
    })
    expect(Number(answer.headers["content-length"])).toBe(Buffer.byteLength(answer.body))
    expect(JSON.parse(answer.body).video.url).toBe(`http://localhost:${h.server.port}/__upload/video`)
  })

  it("close waits for a call in flight", async () => {
    let arrived!: () => void
    const inFlight = new Promise<void>((resolve) => {
      arrived = resolve
    })
    let release!: () => void
    const sim = KenarSimulator.make({
      sleep: () => {
        arrived()
        return new Promise<void>((resolve) => {
          release = resolve
        })
      }
    })
    const key = sim.addApp()
    sim.faults.inject({ kind: "latency", ms: 100, times: 1 })
    const server = await NodeSimulatorServer.listen(sim)
    const pending = fetch(`${server.url}${paths.uploadUrls}`, { headers: { "x-api-key": key } })
    await inFlight
    let done = false
    const closed = server.close().then(() => {
      done = true
    })
    await Promise.resolve()
    expect(done).toBe(false)
    release()
    expect((await pending).status).toBe(200)
    await closed
    expect(done).toBe(true)
  })
})
