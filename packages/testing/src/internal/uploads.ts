/**
 * Media uploads: the v2 image (POST) and video (PUT) URLs, and the
 * deprecated v1 one-image URL. Bodies are streamed: only the byte count, the
 * first bytes (for the magic number) and a 32-bit FNV-1a hash are kept, so a
 * 1 GiB upload costs no memory.
 */
import { requireApp } from "./auth.js"
import type { World } from "./state.js"
import { ApiError, Code, invalid, jsonResponse, notFound } from "./status.js"

/** How long a v1 upload URL stays valid. */
export const v1UploadLifetimeMillis = 10 * 60 * 1000

export const uploadPaths = {
  image: "/__upload/image",
  video: "/__upload/video",
  v1Prefix: "/__upload/v1/"
} as const

interface Digest {
  readonly bytes: number
  readonly head: Uint8Array
  readonly hash: string
}

/** Reads a body to its end, keeping only its size, first 16 bytes and hash. */
export const digest = async (body: ReadableStream<Uint8Array> | null): Promise<Digest> => {
  const head = new Uint8Array(16)
  let bytes = 0
  let hash = 0x811c9dc5
  if (body !== null) {
    const reader = body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (bytes < head.length) head.set(value.subarray(0, head.length - bytes), bytes)
      for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value[i]!, 0x01000193)
      bytes += value.length
    }
  }
  return {
    bytes,
    head: head.subarray(0, Math.min(bytes, head.length)),
    hash: (hash >>> 0).toString(16).padStart(8, "0")
  }
}

const ascii = (bytes: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...bytes.subarray(from, to))

type ImageFormat = "jpeg" | "png" | "webp"

const imageFormatOf = (head: Uint8Array): ImageFormat | undefined => {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg"
  if (ascii(head, 0, 8) === "\x89PNG\r\n\x1a\n") return "png"
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "webp"
  return undefined
}

const imageMimes: Readonly<Record<string, ImageFormat>> = {
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/png": "png",
  "image/webp": "webp"
}

const mimeOf = (headers: Headers): string | undefined =>
  headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() || undefined

const refuseAuthorization = (headers: Headers): void => {
  if (headers.has("authorization")) {
    throw invalid(
      "authorization",
      "the upload URL must not receive an Authorization header (send only x-api-key)"
    )
  }
}

const storeImage = async (world: World, request: Request, contentRequired: boolean): Promise<string> => {
  const mime = mimeOf(request.headers)
  const declared = mime === undefined ? undefined : imageMimes[mime]
  // v2 needs an image type; v1 also takes none (or application/octet-stream)
  const acceptable = declared !== undefined || (!contentRequired && !mime?.startsWith("image/"))
  if (!acceptable) {
    throw invalid("content-type", `expected image/jpeg, image/png or image/webp, got ${mime ?? "none"}`)
  }
  const body = await digest(request.body)
  if (body.bytes === 0) throw invalid("body", "the image is empty")
  const format = imageFormatOf(body.head)
  if (format === undefined) throw invalid("body", "not a JPEG, PNG or WebP image")
  if (declared !== undefined && declared !== format) {
    throw invalid("content-type", `${mime} does not match the body, which is ${format}`)
  }
  const path = `${world.newId()}.${format === "jpeg" ? "jpg" : format}`
  world.images.set(path, { path, contentType: `image/${format}`, bytes: body.bytes, hash: body.hash })
  return path
}

const methodNotAllowed = () => new ApiError(Code.UNIMPLEMENTED, "Method Not Allowed", 405)

/** POST of an image to the v2 URL: `{ path, photo_url, thumbnail_url }`. */
export const uploadImage = async (world: World, request: Request, base: string): Promise<Response> => {
  if (request.method !== "POST") throw methodNotAllowed()
  requireApp(world, request.headers)
  refuseAuthorization(request.headers)
  const path = await storeImage(world, request, true)
  return jsonResponse({
    path,
    photo_url: `${base}/__media/photo/${path}`,
    thumbnail_url: `${base}/__media/thumbnail/${path}`
  })
}

/** PUT of an MP4 video: `{ video_name, video_url, thumbnail_name, thumbnail_url }`. */
export const uploadVideo = async (world: World, request: Request, base: string): Promise<Response> => {
  if (request.method !== "PUT") throw methodNotAllowed()
  requireApp(world, request.headers)
  refuseAuthorization(request.headers)
  const mime = mimeOf(request.headers)
  if (mime !== "video/mp4") throw invalid("content-type", `expected video/mp4, got ${mime ?? "none"}`)
  const body = await digest(request.body)
  if (body.bytes === 0) throw invalid("body", "the video is empty")
  if (ascii(body.head, 4, 8) !== "ftyp") throw invalid("body", "not an MP4 video (no 'ftyp' box)")
  const id = world.newId()
  const name = `raw/${id}.mp4`
  const thumbnailName = `thumbnail/${id}.jpg`
  world.videos.set(name, { name, thumbnailName, bytes: body.bytes, hash: body.hash })
  return jsonResponse({
    video_name: name,
    video_url: `${base}/__media/${name}`,
    thumbnail_name: thumbnailName,
    thumbnail_url: `${base}/__media/${thumbnailName}`
  })
}

/** A new deprecated v1 upload URL, valid about 10 minutes. */
export const newV1UploadUrl = (world: World, base: string): string => {
  for (const [old, issuedAt] of world.v1Uploads) {
    if (world.now() - issuedAt > v1UploadLifetimeMillis) world.v1Uploads.delete(old)
  }
  const id = world.newId()
  world.v1Uploads.set(id, world.now())
  return `${base}${uploadPaths.v1Prefix}${id}`
}

/** POST of an image to a v1 URL (a pre-signed URL: no API key needed): `{ path }`. */
export const uploadImageV1 = async (world: World, request: Request, id: string): Promise<Response> => {
  const issuedAt = world.v1Uploads.get(id)
  if (issuedAt === undefined) throw notFound("unknown upload URL")
  if (request.method !== "POST") throw methodNotAllowed()
  if (world.now() - issuedAt > v1UploadLifetimeMillis) {
    throw new ApiError(Code.PERMISSION_DENIED, "upload URL expired (valid 10 minutes)")
  }
  refuseAuthorization(request.headers)
  return jsonResponse({ path: await storeImage(world, request, false) })
}
