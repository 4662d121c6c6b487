/**
 * One operation: its form, the call (a TanStack query for reads, the
 * operation's mutation options for writes), and the answer or the typed
 * error, with the call's attempts and timing.
 */
import { PostEdit } from "@kenar/core"
import { useKenar } from "@kenar/react"
import {
  type FetchQueryOptions,
  type UseMutationOptions,
  useMutation,
  useQueryClient
} from "@tanstack/react-query"
import { type FormEvent, useMemo, useState } from "react"
import {
  buildInput,
  type Defaults,
  definitionOf,
  editChanges,
  type Field,
  FormIssue,
  initialValues,
  isQuery,
  type OperationSpec,
  type Values
} from "./operations.js"
import { ErrorView, FieldIssues, type Issues, issuesOf, Json, LastCall, Readable } from "./views.js"

type QueryFactory = {
  readonly queryOptions: (
    ...args: ReadonlyArray<unknown>
  ) => FetchQueryOptions<unknown, unknown, unknown, any>
}
type MutationFactory = {
  readonly mutationOptions: () => UseMutationOptions<unknown, unknown, unknown, unknown>
}

/** Runs an operation by name: reads through `queryClient.fetchQuery` (always fresh), writes through its mutation options. */
const useOperation = (spec: OperationSpec) => {
  const kenar = useKenar() as unknown as Record<string, QueryFactory & MutationFactory>
  const queryClient = useQueryClient()
  const factory = kenar[spec.name]!
  return useMutation<unknown, unknown, unknown, unknown>(
    isQuery(spec.name)
      ? {
          mutationFn: (input) =>
            queryClient.fetchQuery(
              spec.fields.length === 0
                ? factory.queryOptions({ staleTime: 0 })
                : factory.queryOptions(input, { staleTime: 0 })
            )
        }
      : factory.mutationOptions()
  )
}

const FieldInput = ({
  field,
  value,
  onChange,
  options
}: {
  readonly field: Field
  readonly value: string | boolean
  readonly onChange: (value: string | boolean) => void
  readonly options: ReadonlyArray<{ readonly value: string; readonly label: string }>
}) => {
  const id = `field-${field.path}`
  const common = { id, name: field.path, "data-testid": id }
  switch (field.kind) {
    case "checkbox":
      return (
        <input
          {...common}
          type="checkbox"
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
        />
      )
    case "select":
      return (
        <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
          {field.options?.map((option) => (
            <option key={option} value={option}>
              {option === "" ? "(unchanged)" : option}
            </option>
          ))}
        </select>
      )
    case "textarea":
    case "list":
    case "json":
      return (
        <textarea
          {...common}
          dir={field.kind === "json" ? "ltr" : "auto"}
          rows={field.kind === "json" ? 3 : 2}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      )
    default:
      return (
        <>
          <input
            {...common}
            type="text"
            inputMode={field.kind === "number" ? "decimal" : undefined}
            dir="auto"
            autoComplete="off"
            list={options.length > 0 ? `${id}-options` : undefined}
            value={String(value)}
            onChange={(e) => onChange(e.target.value)}
          />
          {options.length > 0 && (
            <datalist id={`${id}-options`}>
              {options.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </datalist>
          )}
        </>
      )
  }
}

export const OperationScreen = ({
  spec,
  defaults,
  tokens,
  prefill
}: {
  readonly spec: OperationSpec
  readonly defaults: Defaults
  /** Known post tokens (demo data), offered in token fields. */
  readonly tokens: ReadonlyArray<{ readonly value: string; readonly label: string }>
  readonly prefill: Readonly<Record<string, string>>
}) => {
  const definition = definitionOf(spec.name)
  const [values, setValues] = useState<Values>(() => ({ ...initialValues(spec, defaults), ...prefill }))
  const [since, setSince] = useState<number | undefined>(undefined)
  const [formIssues, setFormIssues] = useState<Issues>([])
  const call = useOperation(spec)

  const run = (event: FormEvent) => {
    event.preventDefault()
    setFormIssues([])
    let input: unknown
    try {
      input = buildInput(spec, values)
    } catch (error) {
      if (!(error instanceof FormIssue)) throw error
      setFormIssues([{ field: error.field, rule: "form", message: error.message }])
      return
    }
    setSince(Date.now())
    call.mutate(input)
  }

  const issues = [...formIssues, ...issuesOf(call.error)]
  const known = new Set(spec.fields.map((field) => field.path))
  const loose = issues.filter(
    (issue) => ![...known].some((path) => issue.field === path || issue.field.startsWith(`${path}.`))
  )
  const mask = useMemo(() => {
    if (spec.name !== "editPostV2") return undefined
    try {
      return PostEdit.make(editChanges(values)).update_mask
    } catch {
      return undefined
    }
  }, [spec.name, values])

  return (
    <section className="screen" data-testid={`screen-${spec.name}`}>
      <header className="screen-head">
        <h2>
          {spec.name}
          {definition.deprecated === true && <span className="badge warn">deprecated</span>}
        </h2>
        <p>{definition.summary}</p>
        <p className="route">
          <code>{definition.method}</code> <code>{definition.path}</code>
        </p>
        <p className="scopes">
          API key permission <code>{definition.permission}</code>
          {definition.scopes !== undefined ? (
            <>
              {" "}
              + OAuth scope <code>{definition.scopes.join(" or ")}</code>
            </>
          ) : (
            " (acts as the app: no user token)"
          )}
        </p>
      </header>
      <form onSubmit={run} className="form" noValidate>
        {spec.fields.length === 0 && <p className="muted">No input.</p>}
        {spec.fields.map((field) => (
          <div className={`field kind-${field.kind}`} key={field.path}>
            <label htmlFor={`field-${field.path}`}>{field.label}</label>
            <FieldInput
              field={field}
              value={values[field.path] ?? ""}
              onChange={(value) => setValues((current) => ({ ...current, [field.path]: value }))}
              options={/token$/.test(field.path) && field.path !== "business_token" ? tokens : []}
            />
            {field.hint !== undefined && <small className="hint">{field.hint}</small>}
            <FieldIssues issues={issues} field={field.path} />
          </div>
        ))}
        {mask !== undefined && (
          <p className="mask" data-testid="update-mask">
            update_mask: <code>{JSON.stringify(mask)}</code>
          </p>
        )}
        {loose.length > 0 && (
          <ul className="issues" data-testid="issues-other">
            {loose.map((issue) => (
              <li key={`${issue.field}:${issue.rule}`}>
                <code>{issue.field || "(input)"}</code>: {issue.message} <code>{issue.rule}</code>
              </li>
            ))}
          </ul>
        )}
        <button type="submit" className="primary" disabled={call.isPending} data-testid="run">
          {call.isPending ? "Running…" : `Run ${spec.name}`}
        </button>
      </form>
      {since !== undefined && (
        <div className="result" data-testid="result">
          <LastCall operation={spec.name} since={since} />
          {call.isError && <ErrorView error={call.error} />}
          {call.isSuccess && (
            <>
              <Readable operation={spec.name} data={call.data} />
              <details open>
                <summary>JSON</summary>
                <Json value={call.data} />
              </details>
            </>
          )}
        </div>
      )}
    </section>
  )
}
