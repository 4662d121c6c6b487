/**
 * The authorization server's HTML: the consent page (Persian, right to left,
 * with English beside it) and the error page shown when the server cannot
 * redirect back to the app.
 */
import { describeScope } from "./oauthScopes.js"

const escape = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!
  )

const style = `
body { font-family: Vazirmatn, Tahoma, system-ui, sans-serif; background: #f5f5f5; color: #222; margin: 0; }
main { max-width: 28rem; margin: 3rem auto; background: #fff; border-radius: 12px; padding: 1.5rem 2rem;
  box-shadow: 0 1px 4px rgba(0,0,0,.12); }
h1 { font-size: 1.2rem; } .en { color: #666; font-size: .85rem; } ul { padding-inline-start: 1.2rem; }
li { margin: .4rem 0; } .actions { display: flex; gap: .75rem; margin-top: 1.5rem; }
button { flex: 1; font: inherit; padding: .6rem; border-radius: 8px; border: 1px solid #a62626; cursor: pointer; }
button[value="approve"] { background: #a62626; color: #fff; } button[value="deny"] { background: #fff; color: #a62626; }
code { direction: ltr; unicode-bidi: embed; } footer { margin-top: 1.5rem; font-size: .8rem; color: #888; }`

const page = (title: string, body: string): string =>
  `<!doctype html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${style}</style>
</head>
<body>
<main>
${body}
<footer>شبیه‌ساز دیوار (Kenar simulator): این صفحه جای oauth.divar.ir را می‌گیرد.</footer>
</main>
</body>
</html>
`

/** The consent step: who signs in, which app asks for what, approve or deny. */
export const consentPage = (input: {
  readonly challenge: string
  readonly clientId: string
  readonly user: string
  readonly scopes: ReadonlyArray<string>
  /** Links that restart the request as another user (`login_hint`). */
  readonly otherUsers: ReadonlyArray<{ readonly user: string; readonly href: string }>
}): string =>
  page(
    "اجازه دسترسی | Authorize",
    `<h1>برنامه <code>${escape(input.clientId)}</code> می‌خواهد به حساب دیوار شما دسترسی داشته باشد</h1>
<p class="en" dir="ltr">The app <code>${escape(input.clientId)}</code> asks for access to your Divar account.</p>
<p>وارد شده با کاربر <code id="user">${escape(input.user)}</code> <span class="en">(signed in as this user)</span></p>
<ul id="scopes">
${input.scopes
  .map((scope) => {
    const [fa, en] = describeScope(scope)
    return `<li data-scope="${escape(scope)}">${escape(fa)} <span class="en" dir="ltr">${escape(en)} (<code>${escape(scope)}</code>)</span></li>`
  })
  .join("\n")}
</ul>
<form method="post" action="/oauth2/auth/decision">
<input type="hidden" name="challenge" value="${escape(input.challenge)}">
<div class="actions">
<button type="submit" name="decision" value="approve">اجازه می‌دهم <span dir="ltr">(Approve)</span></button>
<button type="submit" name="decision" value="deny">رد می‌کنم <span dir="ltr">(Deny)</span></button>
</div>
</form>
${
  input.otherUsers.length === 0
    ? ""
    : `<p class="en">ورود با کاربر دیگر (sign in as another user): ${input.otherUsers
        .map(({ user, href }) => `<a href="${escape(href)}">${escape(user)}</a>`)
        .join(" · ")}</p>`
}`
  )

/** An error the app must not be redirected to (unknown client, unregistered redirect URI, ...). */
export const errorPage = (error: string, description: string): string =>
  page(
    "خطا | Error",
    `<h1>درخواست ورود نامعتبر است</h1>
<p class="en" dir="ltr">The authorization request is invalid.</p>
<p dir="ltr"><code id="error">${escape(error)}</code>: <span id="error-description">${escape(description)}</span></p>`
  )
