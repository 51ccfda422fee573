// Reads a Pint blog in Debian's Chromium, as readers do, and prints what it saw as JSON
// for the Rust test (sync-server/tests/blog_browser.rs) to judge:
//   node blog.mjs <blog index URL>
// With JavaScript on: index -> first post -> first page in the navigation -> back home
// by the blog's name, collecting console errors and failed requests. With JavaScript
// off: the same post's text. Ends the browser whatever happens.
import { chromium } from "playwright-core";

const index = process.argv[2];
const executablePath = process.env.PINT_CHROMIUM ?? "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const out = { visited: [], consoleErrors: [], failedRequests: [], thirdParty: [] };
try {
  const origin = new URL(index).origin;
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && out.consoleErrors.push(m.text()));
  page.on("pageerror", (e) => out.consoleErrors.push(String(e)));
  page.on("requestfailed", (r) => out.failedRequests.push(r.url()));
  page.on("request", (r) => new URL(r.url()).origin !== origin && out.thirdParty.push(r.url()));
  const visit = async (what) => {
    out.visited.push({
      what,
      url: page.url(),
      title: await page.title(),
      h1: await page.locator("h1").first().innerText(),
      landmarks: {
        header: await page.locator("header").count(),
        main: await page.locator("main").count(),
        footer: await page.locator("footer").count(),
      },
    });
  };
  await page.goto(index);
  await visit("index");
  await page.locator("main .entries a").first().click();
  await page.waitForLoadState();
  await visit("post");
  const postUrl = page.url();
  await page.locator("header nav a").first().click();
  await page.waitForLoadState();
  await visit("page");
  await page.locator("header a.name").click();
  await page.waitForLoadState();
  await visit("home");

  // A protected post: the form, then the text.
  await page.goto(`${index}members-only`);
  const secret = () => page.locator("main article").innerText();
  out.password = { before: (await secret()).includes("The secret text.") };
  await page.locator("#password").fill("open sesame");
  await page.getByRole("button", { name: "Read" }).click();
  await page.waitForLoadState();
  out.password.after = (await secret()).includes("The secret text.");
  // A like.
  await page.goto(postUrl);
  await page.getByRole("button", { name: "Like" }).click();
  await page.waitForLoadState();
  out.like = await page.locator("form.like span").innerText();
  // A subscription.
  await page.goto(index);
  await page.locator("#email").fill("reader@example.com");
  await page.getByRole("button", { name: "Subscribe" }).click();
  await page.waitForLoadState();
  out.subscribe = await page.locator("h1").first().innerText();
  await context.close();

  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  await plain.goto(postUrl);
  out.withoutJavaScript = {
    h1: await plain.locator("h1").first().innerText(),
    article: await plain.locator("main article").innerText(),
  };
  await noJs.close();
} catch (e) {
  out.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
