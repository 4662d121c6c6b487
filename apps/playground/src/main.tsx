import { BrowserOAuth, BrowserUploads } from "@kenar/browser"
import { KenarProvider } from "@kenar/react"
import { QueryClient, QueryClientProvider } from "@tanstack/react-query"
import { StrictMode } from "react"
import { createRoot } from "react-dom/client"
import { App } from "./App.js"
import { KenarLive } from "./kenar.js"
import "./styles.css"

// read (and remove from the address bar) the outcome of a sign-in we come back from
const loginResult = BrowserOAuth.readLoginResult()

const queryClient = new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false } } })
// uploads for the upload hooks: XHR through the proxy, with progress
const uploads = BrowserUploads.makePromise(KenarLive)

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <KenarProvider layer={KenarLive} uploads={uploads}>
        <App loginResult={loginResult} />
      </KenarProvider>
    </QueryClientProvider>
  </StrictMode>
)
