/**
 * node:http <-> web `Request`/`Response` for the proxy: request bodies stream
 * in with backpressure, answers stream out, a client that goes away aborts
 * the request's signal, and raw request targets that try to leave their
 * route are refused before the URL parser can normalise them away.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { notFound, refusedTarget } from "./proxy.js"

const withoutBody = new Set(["GET", "HEAD"])

/** The request body as a web stream; `drain` discards what the handler did not read. */
const bodyOf = (req: IncomingMessage) => {
  let discard = false
  let ended = false
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on("data", (chunk: Buffer) => {
          if (discard) return
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          if ((controller.desiredSize ?? 0) <= 0) req.pause()
        })
        req.once("end", () => {
          ended = true
          if (!discard) controller.close()
        })
        req.once("error", (error) => {
          if (!discard) controller.error(error)
        })
        req.pause()
      },
      pull() {
        req.resume()
      },
      cancel() {
        discard = true
        req.resume()
      }
    },
    { highWaterMark: 256 * 1024, size: (chunk) => chunk.byteLength }
  )
  return {
    stream,
    ended: () => ended || req.readableEnded,
    drain: () => {
      discard = true
      req.resume()
    }
  }
}

const write = (res: ServerResponse, chunk: Uint8Array) =>
  new Promise<void>((resolve, reject) => {
    res.write(chunk, (error) => (error ? reject(error) : resolve()))
  })

const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer"
])

/** Sends a web `Response` on a node `ServerResponse`, streaming its body. */
export const sendResponse = async (res: ServerResponse, response: Response): Promise<void> => {
  const headers: Record<string, string | Array<string>> = {}
  response.headers.forEach((value, name) => {
    if (!hopByHop.has(name) && name !== "set-cookie") headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers["set-cookie"] = cookies
  res.writeHead(response.status, headers)
  if (response.body === null) {
    res.end()
    return
  }
  const reader = response.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      await write(res, value)
    }
    res.end()
  } catch {
    res.destroy()
  }
}

/**
 * A node:http listener over a web handler. `originalUrl` (Express mounts)
 * wins over `url`.
 */
export const toNodeListener =
  (handler: (request: Request) => Promise<Response>) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    const target = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "/"
    const body = bodyOf(req)
    const finish = (response: Response) => {
      // Whatever the handler did not read is discarded, so the connection can be reused.
      res.once("finish", () => {
        if (!body.ended()) body.drain()
      })
      return sendResponse(res, response)
    }
    if (refusedTarget(target)) {
      finish(notFound()).catch(() => res.destroy())
      return
    }
    const controller = new AbortController()
    res.once("close", () => {
      if (!res.writableFinished) controller.abort()
    })
    const method = req.method ?? "GET"
    const host = req.headers.host ?? "localhost"
    const protocol = (req.socket as { encrypted?: boolean }).encrypted === true ? "https" : "http"
    let request: Request
    try {
      const headers = new Headers()
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
      }
      const hasBody = !withoutBody.has(method)
      request = new Request(new URL(target, `${protocol}://${host}`), {
        method,
        headers,
        body: hasBody ? body.stream : null,
        signal: controller.signal,
        ...(hasBody ? { duplex: "half" } : {})
      } as RequestInit)
    } catch {
      finish(notFound()).catch(() => res.destroy())
      return
    }
    handler(request)
      .then(finish)
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" })
        res.end(JSON.stringify({ code: 13, message: "internal error", details: [] }))
      })
  }
