/**
 * Sign-in. Locally: the development issuer's picker of the directory's people (GET /local/people,
 * POST /local/sign-in), saying plainly that it is for development. On AWS: the company login
 * (the user pool's managed login, oidc.ts). Either way, a machine reader token may be used instead.
 */
import { useEffect, useState } from "preact/hooks";
import { postJson } from "../api.ts";
import { ErrorBox, Loading, useApi } from "../components/common.tsx";
import { t, useLang } from "../i18n.ts";
import { finishLogin, startLogin } from "../oidc.ts";
import { navigate } from "../router.ts";
import { getConfig, signInAsReader, signInWithToken } from "../session.ts";
import type { LocalSignIn, PeopleList, Person } from "../types.ts";

function afterSignIn(query: URLSearchParams, person: Person | undefined) {
  const next = query.get("next");
  navigate(next && !next.startsWith("sign-in") ? next : person ? "queue" : "violations", { replace: true });
}

export function SignInView(props: { query: URLSearchParams }) {
  const config = getConfig();
  return (
    <div class="narrow">
      <h1>{t("signInTitle")}</h1>
      {props.query.get("expired") && <p role="status">{t("sessionExpired")}</p>}
      {config.signIn === "local" ? <LocalPicker query={props.query} /> : <CompanyLogin query={props.query} />}
      <ReaderToken query={props.query} />
    </div>
  );
}

function CompanyLogin(props: { query: URLSearchParams }) {
  return (
    <button
      type="button"
      class="primary"
      onClick={() => void startLogin(getConfig(), props.query.get("next") ?? "queue")}
    >
      {t("signInWithCompany")}
    </button>
  );
}

function LocalPicker(props: { query: URLSearchParams }) {
  const lang = useLang();
  const people = useApi<PeopleList | Person[]>("/local/people");
  const [chosen, setChosen] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // CONTRACT §6 names the list, not its envelope: a bare array or {items} are both read
  const items = (Array.isArray(people.data) ? people.data : people.data?.items) ?? [];

  async function signIn(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await postJson<LocalSignIn>("/local/sign-in", { person: chosen }, { anonymous: true });
      await signInWithToken(answer.token, answer.expiresAt);
      afterSignIn(props.query, answer.person);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={signIn} class="card">
      <p class="notice">{t("devIssuer")}</p>
      {people.loading && <Loading />}
      {people.error !== undefined && <ErrorBox error={people.error} />}
      <label for="person">{t("pickPerson")}</label>
      <p class="muted" id="person-hint">
        {t("pickPersonHint")}
      </p>
      <select
        id="person"
        aria-describedby="person-hint"
        value={chosen}
        onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}
        required
      >
        <option value="">—</option>
        {items.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name[lang]} ({p.id}) · {p.department}
            {p.roles.length ? ` · ${p.roles.join(", ")}` : ""}
          </option>
        ))}
      </select>
      <button type="submit" class="primary" disabled={busy || !chosen}>
        {busy ? t("signingIn") : t("signInAs")}
      </button>
      {error !== undefined && <ErrorBox error={error} />}
    </form>
  );
}

function ReaderToken(props: { query: URLSearchParams }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>();
  async function use(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      await signInAsReader(token.trim());
      afterSignIn(props.query, undefined);
    } catch (e) {
      setError(e);
    }
  }
  return (
    <details class="card">
      <summary>{t("readerTitle")}</summary>
      <form onSubmit={use}>
        <p class="muted">{t("readerHint")}</p>
        <label for="reader-token">{t("readerTokenLabel")}</label>
        <input
          id="reader-token"
          type="password"
          autoComplete="off"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          required
        />
        <button type="submit">{t("useReaderToken")}</button>
        {error !== undefined && <ErrorBox error={error} />}
      </form>
    </details>
  );
}

export function CallbackView(props: { query: URLSearchParams }) {
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    finishLogin(getConfig(), props.query).catch(setError);
  }, [props.query]);
  return (
    <div class="narrow">
      <h1>{t("signInTitle")}</h1>
      {error === undefined ? <Loading /> : <ErrorBox error={error} />}
    </div>
  );
}
