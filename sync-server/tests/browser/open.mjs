// Opens one URL in Debian's Chromium, as a reader following a link (from a mail, say),
// and prints what it shows as JSON:  node open.mjs <url>
import { chromium } from "playwright-core";

const url = process.argv[2];
const executablePath = process.env.PINT_CHROMIUM ?? "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const out = { consoleErrors: [] };
try {
  const page = await browser.newPage();
  page.on("console", (m) => m.type() === "error" && out.consoleErrors.push(m.text()));
  page.on("pageerror", (e) => out.consoleErrors.push(String(e)));
  const resp = await page.goto(url);
  out.status = resp?.status() ?? null;
  out.h1 = await page.locator("h1").first().innerText();
  out.main = await page.locator("main").innerText();
} catch (e) {
  out.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
