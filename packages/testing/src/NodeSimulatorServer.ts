/**
 * The simulator over real HTTP (node:http), on 127.0.0.1 and an ephemeral
 * port unless told otherwise.
 *
 * ```ts
 * const sim = KenarSimulator.make()
 * const server = await NodeSimulatorServer.listen(sim)
 * await fetch(`${server.url}/v2/open-platform/post/upload-urls`, { headers: { "x-api-key": apiKey } })
 * await server.close()
 * ```
 *
 * Reset faults reset the TCP connection (RST) without an answer; a
 * truncation fault sends half the body under the full Content-Length and
 * closes. Keep-alive and `Connection: close` behave as in Node's HTTP server.
 *
 * @since 0.1.0
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { sendWebResponse, toWebRequest } from "./internal/server.js"
import type { KenarSimulator } from "./KenarSimulator.js"

/**
 * A running server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Server {
  /** `http://<host>:<port>`, no trailing slash. */
  readonly url: string
  readonly host: string
  readonly port: number
  /** Stops accepting connections, closes idle ones and waits for the rest to finish. */
  readonly close: () => Promise<void>
}

/**
 * Options of {@link listen}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListenOptions {
  /** Default 0: an ephemeral port. */
  readonly port?: number
  /** Default `127.0.0.1`. */
  readonly host?: string
}

const isReset = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "ECONNRESET"

/**
 * Serves a simulator over HTTP.
 *
 * @since 0.1.0
 * @category constructors
 */
export const listen = (sim: KenarSimulator, options: ListenOptions = {}): Promise<Server> => {
  const host = options.host ?? "127.0.0.1"
  let closing = false
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    let web: ReturnType<typeof toWebRequest>
    try {
      web = toWebRequest(req, `${host}:${(server.address() as AddressInfo).port}`)
    } catch {
      res.writeHead(400, { "content-type": "application/json" })
      res.end(JSON.stringify({ code: 3, message: "bad request", details: [] }))
      return
    }
    let response: Response
    try {
      response = await sim.handler(web.request)
    } catch (error) {
      if (isReset(error)) {
        req.socket.resetAndDestroy()
        return
      }
      response = new Response(JSON.stringify({ code: 13, message: "internal error", details: [] }), {
        status: 500,
        headers: { "content-type": "application/json" }
      })
    }
    res.once("finish", web.drain)
    // once closing, answers end their connection instead of keeping it alive
    if (closing) res.shouldKeepAlive = false
    await sendWebResponse(res, response)
  }
  const server = createServer((req, res) => {
    // a failure here (a client gone mid-answer) must not bring the process down
    serve(req, res).catch(() => res.destroy())
  })
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject)
      const { port } = server.address() as AddressInfo
      const urlHost = host.includes(":") ? `[${host}]` : host
      resolve({
        url: `http://${urlHost}:${port}`,
        host,
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            closing = true
            server.close((error) => (error ? fail(error) : done()))
            server.closeIdleConnections()
          })
      })
    })
  })
}
