// Debian's Chromium driven by playwright-core: the browser half of interactive sign-in.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.MONBAN_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function newContext(browser: Browser): Promise<BrowserContext> {
  // The test CA is trusted by Node (NODE_EXTRA_CA_CERTS), not by Chromium's own store.
  return browser.newContext({ ignoreHTTPSErrors: true });
}

/**
 * Opens the authorize URL, signs in with a password on Monban's pages, answers "stay signed
 * in?" and accepts consent when asked; resolves with the URL the provider redirected to.
 */
export interface SignInOptions {
  staySignedIn?: boolean;
  /** Tick "Consent on behalf of your organization" when the consent page shows. */
  consentForOrganization?: boolean;
  /** Filled in: which pages were shown. */
  seen?: { consent: boolean; staySignedIn?: boolean };
}

export async function signInInBrowser(page: Page, authorizeUrl: string, redirectPrefix: string, user: { username: string; password: string }, options: SignInOptions = {}): Promise<string> {
  let redirected: string | undefined;
  // The redirect back to the application arrives as a 302/303; Playwright's route() does not
  // see redirect targets, so the request event is watched instead (the page need not load).
  page.on('request', (request) => {
    if (request.url().startsWith(redirectPrefix)) redirected = request.url();
  });
  await page.goto(authorizeUrl);
  for (let step = 0; step < 6 && !redirected; step++) {
    if (await page.locator('#error').count() && !(await page.locator('#password').count())) throw new Error(`sign-in refused: ${await page.locator('#error').innerText()}`);
    if (await page.locator('#password').count()) {
      if (!(await page.locator('#username').inputValue())) await page.fill('#username', user.username);
      await page.fill('#password', user.password);
      await page.click('#submit');
      await page.waitForLoadState('load');
      if (await page.locator('#error').count()) throw new Error(`sign-in refused: ${await page.locator('#error').innerText()}`);
    } else if (await page.locator('#yes').count()) {
      if (options.seen) options.seen.staySignedIn = true;
      await page.click(options.staySignedIn === false ? '#no' : '#yes');
      await page.waitForLoadState('load');
    } else if (await page.locator('#accept').count()) {
      if (options.seen) options.seen.consent = true;
      if (options.consentForOrganization) {
        if (await page.locator('input[name=forOrganization]').count()) await page.check('input[name=forOrganization]');
        // Not offered to this user: forge the field, as a hostile client would, so the server's own check is exercised.
        else await page.evaluate("(() => { const i = document.createElement('input'); i.type = 'hidden'; i.name = 'forOrganization'; i.value = 'yes'; document.querySelector('form').appendChild(i); })()");
      }
      await page.click('#accept');
      await page.waitForLoadState('load');
    } else {
      await page.waitForTimeout(100);
    }
  }
  if (!redirected) throw new Error(`no redirect to ${redirectPrefix}; page shows: ${(await page.content()).slice(0, 500)}`);
  return redirected;
}
