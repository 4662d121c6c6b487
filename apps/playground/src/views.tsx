/**
 * Readable views of answers and errors: a post, its stats, the typed error
 * of a failed call, and the attempts and timing of a call (from its span).
 */
import type { PostSchema } from "@kenar/core"
import { useSyncExternalStore } from "react"
import { type CallEntry, callLog } from "./kenar.js"

/** Pretty JSON of an answer. */
export const Json = ({ value }: { readonly value: unknown }) => (
  <pre className="json" dir="ltr">
    {JSON.stringify(value, null, 2)}
  </pre>
)

export const useCallLog = () => useSyncExternalStore(callLog.subscribe, callLog.snapshot)

const ms = (value: number | undefined) =>
  value === undefined ? "…" : value < 1000 ? `${value.toFixed(0)} ms` : `${(value / 1000).toFixed(2)} s`

/** Attempts, HTTP status and duration of one call. */
export const CallStats = ({ entry }: { readonly entry: CallEntry | undefined }) => {
  if (entry === undefined) return null
  const retries = (entry.attempts ?? 0) - 1
  return (
    <p className={`call-stats ${entry.outcome ?? "running"}`} data-testid="call-stats">
      <span data-testid="attempts">
        {entry.running ? "running" : `${entry.attempts} attempt${entry.attempts === 1 ? "" : "s"}`}
      </span>
      {retries > 0 && <span>{`${retries} retr${retries === 1 ? "y" : "ies"}`}</span>}
      {entry.httpStatus !== undefined && <span>HTTP {entry.httpStatus}</span>}
      <span>{ms(entry.durationMs)}</span>
      {entry.outcome !== undefined && <span>{entry.outcome}</span>}
    </p>
  )
}

/** The latest call of an operation, live. */
export const LastCall = ({
  operation,
  since = 0
}: {
  readonly operation: string
  readonly since?: number
}) => {
  const log = useCallLog()
  return <CallStats entry={log.find((entry) => entry.operation === operation && entry.startedAt >= since)} />
}

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

interface AnyKenarError {
  readonly _tag: string
  readonly message?: string
  readonly code?: number
  readonly status?: string
  readonly httpStatus?: number
  readonly attempt?: number
  readonly requestId?: string
  readonly reason?: string
  readonly mayHaveReachedServer?: boolean
  readonly limit?: string
  readonly field?: string
  readonly rule?: string
  readonly credential?: string
  readonly statusBody?: boolean
  readonly issues?: ReadonlyArray<{ readonly field: string; readonly rule: string; readonly message: string }>
}

const asKenarError = (error: unknown): AnyKenarError =>
  typeof error === "object" && error !== null && typeof (error as { _tag?: unknown })._tag === "string"
    ? (error as AnyKenarError)
    : {
        _tag: error instanceof Error ? error.name : "Error",
        message: String((error as Error)?.message ?? error)
      }

/** The typed error of a failed call: tag, gRPC code and status, HTTP status, message, and the rest. */
export const ErrorView = ({ error }: { readonly error: unknown }) => {
  const e = asKenarError(error)
  const rows: Array<[string, string]> = []
  if (e.code !== undefined) rows.push(["gRPC", `${e.code} ${e.status ?? ""}`.trim()])
  if (e.httpStatus !== undefined) rows.push(["HTTP", String(e.httpStatus)])
  if (e.attempt !== undefined) rows.push(["attempt", String(e.attempt)])
  if (e.reason !== undefined) rows.push(["reason", e.reason])
  if (e.mayHaveReachedServer !== undefined)
    rows.push(["may have reached Kenar", String(e.mayHaveReachedServer)])
  if (e.limit !== undefined) rows.push(["limit", e.limit])
  if (e.credential !== undefined) rows.push(["credential", e.credential])
  if (e.statusBody === false) rows.push(["body", "not a google.rpc.Status (e.g. an HTML error page)"])
  if (e.requestId !== undefined) rows.push(["request id", e.requestId])
  if (e._tag === "ValidationError") rows.push(["field / rule", `${e.field || "(input)"} / ${e.rule}`])
  return (
    <div className="error" role="alert" data-testid="error">
      <p>
        <strong data-testid="error-tag">{e._tag}</strong>
        {e.code !== undefined && (
          <span className="badge" data-testid="error-code">
            code {e.code}
          </span>
        )}
      </p>
      <p className="message" dir="auto" data-testid="error-message">
        {e.message}
      </p>
      {rows.length > 0 && (
        <dl className="pairs">
          {rows.map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  )
}

/** The issues of a `ValidationError` (or a form problem) about one field, for inline display. */
export type Issues = ReadonlyArray<{
  readonly field: string
  readonly rule: string
  readonly message: string
}>

export const issuesOf = (error: unknown): Issues => {
  const e = error as AnyKenarError | null | undefined
  return e?._tag === "ValidationError" ? (e.issues ?? []) : []
}

export const FieldIssues = ({ issues, field }: { readonly issues: Issues; readonly field: string }) => {
  const mine = issues.filter((issue) => issue.field === field || issue.field.startsWith(`${field}.`))
  if (mine.length === 0) return null
  return (
    <ul className="issues" data-testid={`issues-${field}`}>
      {mine.map((issue) => (
        <li key={`${issue.field}:${issue.rule}:${issue.message}`}>
          {issue.message} <code>{issue.rule}</code>
        </li>
      ))}
    </ul>
  )
}

// -----------------------------------------------------------------------------
// answers
// -----------------------------------------------------------------------------

const stateLabel = (state: string) => state.replace("POST_STATE_", "").toLowerCase().replaceAll("_", " ")

/** A post as a card: Persian text is laid out right to left by `dir="auto"`. */
export const PostCard = ({
  post,
  token
}: {
  readonly post: PostSchema.GetUserPostResponse
  readonly token?: string | undefined
}) => (
  <article className="post" data-testid="post-card">
    <header>
      <span className={`state ${post.state}`} data-testid="post-state">
        {stateLabel(post.state)}
      </span>
      <h3 dir="auto" data-testid="post-title">
        {post.general_data.title || "(no title)"}
      </h3>
    </header>
    <p dir="auto">{post.general_data.description}</p>
    {post.reject_reason !== "" && (
      <p className="reject" dir="auto">
        {post.reject_reason}
      </p>
    )}
    <dl className="pairs">
      {token !== undefined && (
        <div>
          <dt>token</dt>
          <dd>
            <code>{token}</code>
          </dd>
        </div>
      )}
      <div>
        <dt>category</dt>
        <dd>{post.general_data.category_slug}</dd>
      </div>
      <div>
        <dt>where</dt>
        <dd>
          <bdi>{[post.general_data.city, post.general_data.district].filter(Boolean).join(" / ")}</bdi>
        </dd>
      </div>
      {Object.entries(post.category_data).map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd data-testid={`category-${key}`}>
            <bdi>{typeof value === "number" ? value.toLocaleString("en") : String(value)}</bdi>
          </dd>
        </div>
      ))}
      <div>
        <dt>images</dt>
        <dd data-testid="post-images">{post.general_data.images.length}</dd>
      </div>
      {post.business_data !== undefined && (
        <div>
          <dt>business</dt>
          <dd>
            <bdi>{post.business_data.business_name}</bdi>
          </dd>
        </div>
      )}
    </dl>
  </article>
)

/** Totals and a small chart of the daily views. */
export const StatsView = ({ stats }: { readonly stats: PostSchema.GetPostStatsResponse }) => {
  const days = [...stats.views.daily].sort((a, b) => a.date.localeCompare(b.date))
  const max = Math.max(1, ...days.map((day) => day.count))
  return (
    <div className="stats" data-testid="stats">
      <div className="totals">
        {(["views", "impressions", "chats"] as const).map((kind) => (
          <div key={kind}>
            <strong data-testid={`stats-${kind}`}>{stats[kind].total}</strong>
            <span>{kind}</span>
          </div>
        ))}
      </div>
      {days.length > 0 && (
        <div className="chart" role="img" aria-label="daily views">
          {days.map((day) => (
            <div key={day.date} title={`${day.date}: ${day.count}`}>
              <span style={{ height: `${(day.count / max) * 100}%` }} />
              <small>{day.date.slice(5)}</small>
            </div>
          ))}
        </div>
      )}
    </div>
  )
}

/** A readable view of any operation's answer. */
export const Readable = ({ operation, data }: { readonly operation: string; readonly data: unknown }) => {
  const value = data as Record<string, any>
  switch (operation) {
    case "getUserPost":
      return <PostCard post={value as PostSchema.GetUserPostResponse} />
    case "getPostStats":
      return <StatsView stats={value as PostSchema.GetPostStatsResponse} />
    case "canUserSubmitPost":
      return (
        <p className={value.can_submit ? "ok" : "no"} data-testid="can-submit">
          {value.can_submit ? "✓ The user can submit a post" : "✗ The user cannot submit a post now"}
        </p>
      )
    case "getUploadUrls":
      return (
        <dl className="pairs">
          {(["image", "video"] as const).map((kind) => (
            <div key={kind}>
              <dt>{kind}</dt>
              <dd>
                <code>{value[kind].http_method}</code> <code className="url">{value[kind].url}</code>
              </dd>
            </div>
          ))}
        </dl>
      )
    case "getImageUploadUrl":
      return (
        <p>
          POST the bytes to <code className="url">{value.upload_url}</code> (valid about 10 minutes)
        </p>
      )
    case "submitUserPost":
    case "submitPostV2":
      return (
        <p className="ok">
          ✓ Submitted: <a href={`#/op/getUserPost?token=${value.post_token}`}>{value.post_token}</a>
        </p>
      )
    default:
      return <p className="ok">✓ Done (Kenar answered an empty message)</p>
  }
}
