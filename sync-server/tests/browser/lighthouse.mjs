// Lighthouse on one URL with Debian's Chromium; prints the four category scores (0..1)
// and the audits that lost points, as JSON:  node lighthouse.mjs <url>
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const url = process.argv[2];
const chrome = await chromeLauncher.launch({
  chromePath: process.env.PINT_CHROMIUM ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
const out = {};
try {
  const result = await lighthouse(url, {
    port: chrome.port,
    output: "json",
    logLevel: "error",
    onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
  });
  const lhr = result.lhr;
  for (const [id, c] of Object.entries(lhr.categories)) out[id] = c.score;
  out.lost = Object.values(lhr.audits)
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative")
    .map((a) => `${a.id}: ${a.score} ${a.explanation ?? ""} ${JSON.stringify(a.details?.items ?? []).slice(0, 400)}`);
} catch (e) {
  out.error = String(e);
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(out));
