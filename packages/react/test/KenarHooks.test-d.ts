import type { KenarError, Operation, PostSchema, Posts, Uploads } from "@kenar/core"
import {
  QueryClient,
  skipToken,
  useMutation,
  useQueries,
  useQuery,
  useSuspenseQuery
} from "@tanstack/react-query"
import { describe, expectTypeOf, it } from "vitest"
import {
  createKenarQueries,
  type KenarQueries,
  kenarKeys,
  type MutationName,
  type QueryName,
  useCanUserSubmitPost,
  useDeleteUserPost,
  useEditPostV2,
  useKenar,
  usePostStats,
  useSubmitPost,
  useSuspenseUserPost,
  useUploadImage,
  useUploadUrls,
  useUserPost
} from "../src/index.js"

type GetUserPost = typeof Posts.getUserPost.definition

describe("hooks", () => {
  it("useUserPost: data is the output, error the operation's error union", () => {
    const result = useUserPost({ token: "AaEB0vbO" })
    expectTypeOf(result.data).toEqualTypeOf<Operation.Output<GetUserPost> | undefined>()
    expectTypeOf(result.data).toEqualTypeOf<PostSchema.GetUserPostResponse | undefined>()
    expectTypeOf(result.error).toEqualTypeOf<Operation.Error<GetUserPost> | null>()
    if (result.isError) {
      expectTypeOf(result.error._tag).toEqualTypeOf<Operation.Error<GetUserPost>["_tag"]>()
      expectTypeOf<"NotFoundError">().toMatchTypeOf<typeof result.error._tag>()
      // FailedPrecondition is not an error getUserPost declares
      expectTypeOf<KenarError.FailedPreconditionError>().not.toMatchTypeOf<typeof result.error>()
    }
  })

  it("select narrows data; skipToken disables", () => {
    const title = useUserPost({ token: "x" }, { select: (post) => post.general_data.title })
    expectTypeOf(title.data).toEqualTypeOf<string | undefined>()
    const token = undefined as string | undefined
    const maybe = useUserPost(token ? { token } : skipToken)
    expectTypeOf(maybe.data).toEqualTypeOf<PostSchema.GetUserPostResponse | undefined>()
  })

  it("operations without input take only options", () => {
    const canSubmit = useCanUserSubmitPost({ staleTime: 1000, call: { accessToken: "t" } })
    expectTypeOf(canSubmit.data).toEqualTypeOf<PostSchema.CanUserSubmitPostResponse | undefined>()
    expectTypeOf(useUploadUrls().data).toEqualTypeOf<PostSchema.GetUploadURLsV2Response | undefined>()
    // @ts-expect-error getPostStats needs its input
    usePostStats()
    // @ts-expect-error wrong input
    useUserPost({ post_token: "x" })
  })

  it("suspense data is defined", () => {
    const post = useSuspenseUserPost({ token: "x" })
    expectTypeOf(post.data).toEqualTypeOf<PostSchema.GetUserPostResponse>()
    expectTypeOf(post.error).toEqualTypeOf<Operation.Error<GetUserPost> | null>()
    // @ts-expect-error suspense queries cannot be skipped
    useSuspenseUserPost(skipToken)
  })

  it("mutations: variables are the input, error the union", () => {
    const edit = useEditPostV2({ onMutate: () => 42 as const })
    expectTypeOf(edit.mutate)
      .parameter(0)
      .toEqualTypeOf<Operation.Input<typeof Posts.editPostV2.definition>>()
    expectTypeOf(edit.error).toEqualTypeOf<Operation.Error<typeof Posts.editPostV2.definition> | null>()
    expectTypeOf(edit.context).toEqualTypeOf<42 | undefined>()
    const submit = useSubmitPost()
    expectTypeOf(submit.data).toEqualTypeOf<PostSchema.SubmitPostResponse | undefined>()
    const remove = useDeleteUserPost()
    expectTypeOf(remove.mutateAsync).parameter(0).toEqualTypeOf<{ readonly post_token: string }>()
  })

  it("uploads: progress and typed errors", () => {
    const upload = useUploadImage()
    expectTypeOf(upload.progress).toEqualTypeOf<Uploads.Progress | undefined>()
    expectTypeOf(upload.data).toEqualTypeOf<Uploads.ImageUpload | undefined>()
    expectTypeOf(upload.error).toEqualTypeOf<Uploads.UploadFailure | KenarError.AbortedError | null>()
  })
})

describe("factories", () => {
  it("queryOptions work with TanStack's hooks and QueryClient", () => {
    const kenar = useKenar()
    expectTypeOf(
      useQuery(kenar.getUserPost.queryOptions({ token: "x" })).error
    ).toEqualTypeOf<Operation.Error<GetUserPost> | null>()
    expectTypeOf(
      useSuspenseQuery(kenar.getPostStats.queryOptions({ post_token: "x" })).data
    ).toEqualTypeOf<PostSchema.GetPostStatsResponse>()
    const [a, b] = useQueries({
      queries: [kenar.getUserPost.queryOptions({ token: "x" }), kenar.canUserSubmitPost.queryOptions()]
    })
    expectTypeOf(a.data).toEqualTypeOf<PostSchema.GetUserPostResponse | undefined>()
    expectTypeOf(b.data).toEqualTypeOf<PostSchema.CanUserSubmitPostResponse | undefined>()
    const queryClient = new QueryClient()
    expectTypeOf(
      queryClient.getQueryData(kenar.getUserPost.queryOptions({ token: "x" }).queryKey)
    ).toEqualTypeOf<PostSchema.GetUserPostResponse | undefined>()
    expectTypeOf(queryClient.getQueryData(kenarKeys.postStats("x"))).toEqualTypeOf<
      PostSchema.GetPostStatsResponse | undefined
    >()
    expectTypeOf(
      queryClient.fetchQuery(kenar.getUploadUrls.queryOptions())
    ).resolves.toEqualTypeOf<PostSchema.GetUploadURLsV2Response>()
    const m = useMutation(kenar.setPostCustomizedButton.mutationOptions())
    expectTypeOf(m.error).toEqualTypeOf<Operation.Error<
      typeof Posts.setPostCustomizedButton.definition
    > | null>()
  })

  it("every operation is a query or a mutation", () => {
    expectTypeOf<Exclude<keyof Posts.All, QueryName | MutationName>>().toBeNever()
    expectTypeOf<keyof KenarQueries>().toMatchTypeOf<
      keyof Posts.All | "uploadImage" | "uploadVideo" | "client" | "uploads"
    >()
    expectTypeOf(createKenarQueries).toBeFunction()
  })
})
