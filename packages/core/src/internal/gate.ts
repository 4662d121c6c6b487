/**
 * The optional hook around the transport of a client's calls. The client
 * picks it up from the context it is built in (`KenarClient.makeWith`); when
 * none is there, nothing changes. Kept apart from `KenarRateLimit` so that a
 * client without a limiter does not pull `effect/persistence` into a bundle.
 */
import * as Context from "effect/Context"
import type * as HttpClient from "effect/http/HttpClient"
import type { ResolvedConfig } from "../KenarConfig.js"

/** Wraps the `HttpClient` every attempt of every call goes through (not uploads' bytes). */
export class RequestGate extends Context.Service<
  RequestGate,
  {
    readonly wrap: (http: HttpClient.HttpClient, config: ResolvedConfig) => HttpClient.HttpClient
  }
>()("@kenar/core/RequestGate") {}
