/**
 * Everything a browser test needs, on 127.0.0.1 and ephemeral ports: the
 * Kenar simulator (upstream), and one node:http server (the app's origin)
 * that serves a test page, a bundle of the browser package built from
 * source with esbuild, and three `NodeKenarProxy`s:
 *
 * - `/api/kenar`: the default; the user's token comes from the session
 *   (cookie `sid`, signed in unless the page was opened with `?anonymous`);
 *   uploads on (24 MiB limit);
 * - `/token-proxy`: for apps that keep the token in the browser
 *   (`forwardClientToken: true`, no session);
 * - `/oauth-app/kenar`: with the OAuth routes, tokens kept per session.
 *
 * and `/redirect/...`, which answers every request with a redirect to
 * `/api/kenar/...`, and `/broken/...`, which announces a JSON body of 1000
 * bytes and breaks the connection after 10. Chromium is Debian's, driven by
 * playwright-core.
 */
import { randomUUID } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { OAuthScope, Posts } from "@kenar/core"
// Until `@kenar/node`'s index exports NodeKenarProxy, the module is imported from source.
import { NodeKenarProxy } from "@kenar/node"
import { KenarSimulator, NodeSimulatorServer } from "@kenar/testing"
import * as esbuild from "esbuild"
import { type Browser, chromium, type Page } from "playwright-core"

export const CHROMIUM = process.env.KENAR_CHROMIUM ?? "/usr/bin/chromium"

/** Builds a browser bundle of a test fixture, `@kenar/*` resolved to source. */
export const bundle = async (
  fixture: string,
  options: { readonly minify?: boolean } = {}
): Promise<string> => {
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@kenar/source"],
    minify: options.minify ?? false,
    write: false,
    logLevel: "silent"
  })
  return result.outputFiles[0]!.text
}

export interface Seen {
  readonly method: string
  readonly path: string
  readonly headers: http.IncomingHttpHeaders
}

export interface Harness {
  readonly sim: KenarSimulator.KenarSimulator
  readonly demo: KenarSimulator.Demo
  /** The app's origin (page, bundle, proxies). */
  readonly origin: string
  /** Requests that reached the app's server, as the browser sent them. */
  readonly seen: Array<Seen>
  /** Events of the default proxy. */
  readonly events: Array<NodeKenarProxy.Event>
  readonly browser: Browser
  /** A fresh browser context (own cookies) with the test page loaded at `path`. */
  readonly open: (path?: string) => Promise<Page>
  readonly close: () => Promise<void>
}

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kenar browser test</title>
<script type="module" src="/bundle.js"></script></head><body><p>kenar</p></body></html>`

const cookieOf = (request: Request | http.IncomingMessage, name: string): string | undefined => {
  const header = request instanceof Request ? request.headers.get("cookie") : request.headers.cookie
  return new RegExp(`(?:^|;\\s*)${name}=([\\w-]+)`).exec(header ?? "")?.[1]
}

const listen = async (server: http.Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

export const startHarness = async (): Promise<Harness> => {
  const script = await bundle("page.ts")
  const sim = KenarSimulator.make()
  const demo = KenarSimulator.seedDemo(sim)
  const upstream = await NodeSimulatorServer.listen(sim)
  const sessions = new Map<string, string>()
  const seen: Array<Seen> = []
  const events: Array<NodeKenarProxy.Event> = []

  let listeners: Record<string, http.RequestListener> = {}
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://app.invalid")
    seen.push({ method: req.method ?? "GET", path: url.pathname, headers: req.headers })
    for (const [prefix, listener] of Object.entries(listeners)) {
      if (url.pathname.startsWith(`${prefix}/`)) return listener(req, res)
    }
    if (url.pathname.startsWith("/redirect/")) {
      res.writeHead(302, { location: url.pathname.replace("/redirect/", "/api/kenar/") + url.search }).end()
      return
    }
    if (url.pathname.startsWith("/broken/")) {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
      res.write('{"general_')
      setTimeout(() => res.destroy(), 20)
      return
    }
    if (req.method === "GET" && url.pathname === "/bundle.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" })
      res.end(script)
      return
    }
    if (req.method === "GET" && !url.pathname.startsWith("/api/")) {
      const headers: Record<string, string> = {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store"
      }
      if (cookieOf(req, "sid") === undefined) {
        const sid = randomUUID()
        if (!url.searchParams.has("anonymous")) sessions.set(sid, demo.accessToken)
        headers["set-cookie"] = `sid=${sid}; Path=/; HttpOnly; SameSite=Lax`
      }
      res.writeHead(200, headers).end(page)
      return
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found")
  })
  const origin = await listen(server)

  sim.addOAuthClient({
    clientId: "browser-app",
    clientSecret: "browser-app-secret-0042",
    redirectUris: [`${origin}/oauth-app/kenar/oauth/callback`],
    apiKey: demo.apiKey
  })
  sim.oauth.autoApprove = true

  const common = { apiKey: demo.apiKey, baseUrl: upstream.url, operations: Object.values(Posts.all) }
  const main = NodeKenarProxy.make({
    ...common,
    accessToken: (request) => sessions.get(cookieOf(request, "sid") ?? ""),
    uploads: { maxBytes: 24 * 1024 * 1024 },
    onEvent: (event) => events.push(event)
  })
  const tokenProxy = NodeKenarProxy.make({ ...common, prefix: "/token-proxy", forwardClientToken: true })
  const oauthProxy = NodeKenarProxy.make({
    ...common,
    prefix: "/oauth-app/kenar",
    oauth: {
      settings: {
        clientId: "browser-app",
        clientSecret: "browser-app-secret-0042",
        redirectUri: `${origin}/oauth-app/kenar/oauth/callback`,
        authorizeUrl: `${upstream.url}/oauth2/auth`,
        tokenUrl: `${upstream.url}/oauth2/token`
      },
      scopes: [OAuthScope.USER_POSTS_GET, OAuthScope.USER_POSTS_STATS_READ],
      sessionKey: (request) => cookieOf(request, "sid")
    }
  })
  listeners = {
    "/api/kenar": NodeKenarProxy.toNodeListener(main),
    "/token-proxy": NodeKenarProxy.toNodeListener(tokenProxy),
    "/oauth-app/kenar": NodeKenarProxy.toNodeListener(oauthProxy)
  }

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
  })

  const open = async (path = "/") => {
    const context = await browser.newContext()
    const tab = await context.newPage()
    await tab.goto(`${origin}${path}`)
    await tab.waitForFunction(() => window.kenar !== undefined)
    return tab
  }

  const close = async () => {
    await browser.close()
    await Promise.all([main.dispose(), tokenProxy.dispose(), oauthProxy.dispose()])
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await upstream.close()
  }

  return { sim, demo, origin, seen, events, browser, open, close }
}
