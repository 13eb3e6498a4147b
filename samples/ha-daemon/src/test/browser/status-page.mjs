// Drives the daemon's web page in headless Chromium as an admin would, for StatusPageIT.
// usage: VIGIL_ADMIN_TOKEN=... node status-page.mjs URL RESOURCE SCREENSHOT_DIR [TIMEOUT_SECONDS]
// Prints one line per step; the test reads them in order (and kills a node after ACTIVE):
//   RENDERED <where>        the page, with JavaScript off, already shows where RESOURCE runs (rendered by the server)
//   LOGGED_IN               the admin token was accepted: the page offers actions
//   STANDBY <node> MOVED <other>   "Standby" of the node running RESOURCE, then the page showed it running elsewhere
//   ONLINE <node>           "Online" of that node again
//   ACTIVE <node>           where RESOURCE runs now; the test kills that node
//   MOVED <node>            the page showed RESOURCE running on another node, live, without a reload
// Screenshots: SCREENSHOT_DIR/status-page-standby.png and SCREENSHOT_DIR/status-page-failover.png.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url, resource, shots, timeoutArg] = process.argv.slice(2);
const token = process.env.VIGIL_ADMIN_TOKEN;
const timeout = Number(timeoutArg || 90) * 1000;
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync"];
const profile = mkdtempSync(join(tmpdir(), "vigil-chromium-"));
// the page is HTTPS with the node's certificate of the cluster's own CA, which this fresh browser profile does not
// trust (an admin imports ca.crt once); the test accepts it here instead
const ignoreHTTPSErrors = true;
// a fresh profile directory: Playwright passes it to Chromium as --user-data-dir
const browser = await chromium.launchPersistentContext(profile, { executablePath, headless: true, viewport: { width: 1280, height: 1000 }, args,
                                                                  ignoreHTTPSErrors });
const where = `tr[data-resource="${resource}"] td.where`;
const running = text => text.split(", ").map(e => /^(Started|Promoted) (\S+)$/.exec(e.trim())).filter(m => m).map(m => m[2]);

// polls `check` (reading the page through locators: the page's Content-Security-Policy forbids evaluated scripts)
// until it returns a value, or fails naming `what`
async function until(what, check) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      // the page is being replaced (a navigation after a form post): read again
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

const stateOf = async (page, node) => (await page.locator(`tr[data-node="${node}"] td.state`).textContent()).trim();

// waits until the page shows RESOURCE running on exactly one node other than `not`, and returns that node
async function runningElsewhere(page, not) {
  return until(`${resource} running elsewhere than ${not}`, async () => {
    const on = running(await page.locator(where).textContent());
    return on.length === 1 && on[0] !== not ? on[0] : null;
  });
}

let code = 1;
try {
  // 1. without JavaScript: the server's own rendering must already say where the resource runs
  const noJs = await chromium.launch({ executablePath, headless: true, args });
  try {
    const ctx = await noJs.newContext({ javaScriptEnabled: false, ignoreHTTPSErrors });
    const p = await ctx.newPage();
    await p.goto(url);
    console.log(`RENDERED ${(await p.locator(where).textContent()).trim()}`);
  } finally {
    await noJs.close();
  }

  const page = browser.pages()[0] || await browser.newPage();
  page.on("dialog", d => d.accept()); // the page asks before a standby
  await page.goto(url);
  const first = running(await page.locator(where).textContent());
  if (first.length !== 1) throw new Error(`${resource} is not running on exactly one node: ${first}`);

  // 2. log in with the admin token
  await page.fill('input[name="token"]', token);
  await Promise.all([page.waitForURL(u => !u.search.includes("login=failed")), page.click('form.login button')]);
  await page.waitForSelector('button[data-action="standby"]', { timeout });
  console.log("LOGGED_IN");

  // 3. standby of the node running it: the page shows it move
  const before = running(await page.locator(where).textContent())[0];
  await Promise.all([page.waitForNavigation({ timeout }), page.click(`tr[data-node="${before}"] button[data-action="standby"]`)]);
  const after = await runningElsewhere(page, before);
  await until(`${before} shown in standby`, async () => /standby/.test(await stateOf(page, before)));
  console.log(`STANDBY ${before} MOVED ${after}`);
  await page.screenshot({ path: join(shots, "status-page-standby.png"), fullPage: true });

  // 4. online again
  await Promise.all([page.waitForNavigation({ timeout }), page.click(`tr[data-node="${before}"] button[data-action="online"]`)]);
  await until(`${before} shown online`, async () => (await stateOf(page, before)) === "online");
  console.log(`ONLINE ${before}`);

  // 5. the node running it dies: the page shows the failover live
  const victim = running(await page.locator(where).textContent())[0];
  console.log(`ACTIVE ${victim}`);
  const target = await runningElsewhere(page, victim);
  console.log(`MOVED ${target}`);
  await page.screenshot({ path: join(shots, "status-page-failover.png"), fullPage: true });
  code = 0;
} catch (e) {
  console.log(`FAILED ${e.message.split("\n")[0]}`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(code);
