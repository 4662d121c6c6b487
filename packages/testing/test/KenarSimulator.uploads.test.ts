import { describe, expect, it } from "vitest"
import {
  apiKey,
  categoryFields,
  generalData,
  jpeg,
  mp4,
  paths,
  png,
  setup,
  submit,
  uploadVideo,
  webp
} from "./utils.js"

const post = (url: string, body: BodyInit, headers: Record<string, string>, method = "POST") =>
  fetch(url, { method, headers, body })

describe("v2 uploads", () => {
  it("POST an image: { path, photo_url, thumbnail_url }; the path is then valid in a post", async () => {
    const h = await setup()
    const urls = (await h.call("GET", paths.uploadUrls)).json
    const response = await post(urls.image.url, jpeg, { "x-api-key": apiKey, "content-type": "image/jpeg" })
    expect(response.status).toBe(200)
    const body = await response.json()
    expect(Object.keys(body).sort()).toEqual(["path", "photo_url", "thumbnail_url"])
    expect(body.path).toMatch(/^[0-9a-f-]+\.jpg$/)
    expect(body.photo_url).toContain(h.server.url)
    expect(h.sim.uploads().images).toEqual([
      {
        path: body.path,
        contentType: "image/jpeg",
        bytes: jpeg.length,
        hash: expect.stringMatching(/^[0-9a-f]{8}$/)
      }
    ])
    const token = await submit(h, { general_data: generalData({ images: [body.path] }) })
    expect(h.sim.post(token)!.general_data.images).toEqual([body.path])
  })

  it("accepts PNG and WebP by their magic bytes", async () => {
    const h = await setup()
    for (const [bytes, type, ext] of [
      [png, "image/png", "png"],
      [webp, "image/webp", "webp"]
    ] as const) {
      const response = await post(`${h.server.url}/__upload/image`, bytes, {
        "x-api-key": apiKey,
        "content-type": type
      })
      expect((await response.json()).path).toMatch(new RegExp(`\\.${ext}$`))
    }
  })

  it("rejects what Kenar's upload would: no key, an Authorization header, wrong bytes or type, wrong method", async () => {
    const h = await setup()
    const url = `${h.server.url}/__upload/image`
    const check = async (response: Response, status: number, message: string | RegExp) => {
      const body = await response.json()
      expect(response.status).toBe(status)
      if (typeof message === "string") expect(body.message).toBe(message)
      else expect(body.message).toMatch(message)
    }
    await check(
      await post(url, jpeg, { "content-type": "image/jpeg" }),
      401,
      "missing API key (x-api-key header)"
    )
    await check(
      await post(url, jpeg, { "x-api-key": apiKey, "content-type": "image/jpeg", authorization: "Bearer t" }),
      400,
      /^authorization: the upload URL must not receive an Authorization header/
    )
    await check(
      await post(url, jpeg, { "x-api-key": apiKey, "content-type": "image/png" }),
      400,
      "content-type: image/png does not match the body, which is jpeg"
    )
    await check(
      await post(url, jpeg, { "x-api-key": apiKey, "content-type": "text/plain" }),
      400,
      /^content-type: expected image\/jpeg/
    )
    await check(
      await post(url, jpeg, { "x-api-key": apiKey }),
      400,
      /^content-type: expected image\/jpeg.*got (none|text\/plain)/
    )
    await check(
      await post(url, "GIF89a not supported", { "x-api-key": apiKey, "content-type": "image/jpeg" }),
      400,
      "body: not a JPEG, PNG or WebP image"
    )
    await check(
      await post(url, new Uint8Array(), { "x-api-key": apiKey, "content-type": "image/jpeg" }),
      400,
      "body: the image is empty"
    )
    await check(
      await post(url, jpeg, { "x-api-key": apiKey, "content-type": "image/jpeg" }, "PUT"),
      405,
      "Method Not Allowed"
    )
    expect(h.sim.uploads().images).toEqual([])
  })

  it("PUT an MP4 video; its names then make a valid post video", async () => {
    const h = await setup()
    const video = await uploadVideo(h)
    expect(Object.keys(video).sort()).toEqual(["thumbnail_name", "thumbnail_url", "video_name", "video_url"])
    expect(video.video_name).toMatch(/^raw\/[0-9a-f-]+\.mp4$/)
    expect(video.thumbnail_name).toMatch(/^thumbnail\/[0-9a-f-]+\.jpg$/)
    const token = await submit(h, {
      general_data: generalData({
        video: { name: video.video_name, thumbnail_name: video.thumbnail_name, duration: "34" }
      })
    })
    expect(h.sim.post(token)!.general_data.video).toEqual({
      name: video.video_name,
      thumbnail_name: video.thumbnail_name,
      duration: "34"
    })
    const mismatched = await h.call("POST", paths.submitV2, {
      body: {
        business_token: h.business,
        general_data: generalData({
          video: { name: video.video_name, thumbnail_name: "thumbnail/other.jpg", duration: "34" }
        }),
        category_fields: categoryFields
      }
    })
    expect(mismatched.json.message).toBe(
      `general_data.video.thumbnail_name: is not the thumbnail of video '${video.video_name}'`
    )
  })

  it("rejects a video that is not MP4, or sent with POST", async () => {
    const h = await setup()
    const url = `${h.server.url}/__upload/video`
    const notMp4 = await post(url, jpeg, { "x-api-key": apiKey, "content-type": "video/mp4" }, "PUT")
    expect([notMp4.status, (await notMp4.json()).message]).toEqual([
      400,
      "body: not an MP4 video (no 'ftyp' box)"
    ])
    const wrongType = await post(url, mp4, { "x-api-key": apiKey, "content-type": "video/webm" }, "PUT")
    expect(wrongType.status).toBe(400)
    const wrongMethod = await post(url, mp4, { "x-api-key": apiKey, "content-type": "video/mp4" })
    expect(wrongMethod.status).toBe(405)
  })

  it("streams bodies: a 256 MiB upload is counted, not buffered", async () => {
    const h = await setup()
    const chunk = new Uint8Array(1024 * 1024).fill(7)
    const first = chunk.slice()
    first.set(mp4)
    const total = 256
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === total) return controller.close()
        controller.enqueue(sent === 0 ? first : chunk)
        sent++
      }
    })
    const before = process.memoryUsage()
    const response = await fetch(`${h.server.url}/__upload/video`, {
      method: "PUT",
      headers: { "x-api-key": apiKey, "content-type": "video/mp4" },
      body,
      duplex: "half"
    } as RequestInit)
    expect(response.status).toBe(200)
    const after = process.memoryUsage()
    expect(h.sim.uploads().videos[0]!.bytes).toBe(total * 1024 * 1024)
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 1024 * 1024)
  })
})

describe("the deprecated v1 upload", () => {
  it("GET an upload URL, POST the bytes there: { path }, valid for about 10 minutes", async () => {
    const h = await setup()
    const { upload_url } = (await h.call("GET", paths.imageUploadUrl)).json
    const response = await post(upload_url, png, { "content-type": "image/png" })
    expect(response.status).toBe(200)
    const body = await response.json()
    expect(Object.keys(body)).toEqual(["path"])
    const token = await submit(h, { general_data: generalData({ images: [body.path] }) })
    expect(h.sim.post(token)!.general_data.images).toEqual([body.path])

    h.clock.advance(10 * 60 * 1000 + 1)
    const late = await post(upload_url, png, { "content-type": "image/png" })
    expect([late.status, (await late.json()).code]).toEqual([403, 7])
    const unknown = await post(`${h.server.url}/__upload/v1/nope`, png, { "content-type": "image/png" })
    expect([unknown.status, (await unknown.json()).code]).toEqual([404, 5])
  })

  it("checks the bytes too", async () => {
    const h = await setup()
    const { upload_url } = (await h.call("GET", paths.imageUploadUrl)).json
    const response = await post(upload_url, "hello", { "content-type": "application/octet-stream" })
    expect([response.status, (await response.json()).message]).toEqual([
      400,
      "body: not a JPEG, PNG or WebP image"
    ])
  })
})
