/**
 * Drives the simulator's fault injection (its admin endpoints, forwarded by
 * the playground server): latency, 429, 503, an HTML 502, connection resets
 * before and after processing, truncated bodies, a persistent 404.
 */
import { Posts } from "@kenar/core"
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useEffect, useState } from "react"
import { simulatorAdmin } from "./kenar.js"
import { useCallLog } from "./views.js"

interface Fault {
  readonly kind: string
  readonly status?: number
  readonly ms?: number
  readonly times?: number
  readonly operation?: string
}

interface FaultState {
  readonly active: ReadonlyArray<Fault>
  readonly stats: Readonly<Record<string, number>>
}

const presets: ReadonlyArray<{ readonly id: string; readonly label: string; readonly fault: Fault }> = [
  { id: "503x2", label: "503 twice", fault: { kind: "status", status: 503, times: 2 } },
  { id: "429", label: "429 once", fault: { kind: "status", status: 429, times: 1 } },
  { id: "html502", label: "HTML 502 once", fault: { kind: "html", status: 502, times: 1 } },
  { id: "latency", label: "latency 800 ms", fault: { kind: "latency", ms: 800 } },
  { id: "reset-before", label: "reset before", fault: { kind: "reset-before", times: 1 } },
  { id: "reset-after", label: "reset after", fault: { kind: "reset-after", times: 1 } },
  { id: "truncated", label: "truncated body", fault: { kind: "truncated", times: 1 } },
  { id: "404", label: "404 always", fault: { kind: "status", status: 404 } }
]

const operations = ["", ...Object.keys(Posts.all), "uploadImage"]

const describe = (fault: Fault) =>
  [
    fault.kind,
    fault.status,
    fault.ms === undefined ? undefined : `${fault.ms} ms`,
    fault.operation === undefined ? "any operation" : fault.operation,
    fault.times === undefined ? "until cleared" : `next ${fault.times}`
  ]
    .filter((part) => part !== undefined)
    .join(" · ")

/** Keys for a list that may hold equal faults: the description and its occurrence. */
const keyed = (faults: ReadonlyArray<Fault>) => {
  const seen = new Map<string, number>()
  return faults.map((fault) => {
    const text = JSON.stringify(fault)
    const n = (seen.get(text) ?? 0) + 1
    seen.set(text, n)
    return { key: `${text}#${n}`, fault }
  })
}

export const FaultPanel = () => {
  const queryClient = useQueryClient()
  const [operation, setOperation] = useState("")
  const faults = useQuery({
    queryKey: ["simulator", "faults"],
    queryFn: () => simulatorAdmin<FaultState>("faults"),
    refetchInterval: 2000
  })
  const oauth = useQuery({
    queryKey: ["simulator", "oauth"],
    queryFn: () => simulatorAdmin<{ readonly autoApprove: boolean }>("oauth")
  })
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["simulator"] })
  // a call that ended may have used up a fault: show what is left at once
  const ended = useCallLog().filter((entry) => !entry.running).length
  useEffect(() => {
    if (ended > 0) void queryClient.invalidateQueries({ queryKey: ["simulator", "faults"] })
  }, [ended, queryClient])
  const inject = useMutation({
    mutationFn: (fault: Fault) =>
      simulatorAdmin("faults", {
        method: "POST",
        body: operation === "" ? fault : { ...fault, operation }
      }),
    onSettled: refresh
  })
  const clear = useMutation({
    mutationFn: () => simulatorAdmin("faults", { method: "DELETE" }),
    onSettled: refresh
  })
  const autoApprove = useMutation({
    mutationFn: (value: boolean) => simulatorAdmin("oauth", { method: "POST", body: { autoApprove: value } }),
    onSettled: refresh
  })

  return (
    <section className="panel faults" data-testid="fault-panel">
      <h2>Faults</h2>
      <p className="muted">The simulator misbehaves; the SDK in this page retries what is safe to retry.</p>
      <label className="inline">
        for
        <select
          value={operation}
          onChange={(e) => setOperation(e.target.value)}
          data-testid="fault-operation"
        >
          {operations.map((name) => (
            <option key={name} value={name}>
              {name === "" ? "any operation" : name}
            </option>
          ))}
        </select>
      </label>
      <div className="chips">
        {presets.map((preset) => (
          <button
            type="button"
            key={preset.id}
            data-testid={`fault-${preset.id}`}
            onClick={() => inject.mutate(preset.fault)}
          >
            {preset.label}
          </button>
        ))}
      </div>
      {inject.isError && <p className="no">{String((inject.error as Error).message)}</p>}
      <ul className="active" data-testid="active-faults">
        {keyed(faults.data?.active ?? []).map(({ key, fault }) => (
          <li key={key}>{describe(fault)}</li>
        ))}
        {faults.data?.active.length === 0 && <li className="muted">no active fault</li>}
      </ul>
      <button type="button" onClick={() => clear.mutate()} data-testid="clear-faults">
        Clear faults
      </button>
      <label className="inline">
        <input
          type="checkbox"
          checked={oauth.data?.autoApprove ?? false}
          onChange={(e) => autoApprove.mutate(e.target.checked)}
        />
        approve sign-ins without the consent page
      </label>
    </section>
  )
}
