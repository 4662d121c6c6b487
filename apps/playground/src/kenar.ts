/**
 * The app's Kenar wiring: the browser client layer (talking to the proxy at
 * `/api/kenar`) with `KenarTracing`, a `Tracer` that records every
 * `kenar.<operation>` span for the call log, and the server's session endpoint.
 */
import { BrowserKenarClient, type BrowserUploads } from "@kenar/browser"
import { type KenarClient, KenarTracing } from "@kenar/core"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"

// -----------------------------------------------------------------------------
// the call log: one entry per span `kenar.<operation>`
// -----------------------------------------------------------------------------

export interface CallEntry {
  readonly id: number
  readonly operation: string
  /** Epoch milliseconds. */
  readonly startedAt: number
  readonly running: boolean
  readonly durationMs: number | undefined
  /** `kenar.attempts`: 1 without retries, 0 when the call was refused before any I/O. */
  readonly attempts: number | undefined
  /** `http.response.status_code` of the last answer. */
  readonly httpStatus: number | undefined
  /** `kenar.outcome` */
  readonly outcome: "success" | "failure" | undefined
  /** The error's `_tag` (and gRPC code) on failure. */
  readonly error: { readonly tag: string; readonly code: number | undefined } | undefined
}

const LIMIT = 100
let entries: ReadonlyArray<CallEntry> = []
let nextId = 1
const listeners = new Set<() => void>()

const publish = (next: ReadonlyArray<CallEntry>) => {
  entries = next.slice(0, LIMIT)
  for (const listener of listeners) listener()
}

/** For `useSyncExternalStore`. */
export const callLog = {
  subscribe: (listener: () => void) => {
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
  snapshot: () => entries,
  clear: () => publish([]),
  /** The latest call of `operation` that started at or after `since` (epoch ms). */
  latest: (operation: string, since: number) =>
    entries.find((entry) => entry.operation === operation && entry.startedAt >= since)
}

const failureOf = (exit: Exit.Exit<unknown, unknown>): CallEntry["error"] => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = exit.cause.reasons.find(Cause.isFailReason)
  const error = failure?.error as { readonly _tag?: unknown; readonly code?: unknown } | undefined
  if (error === undefined)
    return { tag: Cause.hasInterruptsOnly(exit.cause) ? "Interrupted" : "Defect", code: undefined }
  return {
    tag: typeof error._tag === "string" ? error._tag : "Error",
    code: typeof error.code === "number" ? error.code : undefined
  }
}

/** A span that reports itself to the call log when it starts and ends. */
class LoggedSpan extends Tracer.NativeSpan {
  readonly id = nextId++
  readonly startedAt = Date.now()

  constructor(options: ConstructorParameters<typeof Tracer.NativeSpan>[0]) {
    super(options)
    publish([this.entry(undefined), ...entries])
  }

  private entry(exit: Exit.Exit<unknown, unknown> | undefined): CallEntry {
    const attribute = (key: string) => this.attributes.get(key)
    const ended = this.status._tag === "Ended" ? this.status : undefined
    return {
      id: this.id,
      operation: this.name.slice("kenar.".length),
      startedAt: this.startedAt,
      running: ended === undefined,
      durationMs: ended === undefined ? undefined : Number(ended.endTime - ended.startTime) / 1e6,
      attempts: attribute("kenar.attempts") as number | undefined,
      httpStatus: attribute("http.response.status_code") as number | undefined,
      outcome: attribute("kenar.outcome") as CallEntry["outcome"],
      error: exit === undefined ? undefined : failureOf(exit)
    }
  }

  override end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    super.end(endTime, exit)
    const entry = this.entry(exit)
    publish(entries.map((other) => (other.id === this.id ? entry : other)))
  }
}

/** Records the SDK's call spans (`kenar.<operation>`); other spans stay native. */
export const tracer: Tracer.Tracer = Tracer.make({
  span: (options) =>
    options.name.startsWith("kenar.") ? new LoggedSpan(options) : new Tracer.NativeSpan(options)
})

// -----------------------------------------------------------------------------
// the client layer and the uploads
// -----------------------------------------------------------------------------

/**
 * The browser client over the proxy, with the call-log tracer. Built once.
 * `main.tsx` gives `KenarProvider` uploads over it (`BrowserUploads.makePromise`),
 * so uploads show in the call log too.
 */
export const KenarLive: Layer.Layer<
  KenarClient.KenarClient | BrowserUploads.Uploader | KenarTracing.CallTracing
> = Layer.merge(
  // browser clients trace their calls only with KenarTracing (kept out of bundles that do not)
  BrowserKenarClient.layer({ baseUrl: "/api/kenar" }).pipe(Layer.provideMerge(KenarTracing.layer)),
  Layer.succeed(Tracer.Tracer, tracer)
)

// -----------------------------------------------------------------------------
// the playground server's session endpoint
// -----------------------------------------------------------------------------

export interface DemoPost {
  readonly token: string
  readonly title: string
  readonly state: string
}

export interface Session {
  readonly mode: "simulator" | "kenar"
  readonly signedIn: boolean
  readonly oauth: boolean
  readonly scopes: ReadonlyArray<string>
  readonly demo?: {
    readonly user: string
    readonly business: string
    readonly posts: ReadonlyArray<DemoPost>
  }
}

export const fetchSession = async (): Promise<Session> => {
  const response = await fetch("/__playground/session", { credentials: "same-origin" })
  if (!response.ok) throw new Error(`session: HTTP ${response.status}`)
  return (await response.json()) as Session
}

export const signOut = async (): Promise<void> => {
  await fetch("/__playground/logout", { method: "POST", credentials: "same-origin" })
}

/** The simulator's admin endpoints, forwarded by the playground server (simulator mode only). */
export const simulatorAdmin = async <A>(
  path: string,
  init: { method?: string; body?: unknown } = {}
): Promise<A> => {
  const response = await fetch(`/__simulator/${path}`, {
    method: init.method ?? "GET",
    headers: { "content-type": "application/json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
  })
  const body = (await response.json()) as A & { readonly message?: string }
  if (!response.ok) throw new Error(body.message ?? `HTTP ${response.status}`)
  return body
}
