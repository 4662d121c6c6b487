/**
 * The web-standard handler: route, faults, API key, rate limit, OAuth, then
 * the operation; every call is logged (without secrets). The authorization
 * server's `/oauth2/` routes share the log and targeted faults, not CORS.
 */
import type { KenarSimulator, RequestLogEntry } from "../KenarSimulator.js"
import * as SimulatorOAuth from "../SimulatorOAuth.js"
import { adminPrefix, handleAdmin } from "./admin.js"
import { neededScopes, requireApp, requireGrant } from "./auth.js"
import type { FaultController, Plan } from "./faults.js"
import type { OAuthServer } from "./oauth.js"
import type { RateLimiter } from "./rateLimit.js"
import { type Route, routes } from "./routes.js"
import type { World } from "./state.js"
import { ApiError, Code, codeOfHttpStatus, invalid, jsonResponse, statusResponse } from "./status.js"
import { uploadImage, uploadImageV1, uploadPaths, uploadVideo } from "./uploads.js"

type LogEntry = { -readonly [K in keyof RequestLogEntry]: RequestLogEntry[K] }

/** The connection is dropped: the HTTP server resets the socket, the in-process layer fails with a TransportError. */
export class ConnectionReset extends Error {
  readonly code = "ECONNRESET"
  constructor(readonly when: "before" | "after" | "truncated") {
    super(
      when === "truncated"
        ? "simulated connection loss in the middle of the body"
        : `simulated connection reset (${when} processing)`
    )
    this.name = "ConnectionReset"
  }
}

export interface Engine {
  readonly world: World
  readonly faults: FaultController
  readonly limiter: RateLimiter
  readonly sleep: (millis: number) => Promise<void>
  readonly baseUrl: string | undefined
  readonly admin: boolean
  readonly cors: boolean
  readonly failedPreconditionStatus: number
  readonly oauth: OAuthServer
  readonly log: Array<RequestLogEntry>
}

const maxLogEntries = 10_000
const maxJsonBytes = 4 * 1024 * 1024

/** What a request is: its route template and operation (for the log and faults), and how to answer it. */
interface Target {
  readonly route: string
  readonly operation: string | undefined
  /** Names a fault's `operation` may use for it. */
  readonly names: ReadonlyArray<string>
  /** An authorization server route: no CORS, only faults that name it, OAuth-shaped fault answers. */
  readonly oauth?: boolean
  readonly run: (engine: Engine, request: Request, base: string, entry: LogEntry) => Promise<Response>
}

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

const upload = (route: string, operation: string, run: Target["run"]): Target => ({
  route,
  operation,
  names: [operation],
  run
})

const failing = (route: string, error: ApiError): Target => ({
  route,
  operation: undefined,
  names: [],
  run: () => Promise.reject(error)
})

const oauthRoute = (route: string, operation: string, run: Target["run"]): Target => ({
  route,
  operation,
  names: [operation],
  oauth: true,
  run
})

const oauthTargets: Readonly<Record<string, Target>> = {
  [SimulatorOAuth.paths.authorize]: oauthRoute(
    SimulatorOAuth.paths.authorize,
    "oauthAuthorize",
    (engine, request) => Promise.resolve(engine.oauth.authorize(request))
  ),
  [SimulatorOAuth.paths.decision]: oauthRoute(
    SimulatorOAuth.paths.decision,
    "oauthDecision",
    (engine, request) => engine.oauth.decide(request)
  ),
  [SimulatorOAuth.paths.token]: oauthRoute(
    SimulatorOAuth.paths.token,
    "oauthToken",
    (engine, request, _, entry) =>
      engine.oauth.token(request, (grantType) => {
        entry.grantType = grantType
      })
  )
}

const resolve = (method: string, pathname: string): Target => {
  const oauth = oauthTargets[pathname]
  if (oauth !== undefined) return oauth
  if (pathname === uploadPaths.image) {
    return upload(pathname, "uploadImage", (engine, request, base) =>
      uploadImage(engine.world, request, base)
    )
  }
  if (pathname === uploadPaths.video) {
    return upload(pathname, "uploadVideo", (engine, request, base) =>
      uploadVideo(engine.world, request, base)
    )
  }
  if (pathname.startsWith(uploadPaths.v1Prefix)) {
    const id = pathname.slice(uploadPaths.v1Prefix.length)
    return upload(`${uploadPaths.v1Prefix}{id}`, "uploadImageV1", (engine, request) =>
      uploadImageV1(engine.world, request, id)
    )
  }
  let pathMatched = false
  for (const route of routes) {
    const match = route.pattern.exec(pathname)
    if (match === null) continue
    pathMatched = true
    if (route.method !== method) continue
    const params: Record<string, string> = {}
    for (const [i, name] of route.paramNames.entries()) {
      const value = decodeSegment(match[i + 1]!)
      if (value === undefined) return failing(pathname, new ApiError(Code.NOT_FOUND, "Not Found"))
      params[name] = value
    }
    return {
      route: route.path,
      operation: route.name,
      names: [route.name, route.operationId],
      run: (engine, request, base) => runOperation(engine, route, params, request, base)
    }
  }
  return pathMatched
    ? failing(pathname, new ApiError(Code.UNIMPLEMENTED, "Method Not Allowed", 405))
    : failing(pathname, new ApiError(Code.NOT_FOUND, "Not Found"))
}

/** Reads a JSON body; an empty body is `{}` (the gateway ignores EOF). */
const readJson = async (request: Request): Promise<unknown> => {
  const chunks: Array<Uint8Array> = []
  let size = 0
  if (request.body !== null) {
    const reader = request.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.length
      if (size > maxJsonBytes) {
        await reader.cancel()
        throw invalid("", "request body larger than 4 MiB")
      }
      chunks.push(value)
    }
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  let text: string
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    throw invalid("", "request body is not valid UTF-8")
  }
  if (text.trim() === "") return {}
  try {
    return JSON.parse(text)
  } catch (error) {
    throw invalid("", `invalid JSON body: ${(error as Error).message}`)
  }
}

const runOperation = async (
  engine: Engine,
  route: Route,
  params: Record<string, string>,
  request: Request,
  base: string
): Promise<Response> => {
  const app = requireApp(engine.world, request.headers)
  engine.limiter.hit(app)
  const grant =
    route.scopes === undefined
      ? undefined
      : requireGrant(engine.world, request.headers, neededScopes(route.scopes, params))
  const result = await route.run({
    world: engine.world,
    params,
    grant,
    base,
    failedPreconditionStatus: engine.failedPreconditionStatus,
    json: () => readJson(request)
  })
  return jsonResponse(result)
}

const answer = async (
  engine: Engine,
  target: Target,
  request: Request,
  base: string,
  entry: LogEntry
): Promise<Response> => {
  try {
    return await target.run(engine, request, base, entry)
  } catch (error) {
    if (error instanceof ApiError) return statusResponse(error)
    if (target.oauth) {
      return jsonResponse({ error: "server_error", error_description: (error as Error)?.message ?? "" }, 500)
    }
    return statusResponse(
      new ApiError(Code.INTERNAL, `internal error: ${(error as Error)?.message ?? error}`)
    )
  }
}

const htmlPage = (status: number) => {
  const title = `${status} ${status === 504 ? "Gateway Time-out" : status === 503 ? "Service Unavailable" : "Bad Gateway"}`
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
}

/** The RFC 6749 error a status fault on the authorization server answers with. */
const oauthErrorOf = (status: number): string =>
  status === 401
    ? "invalid_client"
    : status === 503 || status === 429
      ? "temporarily_unavailable"
      : status >= 500
        ? "server_error"
        : "invalid_request"

/** The answer of a fault that replaces processing, or `undefined`. */
const answerInstead = (outcome: Plan["outcome"], target: Target): Response | undefined => {
  switch (outcome?.kind) {
    case "reset-before":
      throw new ConnectionReset("before")
    case "status": {
      const code = outcome.code ?? codeOfHttpStatus(outcome.status)
      const headers: Record<string, string> =
        outcome.retryAfter === undefined ? {} : { "retry-after": String(outcome.retryAfter) }
      const message = outcome.message ?? `simulated fault: HTTP ${outcome.status}`
      if (target.oauth) {
        return jsonResponse(
          { error: oauthErrorOf(outcome.status), error_description: message },
          outcome.status,
          { ...headers, "cache-control": "no-store" }
        )
      }
      return statusResponse(new ApiError(code, message, outcome.status, headers))
    }
    case "html": {
      const status = outcome.status ?? 502
      return new Response(htmlPage(status), { status, headers: { "content-type": "text/html" } })
    }
    default:
      return undefined
  }
}

/** Half the body, a Content-Length for all of it, then the connection drops. */
const truncate = async (response: Response): Promise<Response> => {
  const bytes = new Uint8Array(await response.arrayBuffer())
  const sent = bytes.subarray(0, Math.floor(bytes.length / 2))
  const headers = new Headers(response.headers)
  headers.set("content-length", String(bytes.length))
  let pulled = false
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled) return controller.error(new ConnectionReset("truncated"))
      pulled = true
      controller.enqueue(sent)
    }
  })
  return new Response(body, { status: response.status, headers })
}

/** Applies a fault that acts after processing. */
const afterProcessing = (outcome: Plan["outcome"], response: Response): Response | Promise<Response> => {
  switch (outcome?.kind) {
    case "reset-after":
      throw new ConnectionReset("after")
    case "truncated":
      return truncate(response)
    case "invalid-json":
      return new Response('{"ok": tru', { status: 200, headers: { "content-type": "application/json" } })
    default:
      return response
  }
}

const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
  "access-control-allow-headers": "x-api-key, authorization, content-type, accept",
  "access-control-expose-headers": "retry-after, content-length",
  "access-control-max-age": "600"
}

const withCors = (engine: Engine, response: Response): Response => {
  if (engine.cors) for (const [name, value] of Object.entries(corsHeaders)) response.headers.set(name, value)
  return response
}

/** Builds the handler of a simulator. */
export const makeHandler =
  (engine: Engine, sim: KenarSimulator) =>
  async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    const base = engine.baseUrl ?? url.origin
    // the token endpoint is server to server: no CORS on the authorization server
    if (engine.cors && request.method === "OPTIONS" && oauthTargets[url.pathname] === undefined) {
      return withCors(engine, new Response(null, { status: 204 }))
    }
    if (engine.admin && url.pathname.startsWith(adminPrefix)) {
      return withCors(engine, await handleAdmin(sim, request, url))
    }
    const target = resolve(request.method, url.pathname)
    const entry: LogEntry = {
      at: engine.world.now(),
      method: request.method,
      route: target.route,
      operation: target.operation,
      status: undefined,
      fault: undefined,
      apiKey: request.headers.has("x-api-key"),
      accessToken: request.headers.has("authorization")
    }
    engine.log.push(entry)
    if (engine.log.length > maxLogEntries) engine.log.splice(0, engine.log.length - maxLogEntries)
    const plan = engine.faults.plan(target.names, target.oauth !== true)
    if (plan.outcome !== undefined) entry.fault = plan.outcome.kind
    else if (plan.latencyMs > 0) entry.fault = "latency"
    if (plan.latencyMs > 0) await engine.sleep(plan.latencyMs)
    const response = await afterProcessing(
      plan.outcome,
      answerInstead(plan.outcome, target) ?? (await answer(engine, target, request, base, entry))
    )
    entry.status = response.status
    return target.oauth ? response : withCors(engine, response)
  }
