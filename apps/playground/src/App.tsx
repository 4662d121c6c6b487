/**
 * The page: a header (mode, sign-in), the screens (hash routes: `#/story`,
 * `#/op/<operation>?<field>=<value>`), and a side column with the fault
 * panel (simulator only) and the call log.
 */
import type { BrowserOAuth } from "@kenar/browser"
import { kenarKeys } from "@kenar/react"
import { useQuery, useQueryClient } from "@tanstack/react-query"
import { useEffect, useState } from "react"
import { CallLog } from "./CallLog.js"
import { FaultPanel } from "./FaultPanel.js"
import { fetchSession, type Session, signOut } from "./kenar.js"
import { OperationScreen } from "./OperationScreen.js"
import { isQuery, specOf, specs } from "./operations.js"
import { Story } from "./Story.js"

const useHash = () => {
  const [hash, setHash] = useState(() => window.location.hash)
  useEffect(() => {
    const changed = () => setHash(window.location.hash)
    window.addEventListener("hashchange", changed)
    return () => window.removeEventListener("hashchange", changed)
  }, [])
  return hash
}

const parseRoute = (hash: string) => {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?")
  const operation = /^\/op\/(\w+)$/.exec(path)?.[1]
  return { operation, params: Object.fromEntries(new URLSearchParams(query)) }
}

const Nav = ({ current }: { readonly current: string | undefined }) => (
  <nav className="nav" aria-label="screens">
    <a href="#/story" className={current === undefined ? "current" : ""}>
      Story
    </a>
    <span className="group">Read</span>
    {specs
      .filter((spec) => isQuery(spec.name))
      .map((spec) => (
        <a key={spec.name} href={`#/op/${spec.name}`} className={current === spec.name ? "current" : ""}>
          {spec.name}
        </a>
      ))}
    <span className="group">Write</span>
    {specs
      .filter((spec) => !isQuery(spec.name))
      .map((spec) => (
        <a key={spec.name} href={`#/op/${spec.name}`} className={current === spec.name ? "current" : ""}>
          {spec.name}
        </a>
      ))}
  </nav>
)

export const App = ({ loginResult }: { readonly loginResult: BrowserOAuth.LoginResult | undefined }) => {
  const queryClient = useQueryClient()
  const hash = useHash()
  const route = parseRoute(hash)
  const [banner, setBanner] = useState(loginResult)
  const session = useQuery({ queryKey: ["playground", "session"], queryFn: fetchSession })

  const onSignedOut = async () => {
    await signOut()
    // tokens are not part of the keys: drop what the previous user read
    queryClient.removeQueries({ queryKey: kenarKeys.all })
    await queryClient.invalidateQueries({ queryKey: ["playground", "session"] })
  }

  if (session.data === undefined) {
    return (
      <p className="loading">
        {session.isError ? `Cannot reach the playground server: ${session.error.message}` : "Loading…"}
      </p>
    )
  }
  const data: Session = session.data
  const defaults = { post: data.demo?.posts[0]?.token ?? "", business: data.demo?.business ?? "" }
  const tokens = (data.demo?.posts ?? []).map((post) => ({ value: post.token, label: post.title }))
  const spec = route.operation === undefined ? undefined : specOf(route.operation)
  const prefill: Record<string, string> = {}
  if (route.params.token !== undefined) {
    prefill.token = route.params.token
    prefill.post_token = route.params.token
  }

  return (
    <div className="app">
      <header className="top">
        <h1>
          <a className="brand" href="#/story">
            Kenar playground
          </a>
        </h1>
        <span className={`badge ${data.mode}`} data-testid="mode">
          {data.mode === "simulator" ? "local simulator" : "open-api.divar.ir"}
        </span>
        <span className="session" data-testid="session">
          {data.signedIn ? `signed in${data.demo ? ` · ${data.demo.user}` : ""}` : "not signed in"}
        </span>
        {data.signedIn && (
          <button type="button" className="link" onClick={() => void onSignedOut()}>
            sign out
          </button>
        )}
      </header>
      {banner !== undefined && (
        <div className={`banner ${banner._tag === "LoginSuccess" ? "ok" : "no"}`} data-testid="login-banner">
          {banner._tag === "LoginSuccess"
            ? "Signed in with Divar."
            : banner.error === "access_denied"
              ? "You did not allow access."
              : banner.message}
          <button type="button" className="link" onClick={() => setBanner(undefined)}>
            dismiss
          </button>
        </div>
      )}
      <div className="layout">
        <Nav current={spec?.name} />
        <main>
          {spec === undefined ? (
            <Story session={data} onSignedOut={() => void onSignedOut()} />
          ) : (
            <OperationScreen key={hash} spec={spec} defaults={defaults} tokens={tokens} prefill={prefill} />
          )}
        </main>
        <aside>
          {data.mode === "simulator" && <FaultPanel />}
          <CallLog />
        </aside>
      </div>
    </div>
  )
}
