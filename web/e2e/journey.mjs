// The agent's journey through the web workspace in a real Chromium, against a running
// `hotline run` (web/browser_test.go starts one and runs this; it fails the test on any failure):
//   sign in (wrong password first), sign in to the desk, go ready, receive a practice call,
//   screen pop, answer by keyboard, register a complaint across an expired session, hold,
//   hang up, wrap up, a dropped WebSocket reconnecting and resyncing; both languages; axe-core
//   on every screen; screenshots of every screen in both languages into $ARTIFACTS.
// Environment: HOTLINE_URL, AGENT_USER, AGENT_PASSWORD, MANAGER_USER, MANAGER_PASSWORD,
// CHROMIUM (the browser binary), ARTIFACTS (a directory).
import { chromium, request } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const base = env("HOTLINE_URL");
const artifacts = env("ARTIFACTS");
mkdirSync(artifacts, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const failures = [];
const fail = (msg) => {
  failures.push(msg);
  console.error("FAIL:", msg);
};
const step = (msg) => console.log("·", msg);

const browser = await chromium.launch({ executablePath: env("CHROMIUM"), args: ["--no-sandbox"] });
const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1366, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(15_000);
page.on("pageerror", (e) => fail(`page error: ${e.message}`));
page.on("console", (m) => {
  if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) fail(`CSP: ${m.text()}`);
});

// The agent WebSocket goes through a route the test can cut: a real drop as the page sees it.
let blocked = false;
const sockets = [];
await page.routeWebSocket(/\/api\/agent\/ws$/, (ws) => {
  if (blocked) {
    ws.close({ code: 4000, reason: "network down (test)" });
    return;
  }
  sockets.push(ws);
  ws.connectToServer();
});

async function axeCheck(name) {
  await page.evaluate(axeSource);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  for (const v of res.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      fail(`axe ${name}: ${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`);
    }
  }
}

// shot saves the screen in both languages (Chinese, then English, back to Chinese), checking
// each with axe and that the English one has no Chinese left in its visible text.
async function shot(name) {
  for (const [lang, button] of [["zh", "中文"], ["en", "English"]]) {
    await page.getByRole("button", { name: button, exact: true }).first().click();
    await page.waitForFunction((l) => document.documentElement.lang === l, lang === "zh" ? "zh-CN" : "en");
    await page.screenshot({ path: join(artifacts, `${name}-${lang}.png`), fullPage: true });
    await axeCheck(`${name} (${lang})`);
    if (lang === "en") {
      const text = await page.evaluate(() => document.body.innerText);
      const han = text.replace(/中文/g, "").match(/[\u4e00-\u9fff]+/g);
      // Customer names and addresses are data, not labels: only flag Chinese outside them.
      const pop = await page.evaluate(() => [...document.querySelectorAll('[data-testid="customer-name"], .facts dd')].map((e) => e.textContent).join(" "));
      const labels = (han ?? []).filter((w) => !pop.includes(w));
      if (labels.length) fail(`${name}: the English screen shows Chinese labels: ${labels.slice(0, 5).join(", ")}`);
    }
  }
  await page.getByRole("button", { name: "中文", exact: true }).first().click();
}

const state = page.getByTestId("agent-state");
const expectState = async (text) => {
  try {
    await page.waitForFunction((t) => document.querySelector('[data-testid="agent-state"]')?.textContent?.includes(t), text);
  } catch {
    throw new Error(`the desk never showed state ${text}; it shows ${await state.textContent().catch(() => "nothing")}`);
  }
};

try {
  step("sign-in page, in Chinese by default");
  const resp = await page.goto(base + "/");
  if (!resp.headers()["content-security-policy"]) fail("the page has no Content-Security-Policy");
  await page.getByLabel("用户名").waitFor();
  if ((await page.evaluate(() => document.documentElement.lang)) !== "zh-CN") fail("the page is not in Chinese by default");
  await shot("01-signin");

  step("a wrong password shows the server's message");
  await page.getByLabel("用户名").fill(env("AGENT_USER"));
  await page.getByLabel("密码").fill("not-the-password");
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByRole("alert").filter({ hasText: "wrong user name or password" }).waitFor();

  step("sign in as the agent; the navigation has the agent's screens only");
  await page.getByLabel("密码").fill(env("AGENT_PASSWORD"));
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByRole("button", { name: "签入坐席" }).waitFor();
  const nav = await page.getByRole("navigation").innerText();
  if (!nav.includes("坐席工作台") || nav.includes("营销活动") || nav.includes("质检")) fail(`an agent's navigation shows: ${nav}`);
  await shot("02-desk-signed-out");

  step("sign in to the desk and go ready");
  await page.getByRole("button", { name: "签入坐席" }).click();
  await expectState("示忙");
  await page.getByTestId("conn").filter({ hasText: "实时连接正常" }).waitFor();
  await page.keyboard.press("Alt+KeyR");
  await expectState("就绪");
  await shot("03-desk-ready");

  step("a practice call rings the desk: screen pop with the masked number");
  const manager = await request.newContext({ baseURL: base });
  const login = await manager.post("/api/session", { data: { user: env("MANAGER_USER"), password: env("MANAGER_PASSWORD") } });
  if (!login.ok()) throw new Error(`manager sign-in: ${login.status()} ${await login.text()}`);
  const placed = await manager.post("/api/sim/calls", { data: { agent_id: "A0001" } });
  if (placed.status() !== 201) throw new Error(`practice call: ${placed.status()} ${await placed.text()}`);
  const call = await placed.json();
  await page.getByRole("heading", { name: "来电振铃" }).waitFor();
  await expectState("振铃中");
  const phone = await page.getByTestId("phone").innerText();
  if (!/^\+\d+\*{4}\d{4}$/.test(phone)) fail(`the screen pop shows phone ${phone}, want it masked`);
  const name = await page.getByTestId("customer-name").innerText();
  if (!name.trim()) fail("the screen pop shows no customer name");
  if (!(await page.getByText("近期理赔").isVisible())) fail("the screen pop has no claims section");
  await shot("04-desk-offer");

  step("answer with Alt+A");
  await page.keyboard.press("Alt+KeyA");
  await expectState("通话中");

  step("fill in a complaint, the session expires, sign in again: nothing typed is lost");
  await page.keyboard.press("Alt+KeyC");
  if ((await page.evaluate(() => document.activeElement?.id)) !== "complaint-category") fail("Alt+C does not go to the complaint form");
  await page.getByLabel("投诉类别").selectOption("claim_delay");
  await page.getByLabel("责任部门").selectOption("claims");
  const ended = await page.request.delete(base + "/api/session");
  if (!ended.ok()) throw new Error(`ending the session: ${ended.status()}`);
  const complaintResp = page.waitForResponse((r) => r.url().endsWith(`/api/agent/calls/${call.call_id}/complaint`) && r.status() === 200);
  await page.getByRole("button", { name: "提交投诉" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByText("会话已过期").waitFor();
  if ((await page.getByLabel("投诉类别").inputValue()) !== "claim_delay") fail("the complaint's category was lost at the expired session");
  await page.screenshot({ path: join(artifacts, "05-session-expired-zh.png"), fullPage: true });
  await axeCheck("session expired");
  await dialog.getByLabel("密码").fill(env("AGENT_PASSWORD"));
  await dialog.getByRole("button", { name: "登录" }).click();
  const complaint = await (await complaintResp).json();
  await page.getByTestId("complaint-done").waitFor();
  const days = (Date.parse(complaint.due_at) - Date.parse(complaint.registered_at)) / 86400e3;
  if (complaint.category !== "claim_delay" || complaint.department !== "claims") fail(`complaint registered as ${complaint.category}/${complaint.department}`);
  if (days < 9 || days > 30) fail(`complaint due ${complaint.due_at}, ${days} days after registration: 7 working days span 9 to about 30`);
  if (!(await page.getByTestId("complaint-due").innerText()).trim()) fail("the registered complaint shows no deadline");
  await shot("06-desk-on-call-complaint");

  step("hold and retrieve with Alt+H");
  await page.keyboard.press("Alt+KeyH");
  await expectState("保持中");
  await page.keyboard.press("Alt+KeyH");
  await expectState("通话中");

  step("hang up with Alt+E; wrap-up counts down; dispose and finish");
  await page.keyboard.press("Alt+KeyE");
  await expectState("话后处理");
  const left1 = await page.getByTestId("wrapup-left").innerText();
  await page.waitForTimeout(1500);
  const left2 = await page.getByTestId("wrapup-left").innerText();
  if (left1 === left2) fail(`the wrap-up countdown does not move: ${left1}`);
  if ((await page.getByLabel("处理结果").inputValue()) !== "complaint_registered") fail("the disposition does not default to the registered complaint");
  await page.getByLabel("问题已解决").check();
  await shot("07-desk-wrapup");
  await page.getByRole("button", { name: "完成话后处理" }).click();
  await expectState("就绪");

  step("the WebSocket drops; the desk changes meanwhile; it reconnects and resyncs");
  const before = sockets.length;
  blocked = true;
  for (const ws of sockets) await ws.close({ code: 4001, reason: "dropped (test)" }).catch(() => {});
  await page.getByTestId("conn").filter({ hasText: "正在重连" }).waitFor();
  const brk = await page.request.post(base + "/api/agent/break", { data: { reason: "meeting" } });
  if (!brk.ok()) throw new Error(`break while disconnected: ${brk.status()} ${await brk.text()}`);
  blocked = false;
  await page.getByTestId("conn").filter({ hasText: "实时连接正常" }).waitFor({ timeout: 20_000 });
  if (sockets.length <= before) fail("no new WebSocket after the drop");
  await expectState("会议");
  await shot("08-desk-reconnected");
} catch (e) {
  fail(e.stack || String(e));
  await page.screenshot({ path: join(artifacts, "failure.png"), fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} failure(s)`);
  process.exit(1);
}
console.log("journey passed; screenshots in", artifacts);
