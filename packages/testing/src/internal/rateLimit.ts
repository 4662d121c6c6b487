/**
 * Per-app request limits: a sliding one-minute window (`limits.windowMillis`
 * shortens it for tests) and a daily quota
 * (UTC days), both answering 429 RESOURCE_EXHAUSTED with a message that
 * names the limit. Rejected calls do not count.
 */
import type { Limits } from "../KenarSimulator.js"
import type { App } from "./state.js"
import { dateOf } from "./state.js"
import { ApiError, Code } from "./status.js"

export class RateLimiter {
  private readonly minute = new Map<string, Array<number>>()
  private readonly daily = new Map<string, { date: string; count: number }>()

  constructor(
    private readonly now: () => number,
    readonly limits: Limits
  ) {}

  /** Counts one call of `app`, or throws the 429 it gets. */
  hit(app: App): void {
    const now = this.now()
    const perMinute = app.perMinute ?? this.limits.perMinute
    const perDay = app.perDay ?? this.limits.perDay
    const window = this.limits.windowMillis ?? 60_000
    // an app without a per-minute limit keeps no timestamps (a long soak would pile them up)
    const recent =
      perMinute > 0 ? (this.minute.get(app.apiKey) ?? []).filter((at) => at > now - window) : undefined
    if (recent !== undefined) this.minute.set(app.apiKey, recent)
    else this.minute.delete(app.apiKey)
    if (recent !== undefined && recent.length >= perMinute) {
      throw new ApiError(Code.RESOURCE_EXHAUSTED, `rate limit exceeded: ${perMinute} requests per minute`)
    }
    const date = dateOf(now)
    const today = this.daily.get(app.apiKey)
    const used = today?.date === date ? today.count : 0
    if (perDay > 0 && used >= perDay) {
      throw new ApiError(Code.RESOURCE_EXHAUSTED, `daily quota exceeded: ${perDay} requests per day`)
    }
    recent?.push(now)
    this.daily.set(app.apiKey, { date, count: used + 1 })
  }

  reset(): void {
    this.minute.clear()
    this.daily.clear()
  }
}
