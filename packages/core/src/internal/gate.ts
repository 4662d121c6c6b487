/**
 * The optional hook around the transport of a client's calls. The client
 * picks it up from the context it is built in (`KenarClient.makeWith`); when
 * none is there, nothing changes. Kept apart from `KenarRateLimit` so that a
 * client without a limiter does not pull `effect/persistence` into a bundle.
 */
import * as Context from "effect/Context"
import type { ResolvedConfig } from "../KenarConfig.js"
import type { Send } from "../KenarTransport.js"

/** Wraps the transport every attempt of every call goes through (not uploads' bytes). */
export class RequestGate extends /* @__PURE__ */ Context.Service<
  RequestGate,
  {
    readonly wrap: (send: Send, config: ResolvedConfig) => Send
  }
>()("@kenar/core/RequestGate") {}
