/**
 * The console's shell: a skip link, the header (who is signed in, language, sign out), the
 * navigation for what this person may see, and the view the URL names.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { setUnauthorizedHandler } from "./api.ts";
import { ErrorBox, Loading } from "./components/common.tsx";
import { Link } from "./components/link.tsx";
import { type MessageKey, setLang, t, useLang } from "./i18n.ts";
import { logout } from "./oidc.ts";
import { navigate, useLocation } from "./router.ts";
import { getConfig, isAuditor, loadConfig, type Session, setSession, useSession } from "./session.ts";
import { AuditView } from "./views/audit.tsx";
import { ComplaintsView } from "./views/complaints.tsx";
import { DryRunView } from "./views/dry-run.tsx";
import { OverviewView } from "./views/overview.tsx";
import { PoliciesView, PolicyVersionView } from "./views/policies.tsx";
import { QueueView } from "./views/queue.tsx";
import { CallbackView, SignInView } from "./views/sign-in.tsx";
import { ViolationView } from "./views/violation.tsx";
import { ViolationsView } from "./views/violations.tsx";

interface NavItem {
  to: string;
  label: MessageKey;
  auditor: boolean;
  person?: boolean;
}

const NAV: NavItem[] = [
  { to: "queue", label: "navQueue", auditor: false, person: true },
  // a person who is not an auditor reads only what is assigned to them: the API answers these
  // views with their own violations (CONTRACT §6), so they are offered to everyone
  { to: "violations", label: "navViolations", auditor: false },
  { to: "overview", label: "navOverview", auditor: false },
  { to: "complaints", label: "navComplaints", auditor: true },
  { to: "audit", label: "navAudit", auditor: true },
  { to: "policies", label: "navPolicies", auditor: true },
  { to: "dry-run", label: "navDryRun", auditor: false },
];

function visible(item: NavItem, session: Session): boolean {
  if (item.person && session.kind !== "person") return false;
  return !item.auditor || isAuditor(session);
}

export function App() {
  const [ready, setReady] = useState<true | unknown>(undefined);
  useEffect(() => {
    setUnauthorizedHandler(() => {
      setSession(undefined);
      navigate(`sign-in?expired=1`);
    });
    loadConfig().then(
      () => setReady(true),
      (error) => setReady(error),
    );
  }, []);
  if (ready === undefined) return <Loading />;
  if (ready !== true)
    return (
      <main>
        <ErrorBox error={ready} />
      </main>
    );
  return <Shell />;
}

function Shell() {
  const lang = useLang();
  const session = useSession();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const path = location.path;
  const open = path === "sign-in" || path === "callback";

  useEffect(() => {
    const here = location.query.toString() ? `${path}?${location.query}` : path;
    if (!session && !open) navigate(`sign-in?next=${encodeURIComponent(here)}`, { replace: true });
    else if (session && path === "")
      navigate(session.kind === "person" ? "queue" : "violations", { replace: true });
  }, [session, open, path, location.query]);

  // a new view: its heading takes the focus, so keyboard and screen reader users start there (not on
  // the first page load, where the browser's own start — the skip link first — is what people expect)
  const firstView = useRef(true);
  useEffect(() => {
    const heading = mainRef.current?.querySelector("h1");
    if (firstView.current) firstView.current = false;
    else if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  }, [path]);
  useEffect(() => {
    const heading = mainRef.current?.querySelector("h1");
    document.title = `${heading?.textContent ?? ""} · ${t("appName")}`;
  });

  return (
    <>
      <a class="skip" href="#main">
        {t("skipToContent")}
      </a>
      <header class="top">
        <span class="brand">{t("appName")}</span>
        {session && (
          <nav aria-label={t("mainNav")}>
            <ul>
              {NAV.filter((item) => visible(item, session)).map((item) => (
                <li key={item.to}>
                  <Link
                    to={item.to}
                    aria-current={path === item.to || path.startsWith(`${item.to}/`) ? "page" : undefined}
                  >
                    {t(item.label)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="who">
          {session?.kind === "person" && (
            <span>
              {t("signedInAs")} <strong>{session.person.name[lang]}</strong> ({session.person.id})
            </span>
          )}
          {session?.kind === "reader" && <span>{t("readerToken")}</span>}
          <button
            type="button"
            onClick={() => setLang(lang === "zh" ? "en" : "zh")}
            aria-label={t("switchLanguageLabel")}
            lang={lang === "zh" ? "en" : "zh-Hant"}
          >
            {t("switchLanguage")}
          </button>
          {session && (
            <button type="button" onClick={() => logout(getConfig())}>
              {t("signOut")}
            </button>
          )}
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {session || open ? <View path={path} query={location.query} session={session} /> : <Loading />}
      </main>
    </>
  );
}

function View(props: { path: string; query: URLSearchParams; session: Session | undefined }) {
  const { path, query, session } = props;
  if (path === "sign-in") return <SignInView query={query} />;
  if (path === "callback") return <CallbackView query={query} />;
  if (!session) return <Loading />;
  const auditorOnly = (view: preact.JSX.Element) =>
    isAuditor(session) ? (
      view
    ) : (
      <>
        <h1>{t("appName")}</h1>
        <p role="alert">{t("forbiddenView")}</p>
      </>
    );
  const [head, ...rest] = path.split("/");
  switch (head) {
    case "":
      return <Loading />;
    case "queue":
      return <QueueView query={query} session={session} />;
    case "violations":
      return rest.length > 0 ? (
        <ViolationView id={rest.join("/")} session={session} />
      ) : (
        <ViolationsView query={query} mine={!isAuditor(session)} />
      );
    case "overview":
      return <OverviewView query={query} mine={!isAuditor(session)} />;
    case "complaints":
      return auditorOnly(<ComplaintsView query={query} />);
    case "audit":
      return auditorOnly(<AuditView query={query} />);
    case "policies":
      return auditorOnly(
        rest.length === 2 ? (
          <PolicyVersionView id={rest[0] as string} version={rest[1] as string} />
        ) : (
          <PoliciesView />
        ),
      );
    case "dry-run":
      return <DryRunView />;
    default:
      return (
        <>
          <h1>{t("appName")}</h1>
          <p role="alert">{t("notFound")}</p>
        </>
      );
  }
}
