/**
 * Faults the simulator can inject, to test how a client copes with a slow,
 * failing or broken Kenar:
 *
 * ```ts
 * sim.faults.inject({ kind: "status", status: 503, times: 2 })
 * sim.faults.inject({ kind: "reset-after", operation: "submitPostV2", times: 1 })
 * sim.faults.inject({ kind: "latency", ms: 200, rate: 0.5, seed: 7 })
 * ```
 *
 * Each fault applies to the next `times` matching calls, or to a `rate`
 * fraction of them (drawn from a PRNG seeded with `seed`), or, with neither,
 * to every matching call until `faults.clear()`. `operation` limits it to one
 * operation (SDK name such as `getUserPost`, or the spec's operationId such as
 * `Post_GetUserPost`; uploads are `uploadImage`, `uploadVideo`, `uploadImageV1`).
 *
 * @since 0.1.0
 */

/**
 * Which calls a fault applies to.
 *
 * @since 0.1.0
 * @category models
 */
export interface Targeting {
  /** Apply to the next N matching calls, then retire the fault. */
  readonly times?: number
  /** Apply to this fraction (0..1) of matching calls. */
  readonly rate?: number
  /** Seed of the PRNG behind `rate`, for reproducible runs (default 1). */
  readonly seed?: number
  /** Only calls of this operation (SDK name or operationId). */
  readonly operation?: string
}

/**
 * A fault:
 * - `latency`: wait `ms` before handling the call (combines with the others);
 * - `status`: answer `status` with a google.rpc.Status body (`code` derived from
 *   the status when omitted: 429 -> 8, 500 -> 13, 503 -> 14, ...), optionally
 *   with a `Retry-After` header; the call is not processed;
 * - `html`: answer an HTML error page (default 502) as a proxy would; not processed;
 * - `reset-before`: drop the connection before processing (nothing changes);
 * - `reset-after`: process the call (state changes), then drop the connection
 *   without an answer;
 * - `truncated`: process the call, declare the full Content-Length, send half
 *   the body and close;
 * - `invalid-json`: process the call, then answer 200 with a body that is not JSON.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault = Targeting &
  (
    | { readonly kind: "latency"; readonly ms: number }
    | {
        readonly kind: "status"
        readonly status: number
        readonly code?: number
        readonly message?: string
        /** Seconds (or an HTTP date) for a `Retry-After` header. */
        readonly retryAfter?: number | string
      }
    | { readonly kind: "html"; readonly status?: number }
    | { readonly kind: "reset-before" }
    | { readonly kind: "reset-after" }
    | { readonly kind: "truncated" }
    | { readonly kind: "invalid-json" }
  )

/**
 * The kinds of fault.
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = Fault["kind"]

/**
 * All kinds of fault.
 *
 * @since 0.1.0
 * @category models
 */
export const kinds: ReadonlyArray<Kind> = [
  "latency",
  "status",
  "html",
  "reset-before",
  "reset-after",
  "truncated",
  "invalid-json"
]

/**
 * How many faults of each kind were injected.
 *
 * @since 0.1.0
 * @category models
 */
export type Stats = Readonly<Record<Kind, number>>

/**
 * The fault controls of a simulator (`sim.faults`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Faults {
  /** Adds one or more faults; they act in the order they were added. */
  readonly inject: (fault: Fault | ReadonlyArray<Fault>) => void
  /** Removes every active fault (the counts stay). */
  readonly clear: () => void
  /** The active faults. */
  readonly active: () => ReadonlyArray<Fault>
  /** Injected faults per kind since the simulator started (or `resetStats`). */
  readonly stats: () => Stats
  readonly resetStats: () => void
}

const isKind = (u: unknown): u is Kind =>
  typeof u === "string" && (kinds as ReadonlyArray<string>).includes(u)

const numeric = new Set(["times", "rate", "seed", "ms", "status", "code"])

/**
 * Checks a fault (for example one received as JSON); throws a `TypeError`
 * naming the problem.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: unknown): Fault => {
  if (typeof input !== "object" || input === null) throw new TypeError("a fault must be an object")
  const fault = input as Record<string, unknown>
  if (!isKind(fault.kind)) {
    throw new TypeError(`unknown fault kind ${JSON.stringify(fault.kind)}: use ${kinds.join(", ")}`)
  }
  for (const key of numeric) {
    const value = fault[key]
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
      throw new TypeError(`fault '${key}' must be a non-negative number`)
    }
  }
  if (fault.rate !== undefined && (fault.rate as number) > 1) {
    throw new TypeError("fault 'rate' must be between 0 and 1")
  }
  if (fault.kind === "latency" && fault.ms === undefined) throw new TypeError("a latency fault needs 'ms'")
  if (fault.kind === "status" && fault.status === undefined) {
    throw new TypeError("a status fault needs 'status'")
  }
  const status = fault.status as number | undefined
  if (status !== undefined && !(Number.isInteger(status) && status >= 400 && status <= 599)) {
    throw new TypeError("fault 'status' must be an HTTP error status (400..599)")
  }
  if (fault.operation !== undefined && typeof fault.operation !== "string") {
    throw new TypeError("fault 'operation' must be a string")
  }
  return fault as unknown as Fault
}

/**
 * Parses the CLI syntax `<kind>[:key=value,...]`, for example
 * `status:status=503,times=3`, `reset-after:operation=submitPostV2,times=1`,
 * `latency:ms=250,rate=0.3,seed=42`, or a JSON object.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (spec: string): Fault => {
  const trimmed = spec.trim()
  if (trimmed.startsWith("{")) return make(JSON.parse(trimmed))
  const [kind, rest = ""] = trimmed.split(/:(.*)/s, 2)
  const fault: Record<string, unknown> = { kind }
  for (const pair of rest.split(",").filter((p) => p.trim() !== "")) {
    const [key = "", value = ""] = pair.split("=", 2).map((s) => s.trim())
    fault[key] =
      numeric.has(key) || key === "retryAfter" ? (Number.isNaN(Number(value)) ? value : Number(value)) : value
  }
  return make(fault)
}
