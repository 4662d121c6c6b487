"use client"
/**
 * Upload hooks: TanStack mutations over core's uploads, with the progress
 * of the running upload as state and a way to cancel it.
 *
 * ```tsx
 * function Photo() {
 *   const upload = useUploadImage()
 *   return (
 *     <>
 *       <input type="file" onChange={(e) => upload.mutate(e.target.files![0]!)} />
 *       {upload.progress && <progress value={upload.progress.sent} max={upload.progress.total} />}
 *       {upload.isPending && <button onClick={upload.cancel}>Cancel</button>}
 *       {upload.data && <img src={`…/${upload.data.path}`} />}
 *     </>
 *   )
 * }
 * ```
 *
 * @since 0.1.0
 */
import type { Uploads } from "@kenar/core"
import { type UseMutationResult, useMutation } from "@tanstack/react-query"
import { useCallback, useRef, useState } from "react"
import { uploadMutationOptions } from "./internal/uploads.js"
import type { UploadData, UploadError, UploadName } from "./KenarOperation.js"
import { useKenar } from "./KenarProvider.js"
import type { UploadOverrides, UploadVariables } from "./KenarQueries.js"

/**
 * What an upload hook returns: TanStack's mutation result, plus the
 * progress of the running (or last) upload and `cancel`.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadResult<K extends UploadName, TOnMutateResult = unknown> = UseMutationResult<
  UploadData<K>,
  UploadError,
  UploadVariables,
  TOnMutateResult
> & {
  /**
   * Bytes sent of the current attempt and the total when known;
   * `undefined` before the first upload and after `reset()`. A retry starts
   * again from 0 with the next `attempt`.
   */
  readonly progress: Uploads.Progress | undefined
  /** Cancels the running upload: the request is aborted, the mutation fails with `AbortedError`. */
  readonly cancel: () => void
}

const useUpload = <K extends UploadName, TOnMutateResult>(
  name: K,
  overrides: UploadOverrides<K, TOnMutateResult> | undefined
): UploadResult<K, TOnMutateResult> => {
  const { uploads } = useKenar()
  const [progress, setProgress] = useState<Uploads.Progress | undefined>(undefined)
  const controller = useRef<AbortController | undefined>(undefined)
  const mutation = useMutation(
    uploadMutationOptions(uploads, name, overrides as UploadOverrides<K, unknown>, {
      start: () => {
        const next = new AbortController()
        controller.current = next
        setProgress({ sent: 0, total: undefined, attempt: 1 })
        return next.signal
      },
      progress: setProgress
    })
  ) as UseMutationResult<UploadData<K>, UploadError, UploadVariables, TOnMutateResult>
  const cancel = useCallback(() => controller.current?.abort(), [])
  const { reset } = mutation
  const resetAll = useCallback(() => {
    reset()
    setProgress(undefined)
  }, [reset])
  return { ...mutation, reset: resetAll, progress, cancel }
}

/**
 * Uploads an image (JPEG, PNG, WebP) through the v2 flow; `data.path` goes
 * into `general_data.images`. `mutate(file)` or `mutate({ input, contentType })`.
 *
 * @since 0.1.0
 * @category uploads
 */
export const useUploadImage = <TOnMutateResult = unknown>(
  overrides?: UploadOverrides<"uploadImage", TOnMutateResult>
): UploadResult<"uploadImage", TOnMutateResult> => useUpload("uploadImage", overrides)

/**
 * Uploads an MP4 video through the v2 flow; `Uploads.postVideo(data,
 * seconds)` turns the answer into `general_data.video`.
 *
 * @since 0.1.0
 * @category uploads
 */
export const useUploadVideo = <TOnMutateResult = unknown>(
  overrides?: UploadOverrides<"uploadVideo", TOnMutateResult>
): UploadResult<"uploadVideo", TOnMutateResult> => useUpload("uploadVideo", overrides)
