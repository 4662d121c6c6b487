/**
 * node:http <-> web handler: request bodies stream in with backpressure,
 * answers stream out, and reset faults destroy the socket.
 */
import type { IncomingMessage, ServerResponse } from "node:http"

const withoutBody = new Set(["GET", "HEAD"])

/** The request body as a web stream; `drain` discards whatever the handler did not read. */
const bodyOf = (req: IncomingMessage) => {
  let discard = false
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on("data", (chunk: Buffer) => {
          if (discard) return
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          if ((controller.desiredSize ?? 0) <= 0) req.pause()
        })
        req.once("end", () => discard || controller.close())
        req.once("error", (error) => discard || controller.error(error))
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
    drain: () => {
      discard = true
      req.resume()
    }
  }
}

/** Builds the web `Request` of an incoming message. */
export const toWebRequest = (req: IncomingMessage, fallbackHost: string) => {
  const headers = new Headers()
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
  }
  const method = req.method ?? "GET"
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? fallbackHost}`)
  const hasBody =
    !withoutBody.has(method) &&
    (req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0)
  const body = hasBody ? bodyOf(req) : undefined
  const request = new Request(url, {
    method,
    headers,
    body: body?.stream ?? null,
    ...(body === undefined ? {} : { duplex: "half" })
  } as RequestInit)
  return { request, drain: body?.drain ?? (() => req.resume()) }
}

const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade"])

const write = (res: ServerResponse, chunk: Uint8Array) =>
  new Promise<void>((resolve, reject) => res.write(chunk, (error) => (error ? reject(error) : resolve())))

/**
 * Sends a web `Response`. A body with a declared Content-Length is streamed;
 * if it fails midway (a truncation fault) the connection is closed after
 * what was sent. Other bodies are small JSON or HTML and sent whole.
 */
export const sendWebResponse = async (res: ServerResponse, response: Response): Promise<void> => {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    if (!hopByHop.has(name)) headers[name] = value
  })
  if (response.body === null || headers["content-length"] === undefined) {
    const bytes = new Uint8Array(await response.arrayBuffer())
    res.writeHead(response.status, { ...headers, "content-length": String(bytes.length) })
    res.end(bytes)
    return
  }
  res.writeHead(response.status, headers)
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
