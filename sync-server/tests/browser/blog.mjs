// Reads a Pint blog in Debian's Chromium, as readers do, and prints what it saw as JSON
// for the Rust test (sync-server/tests/blog_browser.rs) to judge:
//   node blog.mjs <blog index URL>
// With JavaScript on: index -> first post -> its tag -> first page in the navigation -> home
// by the blog's name, collecting console errors and failed requests; a protected post,
// a like, a subscription, the widgets (theme, font) and a note for the wall of love.
// With JavaScript off: the same post's text. Ends the browser whatever happens.
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
      // The first image in the text, once loaded: which candidate the browser chose.
      image: await page.evaluate(async () => {
        const img = document.querySelector("main article p img");
        if (!img) return null;
        img.loading = "eager";
        await img.decode().catch(() => {});
        return {
          currentSrc: img.currentSrc,
          naturalWidth: img.naturalWidth,
          width: img.getAttribute("width"),
          height: img.getAttribute("height"),
          alt: img.getAttribute("alt"),
        };
      }),
    });
  };
  await page.goto(index);
  await visit("index");
  await page.locator("main .entries a").first().click();
  await page.waitForLoadState();
  await visit("post");
  const postUrl = page.url();
  await page.locator("main article .meta a").first().click();
  await page.waitForLoadState();
  await visit("tag");
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

  // Widgets: the theme switcher and the font customizer; the choices stay on other pages
  // (applied before the first paint by the script in <head>).
  await page.goto(postUrl);
  const look = () =>
    page.evaluate(() => {
      const body = getComputedStyle(document.body);
      return {
        theme: document.documentElement.dataset.theme ?? null,
        background: body.backgroundColor,
        font: body.fontFamily,
        size: body.fontSize,
      };
    });
  const theme = page.locator("button.theme-switcher");
  out.widgets = { label: await theme.innerText(), before: await look() };
  await theme.click(); // auto -> light
  await theme.click(); // light -> dark
  out.widgets.labelAfter = await theme.innerText();
  await page.getByLabel("Font").selectOption("serif");
  await page.getByRole("button", { name: "Larger text" }).click();
  out.widgets.after = await look();
  await page.goto(index);
  out.widgets.elsewhere = await look();
  out.widgets.audio = await page.locator("footer audio").getAttribute("src");

  // The wall of love: a note, sent by the form.
  await page.goto(`${index}love`);
  await page.locator("#love-name").fill("Grace");
  await page.locator("#love-message").fill("Your posts make my mornings.");
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForLoadState();
  out.love = await page.locator("main [role=status]").innerText();
  await context.close();

  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  await plain.goto(postUrl);
  out.withoutJavaScript = {
    h1: await plain.locator("h1").first().innerText(),
    article: await plain.locator("main article").innerText(),
    widgetControls: await plain.locator("#pint-widgets button, #pint-widgets select").count(),
    audio: await plain.locator("footer audio").count(),
  };
  await noJs.close();
} catch (e) {
  out.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
