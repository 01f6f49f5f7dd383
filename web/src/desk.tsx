import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, type Session } from "./api";
import { DeskSocket, type Status } from "./desksocket";
import type { Key, T } from "./i18n";

// The shapes of routing's desktop API (routing/desktop.go).
interface AgentInfo {
  agent_id: string;
  state: string;
  reason?: string;
  since: string;
  call_id?: string;
  queues: string[] | null;
  handled: number;
}
interface CallInfo {
  call_id: string;
  direction: string;
  phone: string;
  customer_id?: string;
  segment?: string;
  business_line: string;
  queue?: string;
  ivr_path?: string;
  data?: Record<string, string>;
  arrived_at: string;
  queued_at?: string;
}
interface Customer {
  customer_id: string;
  name: string;
  phone: string;
  province?: string;
  city?: string;
  customer_since: string;
  blacklisted?: boolean;
  marketing_consent?: boolean;
  do_not_call?: boolean;
  vip?: boolean;
}
interface Policy {
  policy_id: string;
  product: string;
  line: string;
  status: string;
  end_date: string;
  premium: number;
}
interface Claim {
  claim_id: string;
  policy_id: string;
  status: string;
  accident_type?: string;
  reported_at: string;
  amount_claimed: number;
  amount_paid: number;
}
interface Complaint {
  complaint_id: string;
  stage: string;
  category: string;
  department: string;
  registered_at: string;
  due_at: string;
}
interface ScreenPop {
  customer: Customer;
  segment: string;
  policies: Policy[] | null;
  recent_claims: Claim[] | null;
  open_complaints: Complaint[] | null;
}
interface DeskState {
  agent: AgentInfo;
  call?: CallInfo;
  screen_pop?: ScreenPop;
  max_wrap_up_sec: number;
  transfer_queues: string[];
}
interface Push {
  type: string;
  desk?: DeskState;
  call?: CallInfo;
  screen_pop?: ScreenPop;
  state?: { agent_id: string; state: string; reason?: string; call_id?: string; queues?: string[] };
}

const breakReasons = ["rest", "lunch", "training", "meeting", "coaching"];
const categories = ["claim_delay", "claim_amount", "service_attitude", "sales_misleading", "billing"];
const departments = ["claims", "service", "underwriting", "sales", "finance"];
// Dispositions offered for a call of each business line (the usual ones first).
const dispositions: Record<string, string[]> = {
  claims_report: ["claim_registered", "claim_status_given", "info_given", "callback_promised"],
  inquiry: ["info_given", "claim_status_given", "policy_change", "callback_promised"],
  consultation: ["info_given", "appointment_made", "callback_promised"],
  complaint: ["complaint_registered", "info_given", "callback_promised"],
  renewal: ["renewal_quoted", "info_given", "callback_promised"],
  appointment: ["appointment_made", "info_given", "callback_promised"],
};
const commonDispositions = ["complaint_registered", "transferred", "other"];

const onCall = (s: string) => s === "on_call" || s === "hold";

function clock(sec: number) {
  const s = Math.max(0, Math.floor(sec));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m % 60)}:${two(s % 60)}` : `${two(m)}:${two(s % 60)}`;
}

export function Desk({ t, session }: { t: T; session: Session }) {
  const [desk, setDesk] = useState<DeskState | null>(null);
  const [signedOut, setSignedOut] = useState(false);
  const [conn, setConn] = useState<Status>("connecting");
  const [error, setError] = useState("");
  const [now, setNow] = useState(Date.now());
  const [reason, setReason] = useState(breakReasons[0]);
  const socket = useRef<DeskSocket | null>(null);
  const resyncTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);

  const load = useCallback(async () => {
    try {
      const d = await api<DeskState>("GET", "/api/agent/state");
      setDesk(d);
      setSignedOut(d.agent.state === "logged_out");
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        setDesk(null);
        setSignedOut(true);
      } else {
        setError(err instanceof Error ? err.message : String(err));
      }
    }
  }, []);
  const resync = useCallback(() => {
    clearTimeout(resyncTimer.current);
    resyncTimer.current = setTimeout(load, 150);
  }, [load]);

  const onPush = useCallback(
    (raw: unknown) => {
      const m = raw as Push;
      switch (m.type) {
        case "hello":
          if (m.desk) {
            setDesk(m.desk);
            setSignedOut(m.desk.agent.state === "logged_out");
          } else {
            setSignedOut(true);
          }
          break;
        case "offer":
          setDesk((d) =>
            d && m.call ? { ...d, call: m.call, screen_pop: m.screen_pop, agent: { ...d.agent, state: "reserved", call_id: m.call.call_id, since: new Date().toISOString() } } : d,
          );
          break;
        case "state":
          if (m.state) {
            const s = m.state;
            setDesk((d) => (d ? { ...d, agent: { ...d.agent, state: s.state, reason: s.reason, call_id: s.call_id, since: new Date().toISOString() } } : d));
            if (s.state === "logged_out") setSignedOut(true);
          }
          resync();
          break;
      }
    },
    [resync],
  );

  useEffect(() => {
    load();
  }, [load]);
  const live = !signedOut && desk !== null;
  useEffect(() => {
    if (!live) return;
    const s = new DeskSocket(onPush, setConn, resync);
    socket.current = s;
    s.open();
    return () => s.close();
  }, [live, onPush, resync]);

  const act = async (path: string, body?: unknown) => {
    setError("");
    try {
      const r = await api<unknown>("POST", path, body);
      resync();
      return r;
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      resync();
      return undefined;
    }
  };
  const deskSignIn = async () => {
    setError("");
    try {
      const d = await api<DeskState>("POST", "/api/agent/login", { lease: true });
      setDesk(d);
      setSignedOut(false);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const a = desk?.agent;
  const call = desk?.call;
  const callPath = call ? `/api/agent/calls/${encodeURIComponent(call.call_id)}` : "";
  const state = a?.state ?? "logged_out";

  const shortcuts = useRef<Record<string, () => void>>({});
  shortcuts.current = {
    KeyA: () => state === "reserved" && call && act(`${callPath}/accept`),
    KeyH: () => call && (state === "on_call" ? act(`${callPath}/hold`) : state === "hold" && act(`${callPath}/retrieve`)),
    KeyE: () => call && onCall(state) && act(`${callPath}/hangup`),
    KeyR: () => (state === "break" || state === "acw") && act("/api/agent/ready"),
    KeyN: () => state !== "logged_out" && act("/api/agent/break", { reason }),
    KeyC: () => document.getElementById("complaint-category")?.focus(),
    KeyW: () => document.getElementById("wrapup-disposition")?.focus(),
  };
  useEffect(() => {
    const f = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const h = shortcuts.current[e.code];
      if (h) {
        e.preventDefault();
        h();
      }
    };
    addEventListener("keydown", f);
    return () => removeEventListener("keydown", f);
  }, []);

  if (signedOut || !a) {
    return (
      <section class="panel desk-signin" aria-labelledby="desk-title">
        <h1 id="desk-title">{t("screen.desk")}</h1>
        <p>{t("deskNotSignedIn")}</p>
        <p>
          {t("agentId")}: <strong>{session.agent_id}</strong>
        </p>
        <button type="button" class="primary" onClick={deskSignIn}>
          {t("deskSignIn")}
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </section>
    );
  }

  const inState = (now - Date.parse(a.since)) / 1000;
  const wrapLeft = desk!.max_wrap_up_sec - inState;
  return (
    <div class="desk">
      <h1 class="sr-only">{t("screen.desk")}</h1>
      <section class="panel status" aria-labelledby="status-title">
        <h2 id="status-title" class="sr-only">
          {t("status")}
        </h2>
        <div class="state-line" aria-live="polite">
          <span class={`badge state-${state}`} data-testid="agent-state">
            {t.code("state", state)}
            {a.reason && state === "break" ? ` · ${t.code("break", a.reason)}` : ""}
          </span>
          <span class="timer" aria-label={t("since")}>
            {clock(inState)}
          </span>
        </div>
        <dl class="facts">
          <dt>{t("agentId")}</dt>
          <dd>{a.agent_id}</dd>
          <dt>{t("queues")}</dt>
          <dd>{(a.queues ?? []).map((q) => t.code("queue", q)).join("、") || t("none")}</dd>
          <dt>{t("handled")}</dt>
          <dd>{a.handled}</dd>
        </dl>
        <div class="buttons">
          <button type="button" class="primary" disabled={!(state === "break" || state === "acw")} onClick={() => act("/api/agent/ready")} aria-keyshortcuts="Alt+R">
            {t("ready")} <kbd>Alt+R</kbd>
          </button>
          <label class="inline">
            {t("reason")}
            <select value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
              {breakReasons.map((r) => (
                <option key={r} value={r}>
                  {t.code("break", r)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => act("/api/agent/break", { reason })} aria-keyshortcuts="Alt+N">
            {t("notReady")} <kbd>Alt+N</kbd>
          </button>
        </div>
        <p class={`conn conn-${conn}`} role="status" data-testid="conn">
          {conn === "up" ? t("connected") : conn === "down" ? t("reconnecting") : t("connecting")}
        </p>
        <button type="button" class="link" onClick={() => act("/api/agent/logout").then(() => setSignedOut(true))}>
          {t("deskSignOut")}
        </button>
        <details class="shortcuts">
          <summary>{t("shortcuts")}</summary>
          <ul>
            <li><kbd>Alt+A</kbd> {t("accept")}</li>
            <li><kbd>Alt+H</kbd> {t("hold")} / {t("retrieve")}</li>
            <li><kbd>Alt+E</kbd> {t("hangup")}</li>
            <li><kbd>Alt+R</kbd> {t("ready")}</li>
            <li><kbd>Alt+N</kbd> {t("notReady")}</li>
            <li><kbd>Alt+C</kbd> {t("complaint")}</li>
            <li><kbd>Alt+W</kbd> {t("wrapup")}</li>
          </ul>
        </details>
      </section>

      <section class="panel call" aria-labelledby="call-title">
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {call ? (
          <CallPanel key={call.call_id} t={t} desk={desk!} state={state} now={now} act={act} callPath={callPath} wrapLeft={wrapLeft} />
        ) : (
          <>
            <h2 id="call-title">{t("screen.desk")}</h2>
            <p class="muted">{t("noCall")}</p>
          </>
        )}
      </section>
    </div>
  );
}

function CallPanel(props: {
  t: T;
  desk: DeskState;
  state: string;
  now: number;
  act: (path: string, body?: unknown) => Promise<unknown>;
  callPath: string;
  wrapLeft: number;
}) {
  const { t, desk, state, now, act, callPath } = props;
  const call = desk.call!;
  const pop = desk.screen_pop;
  const [kind, setKind] = useState("queue");
  const [target, setTarget] = useState("");
  const [registered, setRegistered] = useState<Complaint | null>(null);
  // The wait ends when the call is answered: the desk's state since then is the answer time
  // the first time it is seen after ringing (or on a desk opened mid-call).
  const [answeredAt, setAnsweredAt] = useState<string | null>(state === "reserved" ? null : desk.agent.since);
  useEffect(() => {
    if (state !== "reserved" && answeredAt === null) setAnsweredAt(desk.agent.since);
  }, [state, answeredAt, desk.agent.since]);
  const queuedAt = call.queued_at ? Date.parse(call.queued_at) : now;
  const waitedSec = ((answeredAt === null ? now : Date.parse(answeredAt)) - queuedAt) / 1000;
  const title = state === "reserved" ? t("incoming") : state === "acw" ? t("wrapup") : t.code("state", state);

  return (
    <>
      <div class={`call-head ${state === "reserved" ? "ringing" : ""}`} role={state === "reserved" ? "alert" : undefined}>
        <h2 id="call-title">{title}</h2>
        <dl class="facts row">
          <dt>{t("line")}</dt>
          <dd>{t.code("line", call.business_line)}</dd>
          <dt>{t("queue")}</dt>
          <dd>{t.code("queue", call.queue)}</dd>
          <dt>{t("waited")}</dt>
          <dd data-testid="waited">{clock(waitedSec)}</dd>
          <dt>{t("phone")}</dt>
          <dd data-testid="phone">{call.phone}</dd>
          {call.ivr_path && (
            <>
              <dt>{t("ivrPath")}</dt>
              <dd>{call.ivr_path}</dd>
            </>
          )}
          {call.data?.practice === "true" && (
            <>
              <dt>{t("flags")}</dt>
              <dd>{t("practiceCall")}</dd>
            </>
          )}
        </dl>
        <div class="buttons">
          {state === "reserved" && (
            <>
              <button type="button" class="primary big" onClick={() => act(`${callPath}/accept`)} aria-keyshortcuts="Alt+A">
                {t("accept")} <kbd>Alt+A</kbd>
              </button>
              <button type="button" onClick={() => act(`${callPath}/reject`, { reason: "declined" })}>
                {t("reject")}
              </button>
            </>
          )}
          {state === "on_call" && (
            <button type="button" onClick={() => act(`${callPath}/hold`)} aria-keyshortcuts="Alt+H">
              {t("hold")} <kbd>Alt+H</kbd>
            </button>
          )}
          {state === "hold" && (
            <button type="button" onClick={() => act(`${callPath}/retrieve`)} aria-keyshortcuts="Alt+H">
              {t("retrieve")} <kbd>Alt+H</kbd>
            </button>
          )}
          {onCall(state) && (
            <button type="button" class="danger" onClick={() => act(`${callPath}/hangup`)} aria-keyshortcuts="Alt+E">
              {t("hangup")} <kbd>Alt+E</kbd>
            </button>
          )}
        </div>
        {onCall(state) && (
          <form
            class="transfer"
            onSubmit={(e) => {
              e.preventDefault();
              act(`${callPath}/transfer`, { kind, target });
            }}
          >
            <label class="inline">
              {t("transferTo")}
              <select value={kind} onChange={(e) => { setKind(e.currentTarget.value); setTarget(""); }}>
                <option value="queue">{t("toQueue")}</option>
                <option value="department">{t("toDepartment")}</option>
              </select>
            </label>
            <label class="inline">
              {t("target")}
              <select value={target} required onChange={(e) => setTarget(e.currentTarget.value)}>
                <option value="">{t("choose")}</option>
                {(kind === "queue" ? desk.transfer_queues : departments).map((q) => (
                  <option key={q} value={q}>
                    {t.code(kind === "queue" ? "queue" : "dept", q)}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">{t("transfer")}</button>
          </form>
        )}
      </div>

      <ScreenPopView t={t} pop={pop} />

      {(onCall(state) || state === "acw") && pop && (
        <ComplaintForm t={t} pop={pop} callPath={callPath} registered={registered} onRegistered={setRegistered} />
      )}
      {state === "acw" && <WrapupForm t={t} call={call} act={act} callPath={callPath} left={props.wrapLeft} complained={!!registered} />}
    </>
  );
}

function ScreenPopView({ t, pop }: { t: T; pop?: ScreenPop }) {
  if (!pop) return <p class="notice">{t("unknownCaller")}</p>;
  const c = pop.customer;
  const flags: Key[] = [];
  if (c.vip || pop.segment === "vip") flags.push("flag.vip");
  if (c.blacklisted) flags.push("flag.blacklisted");
  if (c.do_not_call) flags.push("flag.dnc");
  if (c.marketing_consent) flags.push("flag.consent");
  return (
    <section class="pop" aria-labelledby="pop-title">
      <h3 id="pop-title">
        {t("customer")}: <span data-testid="customer-name">{c.name}</span>
      </h3>
      <dl class="facts row">
        <dt>{t("custPhone")}</dt>
        <dd>{c.phone}</dd>
        <dt>{t("segment")}</dt>
        <dd>{t.code("seg", pop.segment)}</dd>
        <dt>{t("province")}</dt>
        <dd>{[c.province, c.city].filter(Boolean).join(" ")}</dd>
        <dt>{t("since2")}</dt>
        <dd>{t.date(c.customer_since)}</dd>
        <dt>{t("flags")}</dt>
        <dd>
          {flags.length === 0
            ? t("none")
            : flags.map((f) => (
                <span key={f} class={`flag ${f === "flag.blacklisted" ? "bad" : ""}`}>
                  {t(f)}
                </span>
              ))}
        </dd>
      </dl>
      <h4>{t("policies")}</h4>
      <Table
        empty={t("none")}
        head={[t("policyNo"), t("product"), t("insLine"), t("status"), t("endDate"), t("premium")]}
        rows={(pop.policies ?? []).map((p) => [p.policy_id, p.product, t.code("pline", p.line), t.code("pstatus", p.status), t.date(p.end_date), t.money(p.premium)])}
      />
      <h4>{t("claims")}</h4>
      <Table
        empty={t("none")}
        head={[t("claimNo"), t("policyNo"), t("status"), t("reported"), t("claimed"), t("paid")]}
        rows={(pop.recent_claims ?? []).map((c) => [c.claim_id, c.policy_id, t.code("cstatus", c.status), t.dateTime(c.reported_at), t.money(c.amount_claimed), t.money(c.amount_paid)])}
      />
      <h4>{t("openComplaints")}</h4>
      <Table
        empty={t("none")}
        head={[t("category"), t("department"), t("status"), t("due")]}
        rows={(pop.open_complaints ?? []).map((c) => [t.code("cat", c.category), t.code("dept", c.department), t.code("stage", c.stage), t.date(c.due_at)])}
      />
    </section>
  );
}

function Table({ head, rows, empty }: { head: string[]; rows: string[][]; empty: string }) {
  if (rows.length === 0) return <p class="muted">{empty}</p>;
  return (
    <table>
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            {r.map((c, j) => (
              <td key={j}>{c}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ComplaintForm(props: { t: T; pop: ScreenPop; callPath: string; registered: Complaint | null; onRegistered: (c: Complaint) => void }) {
  const { t, pop, callPath, registered } = props;
  const [category, setCategory] = useState("");
  const [department, setDepartment] = useState("");
  const [policy, setPolicy] = useState("");
  const [claim, setClaim] = useState("");
  const [error, setError] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      const c = await api<Complaint>("POST", `${callPath}/complaint`, { category, department, policy_id: policy || undefined, claim_id: claim || undefined });
      props.onRegistered(c);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  if (registered) {
    return (
      <section class="panel-sub ok" aria-live="polite" data-testid="complaint-done">
        <h3>{t("complaintRegistered")}</h3>
        <p>
          <strong>{registered.complaint_id}</strong> · {t.code("cat", registered.category)} · {t.code("dept", registered.department)}
        </p>
        <p>
          {t("complaintDue")} <strong data-testid="complaint-due">{t.dateTime(registered.due_at)}</strong>
        </p>
      </section>
    );
  }
  return (
    <form class="panel-sub form grid" onSubmit={submit} aria-labelledby="complaint-title">
      <h3 id="complaint-title">
        {t("complaint")} <kbd>Alt+C</kbd>
      </h3>
      <label>
        {t("category")}
        <select id="complaint-category" name="category" required value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
          <option value="">{t("choose")}</option>
          {categories.map((c) => (
            <option key={c} value={c}>
              {t.code("cat", c)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("department")}
        <select name="department" required value={department} onChange={(e) => setDepartment(e.currentTarget.value)}>
          <option value="">{t("choose")}</option>
          {departments.map((d) => (
            <option key={d} value={d}>
              {t.code("dept", d)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("policy")}
        <select name="policy" value={policy} onChange={(e) => setPolicy(e.currentTarget.value)}>
          <option value="">{t("none")}</option>
          {(pop.policies ?? []).map((p) => (
            <option key={p.policy_id} value={p.policy_id}>
              {p.policy_id} · {t.code("pline", p.line)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("claim")}
        <select name="claim" value={claim} onChange={(e) => setClaim(e.currentTarget.value)}>
          <option value="">{t("none")}</option>
          {(pop.recent_claims ?? []).map((c) => (
            <option key={c.claim_id} value={c.claim_id}>
              {c.claim_id} · {t.code("cstatus", c.status)}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary">
        {t("register")}
      </button>
    </form>
  );
}

function WrapupForm(props: { t: T; call: CallInfo; act: (p: string, b?: unknown) => Promise<unknown>; callPath: string; left: number; complained: boolean }) {
  const { t, call, act, callPath, left } = props;
  const options = [...(dispositions[call.business_line] ?? ["info_given", "callback_promised"]), ...commonDispositions].filter((d, i, all) => all.indexOf(d) === i);
  const [disposition, setDisposition] = useState(props.complained ? "complaint_registered" : "");
  const [resolved, setResolved] = useState(false);
  return (
    <form
      class="panel-sub form grid wrapup"
      aria-labelledby="wrapup-title"
      onSubmit={(e) => {
        e.preventDefault();
        act(`${callPath}/wrapup`, { disposition, resolved });
      }}
    >
      <h3 id="wrapup-title">
        {t("wrapup")} <kbd>Alt+W</kbd>
      </h3>
      <p class={`countdown ${left < 30 ? "soon" : ""}`} data-testid="wrapup-left">
        {t("wrapupLeft")} <strong>{clock(left)}</strong> · {t("wrapupAuto")}
      </p>
      <label>
        {t("disposition")}
        <select id="wrapup-disposition" name="disposition" required value={disposition} onChange={(e) => setDisposition(e.currentTarget.value)}>
          <option value="">{t("choose")}</option>
          {options.map((d) => (
            <option key={d} value={d}>
              {t.code("disp", d)}
            </option>
          ))}
        </select>
      </label>
      <label class="check">
        <input type="checkbox" name="resolved" checked={resolved} onChange={(e) => setResolved(e.currentTarget.checked)} />
        {t("resolved")}
      </label>
      <button type="submit" class="primary">
        {t("finishWrapup")}
      </button>
    </form>
  );
}
