/**
 * A real node:http server on 127.0.0.1 (ephemeral port) for transport tests:
 * it records every request (method, url, headers, body, connection number)
 * and counts connections and socket closes.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"

export interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
  /** 1-based number of the connection the request came on. */
  readonly connection: number
}

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse, body: Buffer) => void

export interface TestServer {
  readonly url: string
  readonly port: number
  readonly seen: Array<Seen>
  /** Connections accepted so far. */
  readonly connections: () => number
  /** Sockets closed so far. */
  readonly closed: () => number
  /** Resolves when `n` sockets have closed. */
  readonly waitClosed: (n?: number) => Promise<void>
  /** Resolves when `n` requests have arrived (headers read; body may still come). */
  readonly waitRequests: (n?: number) => Promise<void>
  readonly close: () => Promise<void>
}

const json = (
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
) => {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers
  })
  response.end(text)
}

export { json as respondJson }

/**
 * Starts a server. With `raw: true` the handler is called as soon as the
 * headers arrive (the body is not read for it).
 */
export const startServer = async (
  handler: Handler,
  options: { readonly raw?: boolean } = {}
): Promise<TestServer> => {
  const seen: Array<Seen> = []
  let connections = 0
  let closed = 0
  let arrived = 0
  const closeWaiters: Array<{ n: number; resolve: () => void }> = []
  const requestWaiters: Array<{ n: number; resolve: () => void }> = []
  const connectionIds = new WeakMap<object, number>()
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (request, response) => {
    const connection = connectionIds.get(request.socket) ?? 0
    arrived++
    for (const waiter of requestWaiters.filter((w) => arrived >= w.n)) waiter.resolve()
    if (options.raw) {
      seen.push({
        method: request.method!,
        url: request.url!,
        headers: request.headers,
        body: Buffer.alloc(0),
        connection
      })
      handler(request, response, Buffer.alloc(0))
      return
    }
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const body = Buffer.concat(chunks)
      seen.push({ method: request.method!, url: request.url!, headers: request.headers, body, connection })
      handler(request, response, body)
    })
  })
  server.on("connection", (socket) => {
    connectionIds.set(socket, ++connections)
    socket.on("close", () => {
      closed++
      for (const waiter of closeWaiters.filter((w) => closed >= w.n)) waiter.resolve()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    connections: () => connections,
    closed: () => closed,
    waitClosed: (n = 1) =>
      closed >= n ? Promise.resolve() : new Promise((resolve) => closeWaiters.push({ n, resolve })),
    waitRequests: (n = 1) =>
      arrived >= n ? Promise.resolve() : new Promise((resolve) => requestWaiters.push({ n, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export const closedPort = async (): Promise<number> => {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
