import { render } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, onSessionLost, type Session } from "./api";
import { initialLang, saveLang, translator, type Key, type Lang, type T } from "./i18n";
import { Desk } from "./desk";

// Screens by role: what each person sees in the navigation. `ready` screens exist; the others
// are listed as coming, so nobody mistakes a missing screen for an empty one.
type Screen = { id: string; label: Key; ready: boolean };
const screens: Record<Session["role"], Screen[]> = {
  agent: [{ id: "desk", label: "screen.desk", ready: true }],
  qa: [{ id: "qa", label: "screen.qa", ready: false }],
  marketer: [{ id: "campaigns", label: "screen.campaigns", ready: false }],
  manager: [
    { id: "wallboard", label: "screen.wallboard", ready: false },
    { id: "campaigns", label: "screen.campaigns", ready: false },
    { id: "qa", label: "screen.qa", ready: false },
  ],
  admin: [{ id: "admin", label: "screen.admin", ready: false }],
  auditor: [{ id: "audit", label: "screen.audit", ready: false }],
};

function currentRoute(): string {
  return location.hash.replace(/^#\/?/, "");
}

function App() {
  const [lang, setLang] = useState<Lang>(initialLang());
  const t = useMemo(() => translator(lang), [lang]);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const [route, setRoute] = useState(currentRoute());
  const waiters = useRef<Array<() => void>>([]);
  const sessionRef = useRef<Session | null | undefined>(undefined);
  sessionRef.current = session;

  useEffect(() => {
    saveLang(lang);
    document.title = t("appName");
  }, [lang, t]);
  useEffect(() => {
    const f = () => setRoute(currentRoute());
    addEventListener("hashchange", f);
    return () => removeEventListener("hashchange", f);
  }, []);
  useEffect(() => {
    api<Session>("GET", "/api/session")
      .then(setSession)
      .catch(() => setSession(null));
    // A request refused for an ended session waits here until the same person signs in again.
    onSessionLost(
      () =>
        new Promise<void>((resolve) => {
          waiters.current.push(resolve);
          setExpired(true);
        }),
    );
    return () => onSessionLost(null);
  }, []);

  const signedIn = (s: Session) => {
    const before = sessionRef.current;
    if (expired && before && before.user !== s.user) {
      // Another person: nothing of the previous one's work may carry over.
      location.hash = "";
      location.reload();
      return;
    }
    setSession(s);
    setExpired(false);
    const w = waiters.current;
    waiters.current = [];
    w.forEach((f) => f());
  };

  const signOut = async () => {
    try {
      await api("DELETE", "/api/session");
    } catch {
      /* signed out already */
    }
    location.hash = "";
    location.reload();
  };

  if (session === undefined) return <p class="boot">{t("appName")}…</p>;
  if (session === null) {
    return (
      <SignInPage t={t} lang={lang} setLang={setLang}>
        <SignIn t={t} onSignedIn={signedIn} />
      </SignInPage>
    );
  }
  const mine = screens[session.role] ?? [];
  const active = mine.find((s) => s.id === route) ?? mine[0];
  return (
    <>
      <div class="shell" inert={expired || session.must_change_password}>
        <header class="top">
          <a class="brand" href="#/">{t("appName")}</a>
          <nav aria-label={t("screens")}>
            <ul>
              {mine.map((s) => (
                <li key={s.id}>
                  <a href={`#/${s.id}`} aria-current={s === active ? "page" : undefined}>
                    {t(s.label)}
                    {!s.ready && <span class="tag">{t("notYet")}</span>}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="who">
            <span>
              {session.user} · {t(`role.${session.role}` as Key)} · {t("centre")} {session.tenant === "*" ? t("headOffice") : session.tenant}
            </span>
            <LangSwitch t={t} lang={lang} setLang={setLang} />
            <button type="button" class="link" onClick={signOut}>
              {t("signOut")}
            </button>
          </div>
        </header>
        <main id="main">
          {active?.id === "desk" && session.role === "agent" ? (
            <Desk t={t} session={session} />
          ) : active ? (
            <section class="panel notyet">
              <h1>{t(active.label)}</h1>
              <p>{t("notYetText")}</p>
            </section>
          ) : null}
        </main>
      </div>
      {expired && (
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="reauth-title">
          <div class="dialog">
            <h2 id="reauth-title">{t("signIn")}</h2>
            <p class="notice" role="alert">
              {t("sessionExpired")}
            </p>
            <SignIn t={t} onSignedIn={signedIn} user={session.user} />
          </div>
        </div>
      )}
      {!expired && session.must_change_password && (
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="pw-title">
          <div class="dialog">
            <h2 id="pw-title">{t("changePassword")}</h2>
            <p class="notice">{t("mustChangePassword")}</p>
            <ChangePassword t={t} onDone={() => setSession({ ...session, must_change_password: false })} />
          </div>
        </div>
      )}
    </>
  );
}

function SignInPage(props: { t: T; lang: Lang; setLang: (l: Lang) => void; children: preact.ComponentChildren }) {
  return (
    <main class="signin-page">
      <div class="signin-card">
        <div class="signin-head">
          <h1>{props.t("appName")}</h1>
          <LangSwitch t={props.t} lang={props.lang} setLang={props.setLang} />
        </div>
        {props.children}
      </div>
    </main>
  );
}

function LangSwitch({ t, lang, setLang }: { t: T; lang: Lang; setLang: (l: Lang) => void }) {
  return (
    <div class="lang" role="group" aria-label={t("language")}>
      <button type="button" aria-pressed={lang === "zh"} lang="zh-CN" onClick={() => setLang("zh")}>
        中文
      </button>
      <button type="button" aria-pressed={lang === "en"} lang="en" onClick={() => setLang("en")}>
        English
      </button>
    </div>
  );
}

function SignIn({ t, onSignedIn, user: fixedUser }: { t: T; onSignedIn: (s: Session) => void; user?: string }) {
  const [user, setUser] = useState(fixedUser ?? "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const s = await api<Session>("POST", "/api/session", { user, password });
      setPassword("");
      onSignedIn(s);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit} aria-describedby={error ? "signin-error" : undefined}>
      <label>
        {t("user")}
        <input name="user" autocomplete="username" required value={user} onInput={(e) => setUser(e.currentTarget.value)} autofocus={!fixedUser} />
      </label>
      <label>
        {t("password")}
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          autofocus={!!fixedUser}
        />
      </label>
      {error && (
        <p class="error" id="signin-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t("signingIn") : t("signIn")}
      </button>
    </form>
  );
}

function ChangePassword({ t, onDone }: { t: T; onDone: () => void }) {
  const [cur, setCur] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    if (next !== again) {
      setError(t("passwordsDiffer"));
      return;
    }
    try {
      await api("POST", "/api/session/password", { current_password: cur, new_password: next });
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <form class="form" onSubmit={submit}>
      <label>
        {t("currentPassword")}
        <input type="password" autocomplete="current-password" required value={cur} onInput={(e) => setCur(e.currentTarget.value)} />
      </label>
      <label>
        {t("newPassword")}
        <input type="password" autocomplete="new-password" required minLength={10} value={next} onInput={(e) => setNext(e.currentTarget.value)} />
      </label>
      <label>
        {t("repeatPassword")}
        <input type="password" autocomplete="new-password" required value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary">
        {t("save")}
      </button>
    </form>
  );
}

saveLang(initialLang());
render(<App />, document.getElementById("app")!);
