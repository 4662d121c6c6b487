/**
 * The admin endpoints under `/__simulator/` (no credentials; turn them off
 * with `admin: false`): state summary, request log, faults, tokens, OAuth
 * settings, and post life-cycle moves for a playground or a CLI user.
 */
import type { KenarSimulator } from "../KenarSimulator.js"
import * as SimulatorFault from "../SimulatorFault.js"
import { ApiError, Code, invalid, jsonResponse, statusResponse } from "./status.js"

export const adminPrefix = "/__simulator/"

const body = async (request: Request): Promise<Record<string, unknown>> => {
  const text = await request.text()
  if (text.trim() === "") return {}
  try {
    return JSON.parse(text)
  } catch {
    throw invalid("", "invalid JSON body")
  }
}

const postMove = async (sim: KenarSimulator, token: string, move: string, request: Request) => {
  const input = await body(request)
  switch (move) {
    case "pay":
      return sim.pay(token)
    case "queue":
      return sim.queue(token)
    case "publish":
      return sim.publish(token)
    case "reject":
      return sim.reject(
        token,
        String(input.reason ?? "rejected by the simulator"),
        input.state as Parameters<KenarSimulator["reject"]>[2]
      )
    case "retire":
      return sim.retire(token)
    case "expire":
      return sim.expire(token)
    case "stats":
      return sim.recordStats(
        token,
        {
          views: Number(input.views ?? 0),
          impressions: Number(input.impressions ?? 0),
          chats: Number(input.chats ?? 0)
        },
        input.date === undefined ? undefined : String(input.date)
      )
  }
}

const route = async (sim: KenarSimulator, request: Request, path: string): Promise<unknown> => {
  switch (`${request.method} ${path}`) {
    case "GET state":
      return sim.summary()
    case "GET requests":
      return { requests: sim.requests() }
    case "GET faults":
      return { active: sim.faults.active(), stats: sim.faults.stats() }
    case "POST faults": {
      const input: unknown = await body(request)
      sim.faults.inject((Array.isArray(input) ? input : [input]).map(SimulatorFault.make))
      return { active: sim.faults.active() }
    }
    case "DELETE faults":
      sim.faults.clear()
      return {}
    case "POST tokens": {
      const input = await body(request)
      const scopes = Array.isArray(input.scopes)
        ? input.scopes.map(String)
        : String(input.scope ?? "").split(" ")
      const expiresIn = Number(input.expires_in_seconds ?? 3600)
      const token = sim.issueToken({ user: String(input.user), scopes, expiresInSeconds: expiresIn })
      return { access_token: token, token_type: "bearer", expires_in: expiresIn, scope: scopes.join(" ") }
    }
  }
  if (path === "oauth" && (request.method === "GET" || request.method === "POST")) {
    if (request.method === "POST") {
      const input = await body(request)
      if (input.autoApprove !== undefined) {
        if (typeof input.autoApprove !== "boolean") throw invalid("autoApprove", "expected a boolean")
        sim.oauth.autoApprove = input.autoApprove
      }
      if (input.user !== undefined) {
        if (
          input.user !== null &&
          (typeof input.user !== "string" || sim.summary().users.indexOf(input.user) === -1)
        ) {
          throw invalid("user", `unknown user ${JSON.stringify(input.user)}`)
        }
        sim.oauth.user = input.user ?? undefined
      }
    }
    return sim.summary().oauth
  }
  const move = /^posts\/([^/]+)\/(pay|queue|publish|reject|retire|expire|stats)$/.exec(path)
  if (move !== null && request.method === "POST") {
    await postMove(sim, decodeURIComponent(move[1]!), move[2]!, request)
    return { post: sim.post(decodeURIComponent(move[1]!)) }
  }
  throw new ApiError(Code.NOT_FOUND, "Not Found")
}

/** Answers one admin request. */
export const handleAdmin = async (sim: KenarSimulator, request: Request, url: URL): Promise<Response> => {
  try {
    return jsonResponse(await route(sim, request, url.pathname.slice(adminPrefix.length)))
  } catch (error) {
    if (error instanceof ApiError) return statusResponse(error)
    return statusResponse(new ApiError(Code.INVALID_ARGUMENT, (error as Error).message))
  }
}
