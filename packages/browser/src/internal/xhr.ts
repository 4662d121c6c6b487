/**
 * An Effect `HttpClient` over `XMLHttpRequest`, for uploads: it is the one
 * browser API that reports upload progress (`xhr.upload.onprogress`) for a
 * `Blob` body over HTTP/1.1 as well as HTTP/2. (A `fetch` with a streamed
 * body needs HTTP/2 in Chromium, and a `fetch` with a `Blob` body reports
 * nothing.)
 *
 * XHR follows redirects by itself and cannot be told not to: an answer that
 * came from another URL than the one asked is refused after the fact.
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"

export interface XhrOptions {
  readonly credentials: RequestCredentials
  /** Called as the browser hands the body over: bytes sent so far, and the total. */
  readonly onUploadProgress?: ((loaded: number, total: number | undefined) => void) | undefined
  /** Called when a request starts (once per attempt). */
  readonly onStart?: (() => void) | undefined
}

/** Headers a page may not set on an XHR (the browser sets them itself). */
const forbidden = new Set(["content-length", "user-agent", "host", "connection", "cookie", "accept-encoding"])

const parseHeaders = (raw: string): Headers => {
  const headers = new Headers()
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(":")
    if (colon <= 0) continue
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
    } catch {
      // a header the Headers class refuses is dropped
    }
  }
  return headers
}

const transportError = (request: HttpClientRequest.HttpClientRequest, description: string, cause?: unknown) =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.TransportError({ request, description, cause })
  })

const bodyOf = (
  request: HttpClientRequest.HttpClientRequest
): XMLHttpRequestBodyInit | null | HttpClientError.HttpClientError => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return null
    case "Raw":
      return body.body as XMLHttpRequestBodyInit
    case "Uint8Array":
      return body.body as Uint8Array<ArrayBuffer>
    case "FormData":
      return body.formData
    case "Stream":
      return new HttpClientError.HttpClientError({
        reason: new HttpClientError.EncodeError({
          request,
          description: "XMLHttpRequest cannot send a streamed body: pass a Blob"
        })
      })
  }
}

/** The XHR client. */
export const make = (options: XhrOptions): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal) => {
    const body = bodyOf(request)
    if (body instanceof HttpClientError.HttpClientError) return Effect.fail(body)
    return Effect.callback<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>(
      (resume) => {
        const xhr = new XMLHttpRequest()
        const onAbort = () => xhr.abort()
        const done = () => signal.removeEventListener("abort", onAbort)
        try {
          xhr.open(request.method, url.href)
          xhr.responseType = "arraybuffer"
          xhr.withCredentials = options.credentials === "include"
          for (const [name, value] of Object.entries(request.headers)) {
            if (!forbidden.has(name)) xhr.setRequestHeader(name, value)
          }
        } catch (cause) {
          resume(Effect.fail(transportError(request, "the request could not be opened", cause)))
          return
        }
        if (options.onUploadProgress !== undefined) {
          const report = options.onUploadProgress
          xhr.upload.onprogress = (event) =>
            report(event.loaded, event.lengthComputable ? event.total : undefined)
        }
        xhr.onload = () => {
          done()
          if (xhr.responseURL !== "" && xhr.responseURL !== url.href) {
            resume(
              Effect.fail(
                transportError(
                  request,
                  "the answer came from another URL (a redirect); uploads refuse redirects"
                )
              )
            )
            return
          }
          const status = xhr.status
          const bytes = xhr.response as ArrayBuffer | null
          const source = new Response(status === 204 || status === 304 || bytes === null ? null : bytes, {
            status,
            statusText: xhr.statusText,
            headers: parseHeaders(xhr.getAllResponseHeaders())
          })
          resume(Effect.succeed(HttpClientResponse.fromWeb(request, source)))
        }
        xhr.onerror = () => {
          done()
          resume(Effect.fail(transportError(request, "the upload failed (network error)")))
        }
        xhr.ontimeout = () => {
          done()
          resume(Effect.fail(transportError(request, "the upload timed out")))
        }
        xhr.onabort = () => {
          done()
          resume(Effect.fail(transportError(request, "the upload was aborted")))
        }
        signal.addEventListener("abort", onAbort, { once: true })
        options.onStart?.()
        xhr.send(body)
        return Effect.sync(() => {
          done()
          if (xhr.readyState !== XMLHttpRequest.DONE) xhr.abort()
        })
      }
    )
  })
