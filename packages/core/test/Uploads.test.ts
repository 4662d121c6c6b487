/**
 * Uploads against the simulator over real HTTP on loopback, through the
 * runtime-neutral `fetch` transport.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { afterEach, describe, expect, expectTypeOf, it } from "vitest"
import { KenarSimulator, NodeSimulatorServer } from "../../testing/src/index.js"
import { checkTarget, decideType, hostAllowed, sniff } from "../src/internal/upload.js"
import * as KenarAuth from "../src/KenarAuth.js"
import * as KenarClient from "../src/KenarClient.js"
import type { CommonError, KenarError } from "../src/KenarError.js"
import * as PostEdit from "../src/PostEdit.js"
import type * as PostSchema from "../src/PostSchema.js"
import * as Posts from "../src/Posts.js"
import * as Uploads from "../src/Uploads.js"

// -----------------------------------------------------------------------------
// fixtures
// -----------------------------------------------------------------------------

const text = (s: string) => new TextEncoder().encode(s)
const concat = (...parts: ReadonlyArray<Uint8Array>) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
const filler = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)

const jpeg = concat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), text("JFIF"), filler(200))
const png = concat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), filler(300))
const webp = concat(text("RIFF"), new Uint8Array([26, 0, 0, 0]), text("WEBPVP8 "), filler(100))
const mp4 = concat(new Uint8Array([0, 0, 0, 0x18]), text("ftypmp42"), filler(500))
const heic = concat(new Uint8Array([0, 0, 0, 0x18]), text("ftypheic"), filler(40))
const gif = concat(text("GIF89a"), filler(40))
const plainText = text("just some notes, not an image\n")

const apiKey = "sim_upload_test_key_0123456789"
const business = "Biz00001a"
const categoryFields = { size: 70, rooms: "دو" }
const generalData = {
  category_slug: "apartment-sell",
  title: "آپارتمان ۷۰ متری",
  description: "نورگیر، بازسازی شده",
  city: "tehran",
  location_type: "LOCATION_TYPE_EXACT",
  hide_phone: false,
  chat_enabled: true
} as const

const chunked = (bytes: Uint8Array, size: number): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size))
  return out
}
const readableOf = (chunks: ReadonlyArray<Uint8Array>) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    }
  })
async function* asyncChunks(chunks: ReadonlyArray<Uint8Array>) {
  for (const chunk of chunks) yield chunk
}

// -----------------------------------------------------------------------------
// harness
// -----------------------------------------------------------------------------

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

interface SetupOptions {
  /** Where the simulator's upload URLs point (default: itself). */
  readonly uploadOrigin?: string
  readonly allowedHosts?: ReadonlyArray<string>
  readonly uploaderApiKey?: string | undefined
  /** Wraps the simulator's handler (to count requests in flight). */
  readonly wrap?: (
    handler: (request: Request) => Promise<Response>
  ) => (request: Request) => Promise<Response>
}

const setup = async (options: SetupOptions = {}) => {
  const sim = KenarSimulator.make(options.uploadOrigin === undefined ? {} : { baseUrl: options.uploadOrigin })
  sim.addApp({ apiKey })
  const owner = sim.addUser({ id: "owner" })
  sim.addBusiness({ token: business, name: "املاک نمونه", owner })
  const handler = options.wrap === undefined ? sim.handler : options.wrap(sim.handler)
  const server = await NodeSimulatorServer.listen({ ...sim, handler })
  closers.push(() => server.close())
  const layer = Layer.mergeAll(
    KenarClient.layer({ baseUrl: server.url, retry: { baseDelay: 0, jitter: false } }),
    Uploads.layer({
      apiKey: "uploaderApiKey" in options ? options.uploaderApiKey : apiKey,
      ...(options.allowedHosts === undefined ? {} : { allowedHosts: options.allowedHosts })
    })
  ).pipe(
    // an access token in the client's auth must never reach an upload host
    Layer.provide(KenarAuth.layer({ apiKey, accessToken: "sim_at_not_for_uploads" })),
    Layer.provide(FetchHttpClient.layer)
  )
  const run = <A, E>(effect: Effect.Effect<A, E, KenarClient.KenarClient | Uploads.Uploader>) =>
    Effect.runPromise(Effect.provide(effect, layer))
  const fail = async <A, E>(effect: Effect.Effect<A, E, KenarClient.KenarClient | Uploads.Uploader>) => {
    const exit = await Effect.runPromiseExit(Effect.provide(effect, layer))
    if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
    const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
    if (reason?._tag !== "Fail") throw new Error(`expected a typed failure: ${String(exit.cause)}`)
    return reason.error as Uploads.UploadFailure
  }
  const uploadRequests = () => sim.requests().filter((r) => r.operation?.startsWith("upload"))
  const submitWith = (general: Record<string, unknown>) =>
    run(
      Posts.submitPostV2({
        business_token: business,
        general_data: { ...generalData, images: [], ...general } as any,
        category_fields: categoryFields
      })
    )
  return { sim, server, layer, run, fail, uploadRequests, submitWith, owner }
}

/** A plain server that records what reaches it and answers with `respond`. */
const startServer = async (
  host: string,
  respond: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_, res) => {
    res.writeHead(200, { "content-type": "application/json" })
    res.end('{"path":"stolen.jpg"}')
  }
) => {
  const seen: Array<{ method: string; url: string; apiKey: boolean }> = []
  const server = http.createServer((req, res) => {
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      apiKey: req.headers["x-api-key"] !== undefined
    })
    req.resume()
    req.once("end", () => respond(req, res))
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as AddressInfo
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  )
  return { url: `http://${host}:${port}`, seen }
}

// -----------------------------------------------------------------------------
// tests
// -----------------------------------------------------------------------------

describe("content types", () => {
  it("recognises JPEG, PNG, WebP and MP4 by their magic bytes", () => {
    expect(sniff(jpeg)?.contentType).toBe("image/jpeg")
    expect(sniff(png)?.contentType).toBe("image/png")
    expect(sniff(webp)?.contentType).toBe("image/webp")
    expect(sniff(mp4)?.contentType).toBe("video/mp4")
    expect(sniff(heic)).toMatchObject({ kind: "image", supported: false })
    expect(sniff(gif)).toMatchObject({ kind: "image", supported: false })
    expect(sniff(plainText)).toBeUndefined()
    // a short prefix is not enough for a format whose magic is longer
    expect(sniff(png.subarray(0, 4))).toBeUndefined()
  })

  it("a given content type wins when it is of the right kind and does not contradict the bytes", () => {
    expect(decideType(png, "image/x-custom; q=1", "image")).toMatchObject({
      _tag: "Ok",
      contentType: "image/x-custom"
    })
    expect(decideType(plainText, "image/heic", "image")).toMatchObject({
      _tag: "Ok",
      contentType: "image/heic"
    })
    expect(decideType(jpeg, "video/mp4", "video")).toMatchObject({ _tag: "Refused", reason: "TypeMismatch" })
    expect(decideType(mp4, "video/mp4", "image")).toMatchObject({ _tag: "Refused", reason: "TypeMismatch" })
    expect(decideType(jpeg, "text/plain", "image")).toMatchObject({
      _tag: "Refused",
      reason: "UnsupportedType"
    })
    expect(decideType(jpeg, "image/jpeg\r\nx-evil: 1", "image")).toMatchObject({
      _tag: "Refused",
      reason: "UnsupportedType"
    })
    expect(decideType(heic, undefined, "image")).toMatchObject({ _tag: "Refused", reason: "UnsupportedType" })
    expect(decideType(mp4, undefined, undefined)).toMatchObject({ _tag: "Ok", kind: "video" })
  })
})

describe("allow-list", () => {
  const defaults = Uploads.DEFAULT_ALLOWED_HOSTS
  it("allows divar.ir and its subdomains, and the base URL host", () => {
    expect(hostAllowed("open-api.divar.ir", defaults)).toBe(true)
    expect(hostAllowed("divar.ir", defaults)).toBe(true)
    expect(hostAllowed("S100.Divar.IR.", defaults)).toBe(true)
    expect(hostAllowed("divar.ir.evil.com", defaults)).toBe(false)
    expect(hostAllowed("evildivar.ir", defaults)).toBe(false)
    expect(hostAllowed("example.com", defaults)).toBe(false)
    const base = "https://open-api.divar.ir"
    expect(
      checkTarget("https://divar.ir/v2/image-service/open-platform/image.post", base, defaults)._tag
    ).toBe("Ok")
    expect(checkTarget("https://proxy.example/up", "https://proxy.example", defaults)._tag).toBe("Ok")
  })

  it("refuses other hosts, plain http under an https API, credentials in the URL and non-URLs", () => {
    const base = "https://open-api.divar.ir"
    expect(checkTarget("https://uploads.example.com/x?sig=secret", base, defaults)).toMatchObject({
      reason: "UntrustedHost",
      host: "uploads.example.com"
    })
    expect(checkTarget("http://open-api.divar.ir/upload", base, defaults)).toMatchObject({
      reason: "InsecureUrl"
    })
    expect(checkTarget("http://127.0.0.1:9/upload", "http://127.0.0.1:8080", defaults)._tag).toBe("Ok")
    expect(checkTarget("https://u:p@divar.ir/upload", base, defaults)).toMatchObject({
      reason: "InvalidTarget"
    })
    expect(checkTarget("", base, defaults)).toMatchObject({ reason: "InvalidTarget" })
    expect(checkTarget("ftp://divar.ir/x", base, defaults)).toMatchObject({ reason: "InvalidTarget" })
    const refused = checkTarget("https://evil.example/x?sig=secret-signature", base, defaults)
    expect(JSON.stringify(refused)).not.toContain("secret-signature")
  })

  it("rejects malformed allow-list entries when the layer is made", () => {
    expect(() => Uploads.layer({ allowedHosts: ["https://divar.ir/"] })).toThrow(TypeError)
    expect(() => Uploads.layer({ allowedHosts: ["a.*.ir"] })).toThrow(TypeError)
    expect(() => Uploads.layer({ allowedHosts: ["*.divar.ir", "127.0.0.2", "localhost"] })).not.toThrow()
  })
})

describe("uploads over fetch against the simulator", () => {
  it("every core input: Uint8Array, Blob, ReadableStream, AsyncIterable and Stream; paths go into a submit", async () => {
    const h = await setup()
    const fromBytes = await h.run(Uploads.uploadImage(jpeg))
    const fromBlob = await h.run(Uploads.uploadImage(new Blob([png])))
    const fromReadable = await h.run(Uploads.uploadImage(readableOf(chunked(webp, 7))))
    const fromIterable = await h.run(Uploads.uploadImage(asyncChunks(chunked(jpeg, 5))))
    const fromStream = await h.run(Uploads.uploadImage(Stream.fromIterable(chunked(png, 3))))
    const all = [fromBytes, fromBlob, fromReadable, fromIterable, fromStream]
    expect(all.map((u) => u.contentType)).toEqual([
      "image/jpeg",
      "image/png",
      "image/webp",
      "image/jpeg",
      "image/png"
    ])
    expect(all.map((u) => u.size)).toEqual([jpeg.length, png.length, webp.length, jpeg.length, png.length])
    for (const upload of all) expect(upload.path).toMatch(/\.(jpg|png|webp)$/)
    // the simulator kept exactly these bytes (size and the same type it sniffed)
    expect(h.sim.uploads().images.map((i) => [i.path, i.bytes, i.contentType])).toEqual(
      all.map((u) => [u.path, u.size, u.contentType])
    )
    // the key went along, never an Authorization header
    expect(h.uploadRequests().map((r) => [r.operation, r.method, r.status, r.apiKey, r.accessToken])).toEqual(
      all.map(() => ["uploadImage", "POST", 200, true, false])
    )
    const { post_token } = await h.submitWith({ images: Uploads.imagePaths(all) })
    expect(h.sim.post(post_token)!.general_data.images).toEqual(all.map((u) => u.path))
  })

  it("a video (PUT), then used in an edit through Uploads.postVideo", async () => {
    const h = await setup()
    const photo = await h.run(Uploads.uploadImage(jpeg))
    const { post_token } = await h.submitWith({ images: [photo.path] })
    const clip = await h.run(Uploads.uploadVideo(new Blob([mp4], { type: "video/mp4" })))
    expect(clip).toMatchObject({ kind: "video", contentType: "video/mp4", size: mp4.length })
    expect(h.uploadRequests().at(-1)).toMatchObject({ operation: "uploadVideo", method: "PUT", status: 200 })
    const token = h.sim.issueToken({ user: h.owner, scopes: [`POST_EDIT.${post_token}`] })
    await Effect.runPromise(
      Posts.editPostV2(
        { post_token, ...PostEdit.make({ general_data: { video: Uploads.postVideo(clip, 33.6) } }) },
        { accessToken: token }
      ).pipe(Effect.provide(h.layer))
    )
    expect(h.sim.post(post_token)!.general_data.video).toEqual({
      name: clip.video_name,
      thumbnail_name: clip.thumbnail_name,
      duration: "34"
    })
    expect(() => Uploads.postVideo(clip, -1)).toThrow(RangeError)
  })

  it("the deprecated v1 flow: a pre-signed URL, no API key with the bytes; the path is accepted", async () => {
    const h = await setup()
    const upload = await h.run(Uploads.uploadImageV1(png))
    expect(upload).toMatchObject({ kind: "image", contentType: "image/png", size: png.length })
    expect(h.sim.requests().map((r) => [r.operation, r.apiKey])).toEqual([
      ["getImageUploadUrl", true],
      ["uploadImageV1", false]
    ])
    const { post_token } = await h.submitWith({ images: [upload.path] })
    expect(h.sim.post(post_token)!.general_data.images).toEqual([upload.path])
  })

  it("bodyMode 'whole' sends bytes and Blobs in one piece", async () => {
    const h = await setup()
    const events: Array<Uploads.Progress> = []
    const upload = await h.run(
      Uploads.uploadImage(new Blob([jpeg]), { bodyMode: "whole", onProgress: (p) => events.push(p) })
    )
    expect(upload.size).toBe(jpeg.length)
    expect(events).toEqual([
      { sent: 0, total: jpeg.length, attempt: 1 },
      { sent: jpeg.length, total: jpeg.length, attempt: 1 }
    ])
  })

  it("rejects bad inputs before any I/O: empty, text, image bytes as a video, video as an image, HEIC", async () => {
    const h = await setup()
    const cases: ReadonlyArray<readonly [Effect.Effect<unknown, Uploads.UploadFailure, any>, string]> = [
      [Uploads.uploadImage(new Uint8Array()), "EmptyInput"],
      [Uploads.uploadImage(new Blob([])), "EmptyInput"],
      [Uploads.uploadImage(readableOf([])), "EmptyInput"],
      [Uploads.uploadImage(asyncChunks([new Uint8Array(), new Uint8Array()])), "EmptyInput"],
      [Uploads.uploadImage(plainText), "UnsupportedType"],
      [Uploads.uploadImage(readableOf(chunked(plainText, 4))), "UnsupportedType"],
      [Uploads.uploadVideo(jpeg), "TypeMismatch"],
      [Uploads.uploadImage(mp4), "TypeMismatch"],
      [Uploads.uploadVideo(jpeg, { contentType: "video/mp4" }), "TypeMismatch"],
      [Uploads.uploadImage(jpeg, { contentType: "text/plain" }), "UnsupportedType"],
      [Uploads.uploadImage(heic), "UnsupportedType"],
      [Uploads.uploadImageV1(gif), "UnsupportedType"],
      [Uploads.uploadImage(jpeg, { size: 3 }), "SizeMismatch"],
      [Uploads.uploadImage(42 as any), "UnsupportedType"],
      [Uploads.uploadMany([{ input: jpeg }, { input: plainText }]), "UnsupportedType"]
    ]
    for (const [effect, reason] of cases) {
      const error = await h.fail(effect)
      expect(error).toBeInstanceOf(Uploads.UploadError)
      expect(error).toMatchObject({ _tag: "UploadError", reason, kind: "local" })
    }
    expect(await h.fail(Uploads.uploadImage(jpeg, { size: -1 }))).toMatchObject({
      _tag: "ValidationError",
      field: "size"
    })
    expect(await h.fail(Uploads.uploadMany([{ input: jpeg }], { concurrency: 0 }))).toMatchObject({
      _tag: "ValidationError",
      field: "concurrency"
    })
    // nothing reached the simulator: not the upload URLs, not an upload
    expect(h.sim.requests()).toEqual([])
  })

  it("a stream that gives more or fewer bytes than its declared size, or something else than bytes", async () => {
    const h = await setup()
    expect(
      await h.fail(Uploads.uploadImage(readableOf(chunked(jpeg, 50)), { size: jpeg.length + 10 }))
    ).toMatchObject({ reason: "SizeMismatch" })
    expect(await h.fail(Uploads.uploadImage(readableOf(chunked(jpeg, 50)), { size: 60 }))).toMatchObject({
      reason: "SizeMismatch"
    })
    expect(
      await h.fail(Uploads.uploadImage(Stream.make(jpeg, "not bytes" as unknown as Uint8Array)))
    ).toMatchObject({ reason: "SourceFailed" })
    expect(h.sim.uploads().images).toEqual([])
  })

  it("a source that fails to read is a SourceFailed error", async () => {
    const h = await setup()
    const broken = Stream.concat(Stream.make(jpeg.subarray(0, 20)), Stream.fail(new Error("disk on fire")))
    const error = await h.fail(Uploads.uploadImage(broken))
    expect(error).toMatchObject({ _tag: "UploadError", reason: "SourceFailed" })
    expect(error.message).toContain("disk on fire")
  })

  it("progress: monotonic, ending at the total; unknown sizes get the total at the end", async () => {
    const h = await setup()
    const big = concat(jpeg, filler(300_000))
    const events: Array<Uploads.Progress> = []
    await h.run(Uploads.uploadImage(big, { onProgress: (p) => events.push(p) }))
    expect(events.length).toBeGreaterThan(4)
    expect(events[0]).toEqual({ sent: 0, total: big.length, attempt: 1 })
    expect(events.at(-1)).toEqual({ sent: big.length, total: big.length, attempt: 1 })
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.sent).toBeGreaterThanOrEqual(events[i - 1]!.sent)

    const streamed: Array<Uploads.Progress> = []
    await h.run(
      Uploads.uploadImage(readableOf(chunked(big, 10_000)), { onProgress: (p) => streamed.push(p) })
    )
    expect(streamed.slice(0, -1).every((p) => p.total === undefined)).toBe(true)
    expect(streamed.at(-1)).toEqual({ sent: big.length, total: big.length, attempt: 1 })
  })

  it("retries a replayable body on 503 and a reset, with the Schedule; a one-shot stream is sent once", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "status", status: 503, times: 2, operation: "uploadImage" })
    const events: Array<Uploads.Progress> = []
    const upload = await h.run(Uploads.uploadImage(jpeg, { onProgress: (p) => events.push(p) }))
    expect(upload.size).toBe(jpeg.length)
    expect(h.uploadRequests().map((r) => r.status)).toEqual([503, 503, 200])
    expect(new Set(events.map((e) => e.attempt))).toEqual(new Set([1, 2, 3]))
    expect(events.at(-1)).toEqual({ sent: jpeg.length, total: jpeg.length, attempt: 3 })

    h.sim.clearRequests()
    h.sim.faults.inject({ kind: "reset-before", times: 1, operation: "uploadImage" })
    await h.run(Uploads.uploadImage(new Blob([png])))
    expect(h.uploadRequests().map((r) => r.status)).toEqual([undefined, 200])

    h.sim.clearRequests()
    h.sim.faults.inject({ kind: "status", status: 503, times: 1, operation: "uploadImage" })
    expect(await h.fail(Uploads.uploadImage(readableOf(chunked(jpeg, 64))))).toMatchObject({
      _tag: "UnavailableError",
      httpStatus: 503
    })
    expect(h.uploadRequests().map((r) => r.status)).toEqual([503])

    h.sim.clearRequests()
    h.sim.faults.inject({ kind: "status", status: 503, times: 1, operation: "uploadImage" })
    expect(await h.fail(Uploads.uploadImage(jpeg, { retry: false }))).toMatchObject({
      _tag: "UnavailableError"
    })
    expect(h.uploadRequests()).toHaveLength(1)
  })

  it("the host's own refusals come back as the SDK's API errors (not retried)", async () => {
    const h = await setup()
    // the caller's type wins, and the simulator says it does not match the bytes
    expect(await h.fail(Uploads.uploadImage(png, { contentType: "image/jpeg" }))).toMatchObject({
      _tag: "InvalidArgumentError",
      httpStatus: 400
    })
    const other = await setup({ uploaderApiKey: "not-a-known-key" })
    expect(await other.fail(Uploads.uploadImage(jpeg))).toMatchObject({ _tag: "UnauthenticatedError" })
    expect(other.uploadRequests()).toHaveLength(1)
  })

  it("without an API key: a CredentialError, and no upload is sent", async () => {
    const h = await setup({ uploaderApiKey: undefined })
    expect(await h.fail(Uploads.uploadImage(jpeg))).toMatchObject({
      _tag: "CredentialError",
      credential: "apiKey"
    })
    expect(h.uploadRequests()).toEqual([])
  })

  it("an upload URL on another host is refused and that host sees nothing; allowedHosts lets it through", async () => {
    const decoy = await startServer("127.0.0.2")
    const h = await setup({ uploadOrigin: decoy.url })
    const error = await h.fail(Uploads.uploadImage(jpeg))
    expect(error).toMatchObject({ _tag: "UploadError", reason: "UntrustedHost", host: "127.0.0.2" })
    expect(JSON.stringify(error)).not.toContain(apiKey)
    expect(String(error)).not.toContain(apiKey)
    expect(decoy.seen).toEqual([])
    // v1 too
    expect(await h.fail(Uploads.uploadImageV1(jpeg))).toMatchObject({ reason: "UntrustedHost" })
    expect(decoy.seen).toEqual([])

    const trusting = await setup({ uploadOrigin: decoy.url, allowedHosts: ["127.0.0.2"] })
    expect(await trusting.run(Uploads.uploadImageV1(jpeg))).toMatchObject({ path: "stolen.jpg" })
    expect(decoy.seen).toHaveLength(1)
  })

  it("a redirect from the upload host is not followed with the key (fetch: redirect 'manual')", async () => {
    const decoy = await startServer("127.0.0.2")
    const redirector = await startServer("127.0.0.1", (_, res) => {
      res.writeHead(307, { location: `${decoy.url}/__upload/image` })
      res.end()
    })
    const h = await setup({ uploadOrigin: redirector.url })
    const error = await h.fail(Uploads.uploadImage(jpeg))
    expect(error).toMatchObject({
      _tag: "UploadError",
      reason: "Redirected",
      httpStatus: 307,
      host: "127.0.0.2"
    })
    expect(redirector.seen).toEqual([{ method: "POST", url: "/__upload/image", apiKey: true }])
    expect(decoy.seen).toEqual([])
  })

  it("uploadMany: URLs fetched once, bounded concurrency, results in input order", async () => {
    let inFlight = 0
    let maxInFlight = 0
    const h = await setup({
      wrap: (handler) => async (request) => {
        const upload = new URL(request.url).pathname.startsWith("/__upload/")
        if (upload) maxInFlight = Math.max(maxInFlight, ++inFlight)
        try {
          return await handler(request)
        } finally {
          if (upload) inFlight--
        }
      }
    })
    h.sim.faults.inject({ kind: "latency", ms: 60, operation: "uploadImage" })
    const inputs = [jpeg, png, webp, jpeg, png, webp]
    const results = await h.run(
      Uploads.uploadMany([...inputs.map((input) => ({ input })), { input: mp4 }], { concurrency: 2 })
    )
    expect(results.map((r) => r.contentType)).toEqual([
      "image/jpeg",
      "image/png",
      "image/webp",
      "image/jpeg",
      "image/png",
      "image/webp",
      "video/mp4"
    ])
    expect(maxInFlight).toBe(2)
    expect(h.sim.requests().filter((r) => r.operation === "getUploadUrls")).toHaveLength(1)
    expect(h.uploadRequests()).toHaveLength(7)
    expect(await h.run(Uploads.uploadMany([]))).toEqual([])
  })

  it("interrupting the fiber aborts the upload: the server sees the request end early", async () => {
    const ended: Array<string> = []
    const h = await setup({
      wrap: (handler) => async (request) => {
        const response = await handler(request)
        if (new URL(request.url).pathname.startsWith("/__upload/")) {
          ended.push(`${response.status} ${(await response.clone().text()).slice(0, 80)}`)
        }
        return response
      }
    })
    let sent = 0
    // an endless stream of bytes after a JPEG header: only interruption ends it
    const endless = Stream.concat(
      Stream.make(jpeg),
      Stream.fromEffectRepeat(Effect.as(Effect.sleep("1 millis"), filler(16 * 1024)))
    )
    const exit = await Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          Uploads.uploadImage(endless, { onProgress: (p) => (sent = p.sent) })
        )
        while (sent < 256 * 1024) yield* Effect.sleep("5 millis")
        yield* Fiber.interrupt(fiber)
        return yield* Fiber.await(fiber)
      }).pipe(Effect.provide(h.layer))
    )
    expect(Exit.hasInterrupts(exit)).toBe(true)
    await expect.poll(() => ended.length, { timeout: 5000 }).toBe(1)
    expect(ended[0]).toMatch(/^500 .*internal error/)
    expect(h.sim.uploads().images).toEqual([])
  })

  it("the Promise API: results, typed rejections, and an AbortSignal", async () => {
    const h = await setup()
    const uploads = Uploads.makePromise(h.layer)
    closers.push(() => uploads.dispose())
    const photo = await uploads.uploadImage(jpeg)
    expect(photo.path).toMatch(/\.jpg$/)
    await expect(uploads.uploadVideo(jpeg)).rejects.toMatchObject({
      _tag: "UploadError",
      reason: "TypeMismatch"
    })
    const controller = new AbortController()
    const endless = Stream.concat(
      Stream.make(jpeg),
      Stream.fromEffectRepeat(Effect.as(Effect.sleep("1 millis"), filler(16 * 1024)))
    )
    const pending = uploads.uploadImage(endless, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.sent > 64 * 1024) controller.abort()
      }
    })
    await expect(pending).rejects.toMatchObject({ _tag: "AbortedError" })
    await expect(uploads.uploadImage(jpeg, { signal: controller.signal })).rejects.toMatchObject({
      _tag: "AbortedError"
    })
  })

  it("a per-attempt timeout fails with a Timeout TransportError", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "latency", ms: 500, operation: "uploadImage" })
    expect(await h.fail(Uploads.uploadImage(jpeg, { timeout: "50 millis", retry: false }))).toMatchObject({
      _tag: "TransportError",
      reason: "Timeout",
      operation: "uploadImage"
    })
  })

  it("a Stream said to be replayable is opened again for a retry", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "status", status: 503, times: 1, operation: "uploadImage" })
    const source = Uploads.fromStream(Stream.fromIterable(chunked(jpeg, 10)), { replayable: true })
    const upload = await h.run(Uploads.uploadImage(source))
    expect(upload.size).toBe(jpeg.length)
    expect(h.uploadRequests().map((r) => r.status)).toEqual([503, 200])
  })

  it("works with only a KenarClient: its transport and API key, never its access token", async () => {
    const sim = KenarSimulator.make()
    sim.addApp({ apiKey })
    const server = await NodeSimulatorServer.listen(sim)
    closers.push(() => server.close())
    const layer = KenarClient.layer({ baseUrl: server.url }).pipe(
      Layer.provide(KenarAuth.layer({ apiKey, accessToken: "sim_at_not_for_uploads" })),
      Layer.provide(FetchHttpClient.layer)
    )
    const upload = await Effect.runPromise(Effect.provide(Uploads.uploadImage(jpeg), layer))
    expect(upload.path).not.toBe("")
    const sent = sim.requests().filter((r) => r.operation === "uploadImage")
    expect(sent).toMatchObject([{ apiKey: true, accessToken: false, status: 200 }])
  })

  it("public types: results, the error union, the requirements", () => {
    type R = KenarClient.KenarClient
    expectTypeOf(Uploads.uploadImage(jpeg)).toEqualTypeOf<
      Effect.Effect<Uploads.ImageUpload, Uploads.UploadFailure, R>
    >()
    expectTypeOf(Uploads.uploadVideo(mp4)).toEqualTypeOf<
      Effect.Effect<Uploads.VideoUpload, Uploads.UploadFailure, R>
    >()
    expectTypeOf(Uploads.uploadMany([])).toEqualTypeOf<
      Effect.Effect<Array<Uploads.ImageUpload | Uploads.VideoUpload>, Uploads.UploadFailure, R>
    >()
    expectTypeOf<Uploads.UploadFailure["_tag"]>().toEqualTypeOf<"UploadError" | CommonError["_tag"]>()
    expectTypeOf(Uploads.postVideo).returns.toEqualTypeOf<PostSchema.PostVideo>()
    expectTypeOf<Uploads.UploadError["reason"]>().toEqualTypeOf<Uploads.UploadErrorReason>()
  })

  it("errors never carry the API key", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "status", status: 503, times: 10, operation: "uploadImage" })
    const errors: Array<Uploads.UploadFailure | KenarError> = [
      await h.fail(Uploads.uploadImage(jpeg, { retry: { maxRetries: 1, baseDelay: 0 } })),
      await h.fail(Uploads.uploadVideo(jpeg))
    ]
    for (const error of errors) {
      expect(JSON.stringify(error)).not.toContain(apiKey)
      expect(String(error)).not.toContain(apiKey)
      expect(String((error as { stack?: string }).stack)).not.toContain(apiKey)
    }
  })
})
