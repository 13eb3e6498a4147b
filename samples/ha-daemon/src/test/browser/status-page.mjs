// Loads the daemon's status page in headless Chromium, reports where a resource runs, waits until the page shows
// it somewhere else (updated live, without a reload), and saves a screenshot.
// usage: node status-page.mjs URL RESOURCE SCREENSHOT [TIMEOUT_SECONDS]
// prints "ACTIVE <node>" once the resource is shown running, then "MOVED <node>" when the page shows the change.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url, resource, screenshot, timeoutArg] = process.argv.slice(2);
const timeout = Number(timeoutArg || 90) * 1000;
const profile = mkdtempSync(join(tmpdir(), "vigil-chromium-"));
// a fresh profile directory: Playwright passes it to Chromium as --user-data-dir
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1200, height: 900 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
let code = 1;
try {
  const page = browser.pages()[0] || await browser.newPage();
  await page.goto(url);
  const where = page.locator(`tr[data-resource="${resource}"] td.where`);
  await page.waitForFunction(r => {
    const td = document.querySelector(`tr[data-resource="${r}"] td.where`);
    return td && /^(Started|Promoted) /.test(td.textContent);
  }, resource, { timeout });
  const first = (await where.textContent()).trim();
  const firstNode = first.split(" ")[1].replace(",", "");
  console.log(`ACTIVE ${firstNode}`);
  await page.waitForFunction(([r, old]) => {
    const td = document.querySelector(`tr[data-resource="${r}"] td.where`);
    if (!td) return false;
    // running on another node that is online (an instance on an unclean node is marked "(UNCLEAN)")
    return td.textContent.split(", ").some(e => { const m = /^(Started|Promoted) (\S+)$/.exec(e.trim()); return m && m[2] !== old; });
  }, [resource, firstNode], { timeout, polling: 100 });
  const now = (await where.textContent()).trim();
  const moved = now.split(", ").map(e => /^(Started|Promoted) (\S+)$/.exec(e.trim())).find(m => m && m[2] !== firstNode);
  console.log(`MOVED ${moved[2]}`);
  await page.screenshot({ path: screenshot, fullPage: true });
  code = 0;
} catch (e) {
  console.log(`FAILED ${e.message.split("\n")[0]}`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(code);
