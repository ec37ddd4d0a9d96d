// Server-rendered sign-in pages: plain HTML forms, no JavaScript required.
const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const layout = (title: string, body: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} - Monban</title>
<style>body{font-family:system-ui,sans-serif;background:#f3f3f3;margin:0}main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;box-shadow:0 2px 6px #0002}
label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password],input[type=email]{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1.2rem}.error{color:#a80000;border-left:3px solid #a80000;padding-left:.6rem}.code{color:#555;font-size:.85rem}</style>
</head><body><main>${body}</main></body></html>`;

export interface PageError { code: number; sentence: string }

const errorBlock = (error?: PageError): string => error
  ? `<p class="error" role="alert" id="error">${esc(error.sentence)}<br><span class="code">Error code: AADSTS${error.code}</span></p>` : '';

export function signInPage(action: string, appName: string, loginHint: string | undefined, error?: PageError): string {
  return layout('Sign in', `<h1>Sign in</h1><p>to continue to <strong>${esc(appName)}</strong></p>${errorBlock(error)}
<form method="post" action="${esc(action)}">
<label for="username">Email, phone or Skype</label><input id="username" name="username" type="email" autocomplete="username" required value="${esc(loginHint)}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="submit">Sign in</button></form>`);
}

export function staySignedInPage(action: string): string {
  return layout('Stay signed in?', `<h1>Stay signed in?</h1><p>Do this to reduce the number of times you are asked to sign in.</p>
<form method="post" action="${esc(action)}"><button type="submit" name="remember" value="no" id="no">No</button> <button type="submit" name="remember" value="yes" id="yes">Yes</button></form>`);
}

export function consentPage(action: string, appName: string, scopes: readonly string[], canConsentForOrg: boolean): string {
  return layout('Permissions requested', `<h1>Permissions requested</h1><p><strong>${esc(appName)}</strong> would like to:</p>
<ul>${scopes.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<form method="post" action="${esc(action)}">${canConsentForOrg ? '<label><input type="checkbox" name="forOrganization" value="yes"> Consent on behalf of your organization</label>' : ''}
<button type="submit" name="decision" value="cancel" id="cancel">Cancel</button> <button type="submit" name="decision" value="accept" id="accept">Accept</button></form>`);
}

export function errorPage(error: PageError): string {
  return layout('Sign-in error', `<h1>We could not sign you in</h1>${errorBlock(error)}`);
}
