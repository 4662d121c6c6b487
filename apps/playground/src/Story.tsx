/**
 * The end-to-end story, with `@kenar/react`'s hooks: sign in, check the
 * user may submit, upload photos (drag and drop, with progress), submit a
 * post, read it, edit it with a field mask, read its stats, set and delete
 * a customized button, delete it, and read it again (NotFoundError).
 */
import { BrowserOAuth } from "@kenar/browser"
import { PostEdit } from "@kenar/core"
import {
  useCanUserSubmitPost,
  useDeletePostCustomizedButton,
  useDeleteUserPost,
  useEditPostV2,
  usePostStats,
  useSetPostCustomizedButton,
  useSubmitUserPost,
  useUploadImage,
  useUserPost
} from "@kenar/react"
import { type DragEvent, type ReactNode, useEffect, useState } from "react"
import { type Session, simulatorAdmin } from "./kenar.js"
import { ErrorView, FieldIssues, issuesOf, LastCall, PostCard, StatsView } from "./views.js"

const Step = ({
  n,
  title,
  children,
  done,
  id
}: {
  readonly n: number
  readonly title: string
  readonly children: ReactNode
  readonly done?: boolean
  readonly id: string
}) => (
  <section className={`step${done ? " done" : ""}`} data-testid={`step-${id}`}>
    <h3>
      <span className="n">{done ? "✓" : n}</span> {title}
    </h3>
    {children}
  </section>
)

interface Photo {
  readonly id: number
  readonly name: string
  readonly preview: string
  readonly status: "waiting" | "uploading" | "done" | "failed"
  readonly path?: string
  readonly error?: unknown
}

let photoIds = 0

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

const Photos = ({ onChange }: { readonly onChange: (paths: ReadonlyArray<string>) => void }) => {
  const upload = useUploadImage()
  const [photos, setPhotos] = useState<ReadonlyArray<Photo>>([])
  const [over, setOver] = useState(false)
  const [uploadingId, setUploadingId] = useState<number | undefined>(undefined)

  useEffect(() => {
    onChange(photos.flatMap((photo) => (photo.path === undefined ? [] : [photo.path])))
  }, [photos, onChange])

  const update = (id: number, patch: Partial<Photo>) =>
    setPhotos((current) => current.map((photo) => (photo.id === id ? { ...photo, ...patch } : photo)))

  const add = async (files: ReadonlyArray<File>) => {
    const added = files.map((file) => ({
      id: ++photoIds,
      name: file.name,
      preview: URL.createObjectURL(file),
      status: "waiting" as const,
      file
    }))
    setPhotos((current) => [...current, ...added.map(({ file: _, ...photo }) => photo)])
    for (const { id, file } of added) {
      setUploadingId(id)
      update(id, { status: "uploading" })
      try {
        const result = await upload.mutateAsync(file)
        update(id, { status: "done", path: result.path })
      } catch (error) {
        update(id, { status: "failed", error })
      }
    }
    setUploadingId(undefined)
  }

  const drop = (event: DragEvent) => {
    event.preventDefault()
    setOver(false)
    void add([...event.dataTransfer.files])
  }

  return (
    <div>
      <label
        className={`dropzone${over ? " over" : ""}`}
        data-testid="dropzone"
        onDragOver={(event) => {
          event.preventDefault()
          setOver(true)
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
      >
        <span>Drop JPEG, PNG or WebP photos here, or tap to choose</span>
        <input
          type="file"
          accept="image/jpeg,image/png,image/webp"
          multiple
          data-testid="file-input"
          onChange={(event) => {
            void add([...(event.target.files ?? [])])
            event.target.value = ""
          }}
        />
      </label>
      {photos.length > 0 && (
        <ul className="photos" data-testid="photos">
          {photos.map((photo) => (
            <li key={photo.id} className={photo.status} data-testid="photo">
              <img src={photo.preview} alt={photo.name} />
              <div>
                <span className="name">{photo.name}</span>
                {photo.id === uploadingId && upload.progress !== undefined && (
                  <>
                    <progress
                      value={upload.progress.sent}
                      max={upload.progress.total ?? 1}
                      data-testid="upload-progress"
                    />
                    <small>
                      {kb(upload.progress.sent)} of {kb(upload.progress.total ?? 0)} sent
                      {upload.progress.attempt > 1 ? ` (attempt ${upload.progress.attempt})` : ""}
                      {upload.progress.sent === upload.progress.total ? ", waiting for Kenar" : ""}
                    </small>
                  </>
                )}
                {photo.status === "done" && <code data-testid="photo-path">{photo.path}</code>}
                {photo.status === "failed" && <ErrorView error={photo.error} />}
              </div>
            </li>
          ))}
        </ul>
      )}
      <LastCall operation="uploadImage" />
    </div>
  )
}

const rooms = ["یک", "دو", "سه", "چهار"]

export const Story = ({
  session,
  onSignedOut
}: {
  readonly session: Session
  readonly onSignedOut: () => void
}) => {
  const signedIn = session.signedIn
  const [images, setImages] = useState<ReadonlyArray<string>>([])
  const [token, setToken] = useState<string | undefined>(undefined)
  const [form, setForm] = useState({
    business: session.demo?.business ?? "",
    title: "آپارتمان ۷۵ متری، نورگیر و دنج",
    description: "دو خواب، طبقه سوم، بازسازی شده. فقط در چت پاسخگو هستم.",
    size: "75",
    rooms: "دو",
    price: "9800000000"
  })
  const [edit, setEdit] = useState({ title: "آپارتمان ۷۵ متری، قیمت توافقی", price: "9500000000" })
  const [deleted, setDeleted] = useState(false)

  const canSubmit = useCanUserSubmitPost({ enabled: signedIn })
  const submit = useSubmitUserPost({ onSuccess: (answer) => setToken(answer.post_token) })
  const post = useUserPost({ token: token ?? "" }, { enabled: token !== undefined && !deleted })
  const changes = {
    general_data: { title: edit.title },
    category_data: { price: Number(edit.price) }
  } satisfies PostEdit.Changes
  const editBody = PostEdit.make(changes)
  const editPost = useEditPostV2()
  const stats = usePostStats({ post_token: token ?? "" }, { enabled: token !== undefined && !deleted })
  const setButton = useSetPostCustomizedButton()
  const deleteButton = useDeletePostCustomizedButton()
  const remove = useDeleteUserPost({ onSuccess: () => setDeleted(true) })
  const [readAgain, setReadAgain] = useState<{ readonly since: number } | undefined>(undefined)
  const [buttonState, setButtonState] = useState<"none" | "set" | "deleted">("none")

  const submitIssues = issuesOf(submit.error)

  return (
    <div className="story" data-testid="story">
      <h2>The story: a post from sign-in to deletion</h2>
      <p className="muted">
        Each step calls one operation through <code>@kenar/react</code>; the call log shows its attempts and
        timing.
        {session.mode === "simulator" &&
          " Inject faults in the fault panel to watch retries and typed errors."}
      </p>

      <Step n={1} id="signin" title="Sign in with Divar" done={signedIn}>
        {signedIn ? (
          <p className="ok" data-testid="signed-in">
            ✓ Signed in{session.demo ? ` as ${session.demo.user}` : ""}: the proxy keeps the user's token in
            your session, the browser never sees it.
          </p>
        ) : session.oauth ? (
          <>
            <p>
              OAuth through the proxy's routes: you approve on Divar's consent page (the simulator's here).
            </p>
            <button
              type="button"
              className="primary"
              data-testid="sign-in"
              onClick={() => BrowserOAuth.startLogin({ returnTo: "/#/story" })}
            >
              Sign in with Divar
            </button>
          </>
        ) : (
          <p className="muted">
            Sign-in is not configured (KENAR_OAUTH_CLIENT_ID, KENAR_OAUTH_CLIENT_SECRET).
          </p>
        )}
        {signedIn && (
          <button type="button" className="link" onClick={onSignedOut}>
            Sign out
          </button>
        )}
      </Step>

      <Step
        n={2}
        id="can-submit"
        title="May the user submit a post?"
        done={canSubmit.data?.can_submit === true}
      >
        {!signedIn && <p className="muted">Sign in first.</p>}
        {canSubmit.data !== undefined && (
          <p className={canSubmit.data.can_submit ? "ok" : "no"} data-testid="can-submit">
            {canSubmit.data.can_submit ? "✓ Yes, the user can submit a post" : "✗ No, not now"}
          </p>
        )}
        {canSubmit.isError && <ErrorView error={canSubmit.error} />}
        {signedIn && (
          <button type="button" onClick={() => void canSubmit.refetch()}>
            Check again
          </button>
        )}
        <LastCall operation="canUserSubmitPost" />
      </Step>

      <Step n={3} id="photos" title="Upload photos" done={images.length > 0}>
        <Photos onChange={setImages} />
      </Step>

      <Step n={4} id="submit" title="Submit the post" done={token !== undefined}>
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault()
            submit.mutate({
              business_token: form.business,
              general_data: {
                category_slug: "apartment-sell",
                title: form.title,
                description: form.description,
                images,
                city: "tehran",
                district: "abshar",
                location_type: "LOCATION_TYPE_APPROXIMATE",
                hide_phone: true,
                chat_enabled: true
              },
              category_fields: { size: Number(form.size), rooms: form.rooms, price: Number(form.price) }
            })
          }}
        >
          {(
            [
              ["title", "general_data.title", "Title"],
              ["description", "general_data.description", "Description"]
            ] as const
          ).map(([key, path, label]) => (
            <div className="field" key={key}>
              <label htmlFor={`story-${key}`}>{label}</label>
              <input
                id={`story-${key}`}
                data-testid={`story-${key}`}
                dir="auto"
                value={form[key]}
                onChange={(e) => setForm({ ...form, [key]: e.target.value })}
              />
              <FieldIssues issues={submitIssues} field={path} />
            </div>
          ))}
          <div className="row">
            <div className="field">
              <label htmlFor="story-size">Size (m²)</label>
              <input
                id="story-size"
                inputMode="numeric"
                value={form.size}
                onChange={(e) => setForm({ ...form, size: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="story-rooms">Rooms</label>
              <select
                id="story-rooms"
                dir="auto"
                value={form.rooms}
                onChange={(e) => setForm({ ...form, rooms: e.target.value })}
              >
                {rooms.map((room) => (
                  <option key={room}>{room}</option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="story-price">Price (rial)</label>
              <input
                id="story-price"
                inputMode="numeric"
                value={form.price}
                onChange={(e) => setForm({ ...form, price: e.target.value })}
              />
            </div>
          </div>
          <div className="field">
            <label htmlFor="story-business">business_token</label>
            <input
              id="story-business"
              value={form.business}
              onChange={(e) => setForm({ ...form, business: e.target.value })}
            />
            <FieldIssues issues={submitIssues} field="business_token" />
          </div>
          <p className="muted">
            {images.length} photo{images.length === 1 ? "" : "s"} attached.
          </p>
          <button
            type="submit"
            className="primary"
            disabled={!signedIn || submit.isPending}
            data-testid="submit"
          >
            {submit.isPending ? "Submitting…" : "Submit post"}
          </button>
        </form>
        {submit.isError && <ErrorView error={submit.error} />}
        {token !== undefined && (
          <p className="ok" data-testid="post-token">
            ✓ Submitted: <code>{token}</code>
          </p>
        )}
        <LastCall operation="submitUserPost" />
      </Step>

      <Step n={5} id="read" title="See it" done={post.isSuccess && !deleted}>
        {token === undefined && <p className="muted">Submit a post first.</p>}
        {post.data !== undefined && !deleted && <PostCard post={post.data} token={token} />}
        {post.isError && <ErrorView error={post.error} />}
        <LastCall operation="getUserPost" />
      </Step>

      <Step n={6} id="edit" title="Edit it with a field mask" done={editPost.isSuccess}>
        <div className="row">
          <div className="field">
            <label htmlFor="edit-title">New title</label>
            <input
              id="edit-title"
              data-testid="edit-title"
              dir="auto"
              value={edit.title}
              onChange={(e) => setEdit({ ...edit, title: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="edit-price">New price</label>
            <input
              id="edit-price"
              inputMode="numeric"
              value={edit.price}
              onChange={(e) => setEdit({ ...edit, price: e.target.value })}
            />
          </div>
        </div>
        <p className="mask">
          <code>PostEdit.make(…)</code> sends update_mask{" "}
          <code data-testid="edit-mask">{JSON.stringify(editBody.update_mask)}</code>
        </p>
        <button
          type="button"
          className="primary"
          data-testid="save-edit"
          disabled={token === undefined || deleted || editPost.isPending}
          onClick={() => editPost.mutate({ post_token: token!, ...editBody })}
        >
          Save edit
        </button>
        {editPost.isSuccess && (
          <p className="ok" data-testid="edited">
            ✓ Saved: the post above shows the new title.
          </p>
        )}
        {editPost.isError && <ErrorView error={editPost.error} />}
        <LastCall operation="editPostV2" />
      </Step>

      <Step n={7} id="stats" title="See its stats" done={stats.isSuccess && !deleted}>
        {stats.data !== undefined && !deleted && <StatsView stats={stats.data} />}
        {stats.isError && <ErrorView error={stats.error} />}
        {session.mode === "simulator" && token !== undefined && !deleted && (
          <button
            type="button"
            onClick={() =>
              void simulatorAdmin(`posts/${token}/stats`, {
                method: "POST",
                body: { views: 25, impressions: 140, chats: 2 }
              }).then(() => stats.refetch())
            }
          >
            Simulate visitors (25 views)
          </button>
        )}
        <LastCall operation="getPostStats" />
      </Step>

      <Step n={8} id="button" title="Set and delete a customized button" done={buttonState === "deleted"}>
        <div className="actions">
          <button
            type="button"
            data-testid="set-button"
            disabled={token === undefined || deleted || setButton.isPending}
            onClick={() =>
              setButton.mutate(
                {
                  post_token: token!,
                  customized_button: {
                    type: "ONLINE_CALL",
                    action: { open_direct_link: "https://example.com/call" }
                  }
                },
                { onSuccess: () => setButtonState("set") }
              )
            }
          >
            Set “online call” button
          </button>
          <button
            type="button"
            data-testid="delete-button"
            disabled={token === undefined || deleted || deleteButton.isPending}
            onClick={() =>
              deleteButton.mutate({ post_token: token! }, { onSuccess: () => setButtonState("deleted") })
            }
          >
            Delete the button
          </button>
        </div>
        {buttonState !== "none" && (
          <p className="ok" data-testid="button-state">
            {buttonState === "set" ? "✓ The post has an online-call button" : "✓ The button is deleted"}
          </p>
        )}
        {setButton.isError && <ErrorView error={setButton.error} />}
        {deleteButton.isError && <ErrorView error={deleteButton.error} />}
        <LastCall
          operation={buttonState === "set" ? "setPostCustomizedButton" : "deletePostCustomizedButton"}
        />
      </Step>

      <Step n={9} id="delete" title="Delete the post" done={deleted}>
        <button
          type="button"
          className="danger"
          data-testid="delete-post"
          disabled={token === undefined || deleted || remove.isPending}
          onClick={() => remove.mutate({ post_token: token! })}
        >
          Delete the post
        </button>
        {deleted && (
          <>
            <p className="ok" data-testid="deleted">
              ✓ Deleted.
            </p>
            <button
              type="button"
              data-testid="read-again"
              onClick={() => setReadAgain({ since: Date.now() })}
            >
              Read it again
            </button>
          </>
        )}
        {remove.isError && <ErrorView error={remove.error} />}
        {readAgain !== undefined && token !== undefined && (
          <ReadAgain token={token} since={readAgain.since} />
        )}
        <LastCall operation="deleteUserPost" />
      </Step>
    </div>
  )
}

/** Reads the deleted post: Kenar answers NOT_FOUND, the SDK a `NotFoundError` with code 5. */
const ReadAgain = ({ token, since }: { readonly token: string; readonly since: number }) => {
  const post = useUserPost({ token }, { staleTime: 0, gcTime: 0 })
  return (
    <div data-testid="read-again-result">
      {post.isError && <ErrorView error={post.error} />}
      {post.isSuccess && <p>Still there?</p>}
      <LastCall operation="getUserPost" since={since} />
    </div>
  )
}
