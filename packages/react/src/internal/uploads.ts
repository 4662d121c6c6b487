/** Upload mutations over core's Promise uploads. */
import * as Uploads from "@kenar/core/Uploads"
import type { UseMutationOptions } from "@tanstack/react-query"
import type { UploadName } from "../KenarOperation.js"
import type { UploadOverrides, UploadRequest, UploadVariables } from "../KenarQueries.js"
import { kenarKeys } from "../KenarQueryKeys.js"

/** What the upload hooks hook into: a signal per run, and its progress. */
export interface UploadRun {
  readonly start: () => AbortSignal
  readonly progress: (progress: Uploads.Progress) => void
}

const isRequest = (variables: UploadVariables): variables is UploadRequest =>
  typeof variables === "object" &&
  variables !== null &&
  "input" in variables &&
  !Uploads.isUploadSource(variables)

export const uploadMutationOptions = <K extends UploadName>(
  uploads: Uploads.PromiseUploads | undefined,
  name: K,
  overrides: UploadOverrides<K, unknown> = {},
  run?: UploadRun
): UseMutationOptions<any, any, any, any> => {
  if (uploads === undefined) {
    throw new TypeError(
      `@kenar/react: ${name} needs uploads: give KenarProvider a layer, or createKenarQueries(client, { uploads })`
    )
  }
  const { upload, onProgress, ...rest } = overrides
  return {
    retry: false,
    ...rest,
    mutationKey: kenarKeys.mutation(name),
    mutationFn: (variables: UploadVariables) => {
      const { input, ...own } = isRequest(variables) ? variables : { input: variables }
      const signal = run?.start()
      return uploads[name](input, {
        ...upload,
        ...own,
        signal,
        onProgress: (progress) => {
          run?.progress(progress)
          onProgress?.(progress, variables)
        }
      })
    }
  }
}
