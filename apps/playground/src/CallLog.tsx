/**
 * Every SDK call of this page, from its span (`kenar.<operation>`, recorded
 * by the tracer in `kenar.ts`): attempts, last HTTP status, duration, outcome.
 */
import { callLog } from "./kenar.js"
import { useCallLog } from "./views.js"

const time = (epoch: number) => new Date(epoch).toLocaleTimeString("en-GB", { hour12: false })

export const CallLog = () => {
  const entries = useCallLog()
  return (
    <section className="panel calls" data-testid="call-log">
      <h2>
        Call log
        <button type="button" className="link" onClick={callLog.clear}>
          clear
        </button>
      </h2>
      {entries.length === 0 && <p className="muted">No call yet.</p>}
      <ol>
        {entries.map((entry) => (
          <li key={entry.id} className={entry.outcome ?? "running"} data-testid="call">
            <span className="op">{entry.operation}</span>
            <span className="meta">
              {time(entry.startedAt)}
              {" · "}
              {entry.running ? "running…" : `${entry.attempts} att.`}
              {entry.httpStatus !== undefined && ` · ${entry.httpStatus}`}
              {entry.durationMs !== undefined && ` · ${entry.durationMs.toFixed(0)} ms`}
            </span>
            {entry.error !== undefined && (
              <span className="tag">
                {entry.error.tag}
                {entry.error.code !== undefined && ` (${entry.error.code})`}
              </span>
            )}
          </li>
        ))}
      </ol>
    </section>
  )
}
