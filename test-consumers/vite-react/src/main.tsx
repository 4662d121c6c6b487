// A React app on the packed @kenar/react and @kenar/browser: the Vite build
// must bundle it for browsers (no node:* import may leak in).
import { BrowserKenarClient } from "@kenar/browser"
import { PostEdit } from "@kenar/core"
import { KenarProvider, useEditPostV2, useKenar, useUserPost } from "@kenar/react"
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query"
import { StrictMode } from "react"
import { createRoot } from "react-dom/client"

const queryClient = new QueryClient()
const KenarLive = BrowserKenarClient.layer({ baseUrl: "/api/kenar" })

function Post({ token }: { readonly token: string }) {
  const post = useUserPost({ token })
  const stats = useQuery(useKenar().getPostStats.queryOptions({ post_token: token }))
  const edit = useEditPostV2()
  if (post.isPending) return <p>…</p>
  if (post.isError) {
    // post.error is the operation's typed union
    return <p>{post.error._tag === "NotFoundError" ? "gone" : post.error.message}</p>
  }
  return (
    <article>
      <h1>{post.data.general_data.title}</h1>
      <p>{stats.data?.views.total ?? 0} views</p>
      <button
        type="button"
        disabled={edit.isPending}
        onClick={() =>
          edit.mutate({ post_token: token, ...PostEdit.make({ general_data: { title: "New title" } }) })
        }
      >
        rename
      </button>
    </article>
  )
}

const root = document.getElementById("root")
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <KenarProvider layer={KenarLive}>
          <Post token="AaEB0vbO" />
        </KenarProvider>
      </QueryClientProvider>
    </StrictMode>
  )
}
