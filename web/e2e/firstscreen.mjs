// Times the web workspace's first screens in Chromium against a running hotline:
//   node e2e/firstscreen.mjs URL USER PASSWORD [RUNS]      (make web-timing)
// Each run is a fresh browser context (empty cache, no cookie). Times are the page's own clock
// (performance.now(): from the navigation's start), so they include the server, the network
// stack, parsing, the script and the first API calls; "usable" means the control a person acts
// on next is on screen and enabled. Chromium from $CHROMIUM or /usr/bin/chromium.
import { chromium } from "playwright-core";

const [url, user, password, runsArg] = process.argv.slice(2);
if (!url || !user || !password) {
  console.error("usage: node e2e/firstscreen.mjs URL USER PASSWORD [RUNS]");
  process.exit(2);
}
const runs = Number(runsArg ?? 10);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
const rows = { "sign-in page usable (cold cache)": [], "desk usable after signing in": [], "desk usable on opening, signed in (warm cache)": [] };
let bytes = 0;
// The desk is usable when its first control for the agent is there: sign in to the desk, or the
// state with its buttons.
const desk = 'button.primary:has-text("签入坐席"), [data-testid="agent-state"]';
for (let i = 0; i < runs; i++) {
  const ctx = await browser.newContext({ locale: "zh-CN" });
  const page = await ctx.newPage();
  await page.goto(url + "/", { waitUntil: "commit" });
  await page.waitForSelector('input[name="user"]:enabled');
  rows["sign-in page usable (cold cache)"].push(await page.evaluate(() => performance.now()));
  await page.fill('input[name="user"]', user);
  await page.fill('input[name="password"]', password);
  const t0 = await page.evaluate(() => performance.now());
  await page.click('button[type="submit"]');
  await page.waitForSelector(desk);
  rows["desk usable after signing in"].push((await page.evaluate(() => performance.now())) - t0);
  await page.goto(url + "/", { waitUntil: "commit" });
  await page.waitForSelector(desk);
  rows["desk usable on opening, signed in (warm cache)"].push(await page.evaluate(() => performance.now()));
  await page.request.delete(url + "/api/session");
  await ctx.close();
}
await browser.close();
// What a first visit downloads: the page and the assets it names (uncompressed).
const html = await (await fetch(url + "/")).text();
bytes = html.length;
for (const [, a] of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) bytes += (await (await fetch(url + a)).arrayBuffer()).byteLength;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(`hotline web workspace, first screens in Chromium: ${url}, ${runs} runs, page and assets ${(bytes / 1024).toFixed(1)} KiB uncompressed`);
console.log(`${pad("screen", 48)}${lpad("min ms", 8)}${lpad("median", 8)}${lpad("p95", 8)}${lpad("max", 8)}`);
for (const [name, xs] of Object.entries(rows)) {
  const f = (v) => lpad(v.toFixed(0), 8);
  console.log(`${pad(name, 48)}${f(Math.min(...xs))}${f(pct(xs, 50))}${f(pct(xs, 95))}${f(Math.max(...xs))}`);
}
