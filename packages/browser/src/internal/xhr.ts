/**
 * The uploads' transport: `XMLHttpRequest`, the one browser API that reports
 * upload progress (`xhr.upload.onprogress`) for a `Blob` body over HTTP/1.1
 * as well as HTTP/2. (A `fetch` with a streamed body needs HTTP/2 in
 * Chromium, and a `fetch` with a `Blob` body reports nothing.) Each attempt
 * sends the request the executor built (URL, headers) with the file as body.
 *
 * XHR follows redirects by itself and cannot be told not to: an answer that
 * came from another URL than the one asked is refused after the fact.
 */
import * as KenarTransport from "@kenar/core/KenarTransport"
import * as Effect from "effect/Effect"

export interface XhrOptions {
  readonly credentials: RequestCredentials
  /** The body of every attempt. */
  readonly file: Blob
  /** Its media type (`Content-Type`). */
  readonly contentType: string
  /** Called as the browser hands the body over: bytes sent so far, and the total. */
  readonly onUploadProgress?: ((loaded: number, total: number | undefined) => void) | undefined
  /** Called when a request starts (once per attempt). */
  readonly onStart?: (() => void) | undefined
}

/** Headers a page may not set on an XHR (the browser sets them itself). */
const forbidden = new Set(["content-length", "user-agent", "host", "connection", "cookie", "accept-encoding"])

/** The answer's headers as a record with lower-case names. */
const parseHeaders = (raw: string): Record<string, string> => {
  const out: Record<string, string> = Object.create(null)
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(":")
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    const previous = out[name]
    out[name] = previous === undefined ? value : `${previous}, ${value}`
  }
  return out
}

/** The XHR transport for one upload. */
export const make = (options: XhrOptions): KenarTransport.KenarTransport["Service"] => ({
  send: (request, timeoutMillis) =>
    Effect.callback<KenarTransport.Answer, KenarTransport.Failure>((resume) => {
      const url = request.url
      const xhr = new XMLHttpRequest()
      let done = false
      const settle = (outcome: Effect.Effect<KenarTransport.Answer, KenarTransport.Failure>) => {
        if (done) return
        done = true
        cancelDeadline()
        resume(outcome)
      }
      const fail = (phase: KenarTransport.Failure["phase"], description: string | undefined) =>
        settle(
          Effect.fail(
            KenarTransport.failure(phase, description === undefined ? undefined : new Error(description))
          )
        )
      const cancelDeadline = KenarTransport.deadline(timeoutMillis, () => {
        fail("timeout", undefined)
        xhr.abort()
      })
      try {
        xhr.open(request.method, url)
        xhr.responseType = "text"
        xhr.withCredentials = options.credentials === "include"
        for (const [name, value] of Object.entries(request.headers)) {
          if (!forbidden.has(name)) xhr.setRequestHeader(name, value)
        }
        xhr.setRequestHeader("content-type", options.contentType)
      } catch (cause) {
        settle(Effect.fail(KenarTransport.failure("request", cause)))
        return
      }
      if (options.onUploadProgress !== undefined) {
        const report = options.onUploadProgress
        xhr.upload.onprogress = (event) =>
          report(event.loaded, event.lengthComputable ? event.total : undefined)
      }
      xhr.onload = () => {
        if (xhr.responseURL !== "" && xhr.responseURL !== new URL(url).href) {
          fail("request", "the answer came from another URL (a redirect); uploads refuse redirects")
          return
        }
        settle(
          Effect.succeed({
            status: xhr.status,
            headers: parseHeaders(xhr.getAllResponseHeaders()),
            text: xhr.responseText
          })
        )
      }
      xhr.onerror = () => fail("request", "the upload failed (network error)")
      xhr.onabort = () => fail("request", "the upload was aborted")
      options.onStart?.()
      xhr.send(options.file)
      return Effect.sync(() => {
        if (done) return
        done = true
        cancelDeadline()
        xhr.abort()
      })
    })
})
