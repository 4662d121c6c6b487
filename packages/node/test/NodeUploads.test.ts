/**
 * Node uploads (file paths, Readables, Buffers) against the simulator over
 * real HTTP on loopback, through the undici transport.
 */
import * as fs from "node:fs"
import * as fsp from "node:fs/promises"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Readable } from "node:stream"
import { pathToFileURL } from "node:url"
import { PostEdit, Posts } from "@kenar/core"
import { KenarSimulator, NodeSimulatorServer } from "@kenar/testing"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { afterEach, describe, expect, it } from "vitest"
import * as Uploads from "../../core/src/Uploads.js"
import * as NodeUploads from "../src/NodeUploads.js"

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name)
const photoJpg = fixture("photo.jpg")
const photoPng = fixture("photo.png")
const clipMp4 = fixture("clip.mp4")
const notesTxt = fixture("notes.txt")
const emptyJpg = fixture("empty.jpg")

const apiKey = "sim_node_upload_key_abcdef0123"
const business = "Biz00001a"
const MiB = 1024 * 1024

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

interface SetupOptions {
  readonly uploadOrigin?: string
  readonly allowedHosts?: ReadonlyArray<string>
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
  const nodeOptions: NodeUploads.Options = {
    baseUrl: server.url,
    apiKey,
    retry: { baseDelay: 0, jitter: false },
    ...(options.allowedHosts === undefined ? {} : { allowedHosts: options.allowedHosts })
  }
  const layer = NodeUploads.layer(nodeOptions)
  const run = <A, E>(
    effect: Effect.Effect<A, E, Effect.Services<ReturnType<typeof NodeUploads.uploadImage>>>
  ) => Effect.runPromise(Effect.provide(effect, layer))
  const fail = async <A, E>(
    effect: Effect.Effect<A, E, Effect.Services<ReturnType<typeof NodeUploads.uploadImage>>>
  ) => {
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
        general_data: {
          category_slug: "apartment-sell",
          title: "آپارتمان ۷۰ متری",
          description: "نورگیر، بازسازی شده",
          city: "tehran",
          location_type: "LOCATION_TYPE_EXACT",
          hide_phone: false,
          chat_enabled: true,
          images: [],
          ...general
        } as any,
        category_fields: { size: 70, rooms: "دو" }
      })
    )
  return { sim, server, layer, nodeOptions, run, fail, uploadRequests, submitWith, owner }
}

/** A plain server that records what reaches it. */
const startServer = async (
  host: string,
  respond: (res: http.ServerResponse) => void = (res) => {
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
    req.once("end", () => respond(res))
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  )
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, seen }
}

/** A Readable that starts with `head` and then gives 16 KiB every millisecond, forever. */
const endlessReadable = (head: Uint8Array) => {
  let first = true
  const chunk = Buffer.alloc(16 * 1024, 7)
  return new Readable({
    read() {
      if (first) {
        first = false
        this.push(head)
        return
      }
      setTimeout(() => this.push(chunk), 1)
    }
  })
}

describe("NodeUploads against the simulator over undici", () => {
  it("a file path, a file: URL, a Readable and a Buffer; the paths are accepted by a submit", async () => {
    const h = await setup()
    const jpegBytes = await fsp.readFile(photoJpg)
    const fromPath = await h.run(NodeUploads.uploadImage(photoJpg))
    const fromUrl = await h.run(NodeUploads.uploadImage(pathToFileURL(photoPng)))
    const fromReadable = await h.run(
      NodeUploads.uploadImage(fs.createReadStream(photoPng, { highWaterMark: 100 }))
    )
    const fromBuffer = await h.run(NodeUploads.uploadImage(jpegBytes))
    const all = [fromPath, fromUrl, fromReadable, fromBuffer]
    expect(all.map((u) => [u.contentType, u.size])).toEqual([
      ["image/jpeg", jpegBytes.length],
      ["image/png", fs.statSync(photoPng).size],
      ["image/png", fs.statSync(photoPng).size],
      ["image/jpeg", jpegBytes.length]
    ])
    expect(h.sim.uploads().images.map((i) => i.bytes)).toEqual(all.map((u) => u.size))
    expect(h.uploadRequests().map((r) => [r.method, r.status, r.apiKey, r.accessToken])).toEqual(
      all.map(() => ["POST", 200, true, false])
    )
    const { post_token } = await h.submitWith({ images: all.map((u) => u.path) })
    expect(h.sim.post(post_token)!.general_data.images).toEqual(all.map((u) => u.path))
  })

  it("a video file (PUT) goes into an edit; the v1 flow takes a file path too", async () => {
    const h = await setup()
    const photo = await h.run(NodeUploads.uploadImageV1(photoJpg))
    expect(h.sim.requests().map((r) => [r.operation, r.apiKey])).toEqual([
      ["getImageUploadUrl", true],
      ["uploadImageV1", false]
    ])
    const { post_token } = await h.submitWith({ images: [photo.path] })
    const clip = await h.run(NodeUploads.uploadVideo(clipMp4))
    expect(clip).toMatchObject({ kind: "video", contentType: "video/mp4", size: fs.statSync(clipMp4).size })
    expect(h.uploadRequests().at(-1)).toMatchObject({ operation: "uploadVideo", method: "PUT", status: 200 })
    const accessToken = h.sim.issueToken({ user: h.owner, scopes: [`POST_EDIT.${post_token}`] })
    await h.run(
      Posts.editPostV2(
        { post_token, ...PostEdit.make({ general_data: { video: Uploads.postVideo(clip, 12) } }) },
        { accessToken }
      )
    )
    expect(h.sim.post(post_token)!.general_data.video).toEqual({
      name: clip.video_name,
      thumbnail_name: clip.thumbnail_name,
      duration: "12"
    })
  })

  it("bad inputs fail before any I/O: missing file, directory, empty file, text file, image as video", async () => {
    const h = await setup()
    const cases: ReadonlyArray<readonly [Effect.Effect<unknown, Uploads.UploadFailure, any>, string]> = [
      [NodeUploads.uploadImage(fixture("no-such-file.jpg")), "SourceFailed"],
      [NodeUploads.uploadImage(import.meta.dirname), "SourceFailed"],
      [NodeUploads.uploadImage(new URL("https://example.com/a.jpg")), "UnsupportedType"],
      [NodeUploads.uploadImage(emptyJpg), "EmptyInput"],
      [NodeUploads.uploadImage(fs.createReadStream(emptyJpg)), "EmptyInput"],
      [NodeUploads.uploadImage(notesTxt), "UnsupportedType"],
      [NodeUploads.uploadImage(fs.createReadStream(notesTxt)), "UnsupportedType"],
      [NodeUploads.uploadVideo(photoJpg), "TypeMismatch"],
      [NodeUploads.uploadImage(clipMp4), "TypeMismatch"],
      [NodeUploads.uploadImage(fs.createReadStream(photoJpg, { encoding: "latin1" })), "SourceFailed"],
      [NodeUploads.uploadMany([{ input: photoJpg }, { input: notesTxt }]), "UnsupportedType"]
    ]
    for (const [effect, reason] of cases) {
      expect(await h.fail(effect)).toMatchObject({ _tag: "UploadError", reason })
    }
    const missing = await h.fail(NodeUploads.uploadImage(fixture("no-such-file.jpg")))
    expect(missing.message).toContain("ENOENT")
    expect(h.sim.requests()).toEqual([])
  })

  it("a 256 MiB file is streamed from disk with flat memory", async () => {
    const dir = await fsp.mkdtemp(join(tmpdir(), "kenar-upload-"))
    const file = join(dir, "big.mp4")
    const size = 256 * MiB
    try {
      const handle = await fsp.open(file, "w")
      const block = Buffer.alloc(MiB, 0x5a)
      block.set(fs.readFileSync(clipMp4).subarray(0, 32), 0)
      await handle.write(block)
      block.fill(0x5a, 0, 32)
      for (let written = MiB; written < size; written += MiB) await handle.write(block)
      await handle.close()
      expect(fs.statSync(file).size).toBe(size)

      const h = await setup()
      const before = process.memoryUsage()
      let peakRss = before.rss
      let peakArrayBuffers = before.arrayBuffers
      const sample = () => {
        const now = process.memoryUsage()
        peakRss = Math.max(peakRss, now.rss)
        peakArrayBuffers = Math.max(peakArrayBuffers, now.arrayBuffers)
      }
      const timer = setInterval(sample, 20)
      let events = 0
      let last: Uploads.Progress | undefined
      const started = Date.now()
      const clip = await h
        .run(
          NodeUploads.uploadVideo(file, {
            onProgress: (p) => {
              if (last !== undefined && p.sent < last.sent) throw new Error("progress went back")
              last = p
              if (++events % 256 === 0) sample()
            }
          })
        )
        .finally(() => clearInterval(timer))
      const seconds = (Date.now() - started) / 1000
      sample()
      const after = process.memoryUsage()
      const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`
      console.log(
        `[NodeUploads] 256 MiB file in ${seconds.toFixed(2)} s (${(256 / seconds).toFixed(0)} MiB/s), ${events} progress events; ` +
          `rss before ${mib(before.rss)}, peak ${mib(peakRss)} (+${mib(peakRss - before.rss)}), after ${mib(after.rss)}; ` +
          `arrayBuffers before ${mib(before.arrayBuffers)}, peak ${mib(peakArrayBuffers)} (+${mib(peakArrayBuffers - before.arrayBuffers)}), after ${mib(after.arrayBuffers)}`
      )
      expect(clip.size).toBe(size)
      expect(last).toEqual({ sent: size, total: size, attempt: 1 })
      expect(h.sim.uploads().videos.map((v) => v.bytes)).toEqual([size])
      expect(peakRss - before.rss).toBeLessThan(64 * MiB)
      expect(peakArrayBuffers - before.arrayBuffers).toBeLessThan(64 * MiB)
    } finally {
      await fsp.rm(dir, { recursive: true, force: true })
    }
  }, 120_000)

  it("retries a file path on 503 (opened again) but sends a Readable once", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "status", status: 503, times: 2, operation: "uploadImage" })
    const events: Array<Uploads.Progress> = []
    const photo = await h.run(NodeUploads.uploadImage(photoJpg, { onProgress: (p) => events.push(p) }))
    expect(photo.size).toBe(fs.statSync(photoJpg).size)
    expect(h.uploadRequests().map((r) => r.status)).toEqual([503, 503, 200])
    expect(events.at(-1)).toEqual({ sent: photo.size, total: photo.size, attempt: 3 })

    h.sim.clearRequests()
    h.sim.faults.inject({ kind: "reset-before", times: 1, operation: "uploadImage" })
    await h.run(NodeUploads.uploadImage(photoPng))
    expect(h.uploadRequests().map((r) => r.status)).toEqual([undefined, 200])

    h.sim.clearRequests()
    h.sim.faults.inject({ kind: "status", status: 503, times: 1, operation: "uploadImage" })
    expect(await h.fail(NodeUploads.uploadImage(fs.createReadStream(photoJpg)))).toMatchObject({
      _tag: "UnavailableError"
    })
    expect(h.uploadRequests().map((r) => r.status)).toEqual([503])

    h.sim.clearRequests()
    h.sim.faults.inject({ kind: "status", status: 429, times: 5, operation: "uploadImage" })
    expect(
      await h.fail(NodeUploads.uploadImage(photoJpg, { retry: { maxRetries: 2, baseDelay: 0 } }))
    ).toMatchObject({ _tag: "RateLimitedError" })
    expect(h.uploadRequests()).toHaveLength(3)
  })

  it("an upload URL on another host is refused, and that host sees no request", async () => {
    const decoy = await startServer("127.0.0.2")
    const h = await setup({ uploadOrigin: decoy.url })
    const error = await h.fail(NodeUploads.uploadVideo(clipMp4))
    expect(error).toMatchObject({ _tag: "UploadError", reason: "UntrustedHost", host: "127.0.0.2" })
    expect(JSON.stringify(error)).not.toContain(apiKey)
    expect(decoy.seen).toEqual([])
  })

  it("a redirect is not followed: the key never reaches the other host", async () => {
    const decoy = await startServer("127.0.0.2")
    for (const status of [301, 302, 307, 308]) {
      const redirector = await startServer("127.0.0.1", (res) => {
        res.writeHead(status, { location: `${decoy.url}/__upload/image` })
        res.end()
      })
      const h = await setup({ uploadOrigin: redirector.url })
      expect(await h.fail(NodeUploads.uploadImage(photoJpg))).toMatchObject({
        reason: "Redirected",
        httpStatus: status,
        host: "127.0.0.2"
      })
      expect(redirector.seen).toHaveLength(1)
    }
    expect(decoy.seen).toEqual([])
  })

  it("interrupting aborts the upload: the server sees the request end early, the Readable is destroyed", async () => {
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
    const jpeg = (await fsp.readFile(photoJpg)).subarray(0, 64)
    const readable = endlessReadable(jpeg)
    let sent = 0
    const exit = await Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          NodeUploads.uploadImage(readable, { onProgress: (p) => (sent = p.sent) })
        )
        while (sent < 512 * 1024) yield* Effect.sleep("5 millis")
        yield* Fiber.interrupt(fiber)
        return yield* Fiber.await(fiber)
      }).pipe(Effect.provide(h.layer))
    )
    expect(Exit.hasInterrupts(exit)).toBe(true)
    await expect.poll(() => ended.length, { timeout: 5000 }).toBe(1)
    expect(ended[0]).toMatch(/^500 .*internal error/)
    await expect.poll(() => readable.destroyed, { timeout: 2000 }).toBe(true)
    expect(h.sim.uploads().images).toEqual([])
  })

  it("uploadMany of files: one URL fetch, at most `concurrency` uploads in flight", async () => {
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
    h.sim.faults.inject({ kind: "latency", ms: 50 })
    const files = [photoJpg, photoPng, clipMp4, photoJpg, photoPng, photoJpg, photoPng]
    const results = await h.run(
      NodeUploads.uploadMany(
        files.map((input) => ({ input })),
        { concurrency: 3 }
      )
    )
    expect(results.map((r) => r.kind)).toEqual([
      "image",
      "image",
      "video",
      "image",
      "image",
      "image",
      "image"
    ])
    expect(maxInFlight).toBe(3)
    expect(h.sim.requests().filter((r) => r.operation === "getUploadUrls")).toHaveLength(1)
    expect(h.uploadRequests()).toHaveLength(files.length)
  })

  it("the Promise API over files, with an AbortSignal", async () => {
    const h = await setup()
    const uploads = NodeUploads.makePromise(h.nodeOptions)
    closers.push(() => uploads.dispose())
    const [photo, clip] = await Promise.all([uploads.uploadImage(photoJpg), uploads.uploadVideo(clipMp4)])
    expect(photo.path).toMatch(/\.jpg$/)
    expect(clip.video_name).toMatch(/\.mp4$/)
    const many = await uploads.uploadMany([
      { input: photoPng },
      { input: Buffer.from(fs.readFileSync(photoJpg)) }
    ])
    expect(many.map((u) => u.contentType)).toEqual(["image/png", "image/jpeg"])
    await expect(uploads.uploadImage(notesTxt)).rejects.toMatchObject({ reason: "UnsupportedType" })
    const controller = new AbortController()
    const readable = endlessReadable((await fsp.readFile(photoJpg)).subarray(0, 64))
    await expect(
      uploads.uploadImage(readable, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.sent > 128 * 1024) controller.abort()
        }
      })
    ).rejects.toMatchObject({ _tag: "AbortedError" })
    await expect.poll(() => readable.destroyed, { timeout: 2000 }).toBe(true)
  })
})
