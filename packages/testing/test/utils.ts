import { afterEach } from "vitest"
import * as KenarSimulator from "../src/KenarSimulator.js"
import * as NodeSimulatorServer from "../src/NodeSimulatorServer.js"

export const apiKey = "test-api-key"
export const start = Date.UTC(2026, 10, 27, 9, 0, 0)

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: any
}

export interface CallOptions {
  readonly body?: unknown
  readonly bearer?: string
  readonly apiKey?: string | null
  readonly headers?: Record<string, string>
}

const servers: Array<NodeSimulatorServer.Server> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/**
 * A simulator on loopback HTTP with a controllable clock, one app, users
 * alice and bob, and alice's business `Biz00001a`.
 */
export const setup = async (options: KenarSimulator.Options = {}) => {
  let time = start
  const clock = {
    now: () => time,
    advance: (millis: number) => {
      time += millis
    }
  }
  const sim = KenarSimulator.make({ now: clock.now, ...options })
  sim.addApp({ apiKey, name: "test" })
  const alice = sim.addUser({ id: "alice" })
  const bob = sim.addUser({ id: "bob" })
  const business = sim.addBusiness({ token: "Biz00001a", name: "املاک آلیس", owner: alice })
  const server = await NodeSimulatorServer.listen(sim)
  servers.push(server)

  const call = async (method: string, path: string, options: CallOptions = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.apiKey !== null) headers["x-api-key"] = options.apiKey ?? apiKey
    if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`
    let body: string | undefined
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body)
      headers["content-type"] ??= "application/json"
    }
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body })
    })
    const text = await response.text()
    let json: unknown
    try {
      json = text === "" ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json }
  }
  const token = (user: string, scopes: ReadonlyArray<string>, expiresInSeconds?: number) =>
    sim.issueToken({ user, scopes, ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }) })

  return { sim, server, clock, call, token, alice, bob, business }
}

export type Harness = Awaited<ReturnType<typeof setup>>

/** A few bytes that pass as a JPEG. */
export const jpeg = new Uint8Array([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9
])
export const png = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52
])
export const webp = new Uint8Array([
  ...new TextEncoder().encode("RIFF"),
  26,
  0,
  0,
  0,
  ...new TextEncoder().encode("WEBPVP8 ")
])
export const mp4 = new Uint8Array([
  0,
  0,
  0,
  0x18,
  ...new TextEncoder().encode("ftypmp42"),
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0
])

/** Uploads an image through the v2 flow; returns its path. */
export const uploadImage = async (
  h: Harness,
  bytes: Uint8Array<ArrayBuffer> = jpeg,
  contentType = "image/jpeg"
) => {
  const response = await fetch(`${h.server.url}/__upload/image`, {
    method: "POST",
    headers: { "x-api-key": apiKey, "content-type": contentType },
    body: bytes
  })
  return (await response.json()).path as string
}

/** Uploads a video through the v2 flow. */
export const uploadVideo = async (h: Harness) => {
  const response = await fetch(`${h.server.url}/__upload/video`, {
    method: "PUT",
    headers: { "x-api-key": apiKey, "content-type": "video/mp4" },
    body: mp4
  })
  return (await response.json()) as {
    video_name: string
    thumbnail_name: string
    video_url: string
    thumbnail_url: string
  }
}

export const generalData = (overrides: Record<string, unknown> = {}) => ({
  category_slug: "apartment-sell",
  title: "آپارتمان ۸۰ متری نورگیر",
  description: "دو خواب، طبقه سوم",
  images: [],
  city: "tehran",
  location_type: "LOCATION_TYPE_EXACT",
  hide_phone: false,
  chat_enabled: true,
  ...overrides
})

export const categoryFields = { size: 80, rooms: "دو" }

/** Submits a provider post for alice's business; returns its token. */
export const submit = async (h: Harness, overrides: Record<string, unknown> = {}) => {
  const answer = await h.call("POST", "/experimental/open-platform/posts/new-v2", {
    body: {
      business_token: h.business,
      general_data: generalData(),
      category_fields: categoryFields,
      ...overrides
    }
  })
  if (answer.status !== 200) throw new Error(`submit failed: ${answer.status} ${answer.text}`)
  return answer.json.post_token as string
}

export const paths = {
  canSubmit: "/experimental/open-platform/user-posts/can-submit",
  submitUser: "/experimental/open-platform/user-posts/new",
  submitV2: "/experimental/open-platform/posts/new-v2",
  businessButton: (token: string) => `/experimental/open-platform/business/${token}/customized-button`,
  postButton: (token: string) => `/experimental/open-platform/posts/${token}/customized-button`,
  stats: (token: string) => `/experimental/open-platform/posts/${token}/stats`,
  post: (token: string) => `/v1/open-platform/post/${token}`,
  postV2: (token: string) => `/v2/open-platform/post/${token}`,
  userPost: (token: string) => `/v1/open-platform/user-post/${token}`,
  uploadUrls: "/v2/open-platform/post/upload-urls",
  imageUploadUrl: "/v1/open-platform/post/image-upload-url"
} as const

export const button = {
  type: "EXTERNAL_PRODUCT_STORE",
  action: { open_direct_link: "https://shop.example.ir/p/1" }
} as const
