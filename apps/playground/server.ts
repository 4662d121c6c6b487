/**
 * The playground's server: ONE node:http server on 127.0.0.1 that serves
 *
 * - the React app through Vite (middleware mode, with hot reload),
 * - `/api/kenar/*`: `NodeKenarProxy`, which adds the API key and the signed-in
 *   user's token (kept per session by its OAuth routes) and forwards the 14
 *   Post operations, the uploads and `/api/kenar/oauth/{start,callback}`,
 * - `/__playground/session`: what the page needs to know (mode, signed in,
 *   demo tokens), and `/__playground/logout`,
 * - `/__simulator/*`: the simulator's admin endpoints, for the fault panel
 *   (simulator mode only).
 *
 * By default Kenar is the local simulator with demo data (seedDemo) on an
 * ephemeral port. With `KENAR_API_KEY` set, it is the real Kenar
 * (`KENAR_BASE_URL` or https://open-api.divar.ir; sign-in with
 * `KENAR_OAUTH_CLIENT_ID` + `KENAR_OAUTH_CLIENT_SECRET`, and
 * `KENAR_OAUTH_REDIRECT_URI` or `<url>/api/kenar/oauth/callback`).
 *
 * `tsx --conditions=@kenar/source server.ts [--port 5173]` (`PORT` works
 * too; 0 picks a free port). Ctrl-C stops everything.
 */
import { randomUUID } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { OAuthScope, type Operation, Posts } from "@kenar/core"
import { NodeKenarProxy } from "@kenar/node"
import { KenarSimulator, NodeSimulatorServer } from "@kenar/testing"
import * as Effect from "effect/Effect"
import { createServer as createViteServer, type ViteDevServer } from "vite"

/** The session cookie: which OAuth tokens (kept by the proxy) belong to this browser. */
export const SESSION_COOKIE = "kenar_playground_sid"

/** The client id of the OAuth client registered for the playground in the simulator. */
export const SIMULATOR_CLIENT_ID = "kenar-playground"

export interface Options {
  /** Default 5173; 0 picks a free port. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** Where `KENAR_*` settings are read from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** Vite's cache of pre-bundled dependencies (default `node_modules/.vite`). */
  readonly cacheDir?: string | undefined
}

export interface Playground {
  /** The app, e.g. `http://127.0.0.1:5173/`. */
  readonly url: string
  readonly mode: "simulator" | "kenar"
  /** The simulator (simulator mode only). */
  readonly sim: KenarSimulator.KenarSimulator | undefined
  readonly demo: KenarSimulator.Demo | undefined
  /** The simulator's own origin (simulator mode only). */
  readonly simulatorUrl: string | undefined
  /** Whether sign-in is configured. */
  readonly oauth: boolean
  readonly close: () => Promise<void>
}

/** What `/__playground/session` answers. */
export interface SessionInfo {
  readonly mode: "simulator" | "kenar"
  readonly signedIn: boolean
  readonly oauth: boolean
  readonly scopes: ReadonlyArray<string>
  readonly demo?: {
    readonly user: string
    readonly business: string
    readonly posts: ReadonlyArray<{ readonly token: string; readonly title: string; readonly state: string }>
  }
}

const cookieOf = (header: string | null | undefined, name: string): string | undefined =>
  new RegExp(`(?:^|;\\s*)${name}=([\\w-]+)`).exec(header ?? "")?.[1]

const sessionCookie = (sid: string) => `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax`

const json = (
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {}
) =>
  res
    .writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers })
    .end(JSON.stringify(body))

const listen = (server: http.Server, port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, host, () => {
      server.off("error", reject)
      resolve((server.address() as AddressInfo).port)
    })
  })

/** The scopes a sign-in asks for: every operation's, resource scopes filled where we know the resource. */
const scopesFor = (demo: KenarSimulator.Demo | undefined): ReadonlyArray<string> => {
  const entries: Array<OAuthScope.OperationEntry> = Object.values(Posts.all)
    .map((operation) => operation.definition as Operation.Any)
    .filter((definition) => definition.scopes?.some((scope) => !scope.includes("{")))
  if (demo !== undefined) {
    for (const post_token of demo.posts) entries.push([Posts.editPost, { post_token }])
    entries.push([Posts.createBusinessCustomizedButton, { business_token: demo.business }])
  }
  return Effect.runSync(OAuthScope.forOperations(entries, { offlineAccess: true }))
}

/** Starts the simulator (unless `KENAR_API_KEY` is set), the proxy and Vite behind one server. */
export const startPlayground = async (options: Options = {}): Promise<Playground> => {
  const env = options.env ?? process.env
  const host = options.host ?? "127.0.0.1"
  const mode = env.KENAR_API_KEY ? "kenar" : "simulator"
  const root = fileURLToPath(new URL(".", import.meta.url))

  const server = http.createServer()
  const port = await listen(server, options.port ?? 5173, host)
  const origin = `http://${host}:${port}`

  let sim: KenarSimulator.KenarSimulator | undefined
  let demo: KenarSimulator.Demo | undefined
  let upstream: NodeSimulatorServer.Server | undefined
  let oauth: NodeKenarProxy.OAuthOptions["settings"] | undefined
  const redirectUri = `${origin}${NodeKenarProxy.DEFAULT_PREFIX}/oauth/callback`

  if (mode === "simulator") {
    sim = KenarSimulator.make()
    demo = KenarSimulator.seedDemo(sim)
    upstream = await NodeSimulatorServer.listen(sim, { host: "127.0.0.1", port: 0 })
    // The demo client's redirect URIs are fixed (port 5173, `/oauth/callback`), while the proxy's
    // callback is `/api/kenar/oauth/callback` on whatever port we got: register the playground's
    // own client for the demo app (same API key), with this exact redirect URI.
    const client = sim.addOAuthClient({
      clientId: SIMULATOR_CLIENT_ID,
      apiKey: demo.apiKey,
      redirectUris: [redirectUri]
    })
    oauth = {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      redirectUri,
      authorizeUrl: `${upstream.url}/oauth2/auth`,
      tokenUrl: `${upstream.url}/oauth2/token`
    }
  } else if (env.KENAR_OAUTH_CLIENT_ID && env.KENAR_OAUTH_CLIENT_SECRET) {
    oauth = {
      clientId: env.KENAR_OAUTH_CLIENT_ID,
      clientSecret: env.KENAR_OAUTH_CLIENT_SECRET,
      redirectUri: env.KENAR_OAUTH_REDIRECT_URI || redirectUri
    }
  }

  const scopes = scopesFor(demo)
  const signedIn = new Set<string>()
  const sidOf = (request: Request) => cookieOf(request.headers.get("cookie"), SESSION_COOKIE)
  const proxy = NodeKenarProxy.make({
    // a local playground for the key's owner: every operation, the app-level ones included
    operations: Object.values(Posts.all),
    apiKey: demo?.apiKey ?? env.KENAR_API_KEY,
    baseUrl: upstream?.url ?? env.KENAR_BASE_URL,
    uploads: true,
    oauth:
      oauth === undefined
        ? undefined
        : {
            settings: oauth,
            scopes,
            sessionKey: sidOf,
            onLogin: (_tokens, request) => {
              const sid = sidOf(request)
              if (sid !== undefined) signedIn.add(sid)
            },
            defaultReturnTo: "/"
          }
  })
  const kenar = NodeKenarProxy.toNodeListener(proxy)

  const vite: ViteDevServer = await createViteServer({
    root,
    configFile: `${root}vite.config.ts`,
    server: { middlewareMode: true, hmr: { server } },
    appType: "spa",
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir })
  })

  const session = (sid: string | undefined): SessionInfo => ({
    mode,
    signedIn: sid !== undefined && signedIn.has(sid),
    oauth: oauth !== undefined,
    scopes,
    ...(sim === undefined || demo === undefined
      ? {}
      : {
          demo: {
            user: demo.user,
            business: demo.business,
            posts: sim
              .summary()
              .posts.filter((post) => post.owner === demo!.user && post.state !== "POST_STATE_DELETED")
              .map(({ token, title, state }) => ({ token, title, state }))
          }
        })
  })

  const toSimulator = async (req: http.IncomingMessage, res: http.ServerResponse, path: string) => {
    const chunks: Array<Buffer> = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const answer = await fetch(`${upstream!.url}${path}`, {
      method: req.method ?? "GET",
      headers: { "content-type": "application/json" },
      ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) })
    })
    res.writeHead(answer.status, { "content-type": "application/json", "cache-control": "no-store" })
    res.end(Buffer.from(await answer.arrayBuffer()))
  }

  server.on("request", (req, res) => {
    const url = new URL(req.url ?? "/", origin)
    let sid = cookieOf(req.headers.cookie, SESSION_COOKIE)
    if (url.pathname.startsWith(`${proxy.prefix}/`)) return kenar(req, res)
    const internal = url.pathname.startsWith("/__playground/") || url.pathname.startsWith("/__simulator/")
    if (internal && req.headers["sec-fetch-site"] === "cross-site") {
      return json(res, 403, { code: 7, message: "cross-site request refused", details: [] })
    }
    if (url.pathname === "/__playground/session" && req.method === "GET") {
      return json(res, 200, session(sid))
    }
    if (url.pathname === "/__playground/logout" && req.method === "POST") {
      if (sid !== undefined) signedIn.delete(sid)
      return json(res, 200, session(undefined), { "set-cookie": sessionCookie(randomUUID()) })
    }
    if (url.pathname.startsWith("/__simulator/")) {
      if (upstream === undefined) return json(res, 404, { code: 5, message: "Not Found", details: [] })
      return void toSimulator(req, res, url.pathname + url.search).catch((error: unknown) =>
        json(res, 502, { code: 14, message: String(error), details: [] })
      )
    }
    if (sid === undefined) {
      sid = randomUUID()
      res.setHeader("set-cookie", sessionCookie(sid))
    }
    vite.middlewares(req, res, () => res.writeHead(404, { "content-type": "text/plain" }).end("not found"))
  })

  const close = async () => {
    await vite.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await proxy.dispose()
    await upstream?.close()
  }

  return {
    url: `${origin}/`,
    mode,
    sim,
    demo,
    simulatorUrl: upstream?.url,
    oauth: oauth !== undefined,
    close
  }
}

const portArgument = (argv: ReadonlyArray<string>): number | undefined => {
  const index = argv.findIndex((arg) => arg === "--port" || arg.startsWith("--port="))
  if (index === -1) return undefined
  const value = argv[index]!.includes("=") ? argv[index]!.split("=")[1] : argv[index + 1]
  return Number(value)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const raw = portArgument(process.argv) ?? (process.env.PORT ? Number(process.env.PORT) : 5173)
  if (!Number.isInteger(raw) || raw < 0 || raw > 65535) {
    console.error(`kenar playground: invalid port ${raw}`)
    process.exit(2)
  }
  const playground = await startPlayground({ port: raw })
  console.log(`\n  Kenar playground: ${playground.url}\n`)
  if (playground.mode === "simulator") {
    console.log(`  Kenar:    the local simulator on ${playground.simulatorUrl} (demo data, fault injection)`)
    console.log(`  Sign in:  "Sign in with Divar" on the page, then approve on the simulator's consent page`)
    console.log(`  Demo:     user ${playground.demo!.user}, business ${playground.demo!.business}`)
  } else {
    console.log(`  Kenar:    ${process.env.KENAR_BASE_URL ?? "https://open-api.divar.ir"} (KENAR_API_KEY)`)
    console.log(
      `  Sign in:  ${playground.oauth ? "configured" : "off (set KENAR_OAUTH_CLIENT_ID and KENAR_OAUTH_CLIENT_SECRET)"}`
    )
  }
  console.log("\n  Open the URL, start with the Story tab. Ctrl-C stops everything.\n")
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    void playground.close().then(() => process.exit(0))
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}
