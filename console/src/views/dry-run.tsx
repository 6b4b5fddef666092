/**
 * The dry run (auditors): paste or upload a record, POST /v1/evaluate?explain=true with the reader's
 * bearer, and see what would fire and why — every rule of every policy in force, with its
 * explanation tree. Nothing is stored. The pasted text is sent exactly as written, so the API's
 * own refusals (unknown field, bad time) come back naming the field.
 */
import { useState } from "preact/hooks";
import { postJson } from "../api.ts";
import { ErrorBox, Time } from "../components/common.tsx";
import { ExplanationTree } from "../components/explanation.tsx";
import { t, useLang } from "../i18n.ts";
import type { ExplainedEvaluation } from "../types.ts";

export function DryRunView() {
  const lang = useLang();
  const [text, setText] = useState("");
  const [at, setAt] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<ExplainedEvaluation | undefined>();

  async function evaluate(event: Event) {
    event.preventDefault();
    setError(undefined);
    setResult(undefined);
    try {
      JSON.parse(text);
    } catch (e) {
      setError(new Error(t("invalidJson", { m: (e as Error).message })));
      return;
    }
    setBusy(true);
    try {
      const q = new URLSearchParams({ explain: "true" });
      if (at.trim()) q.set("at", at.trim());
      setResult(await postJson<ExplainedEvaluation>(`/v1/evaluate?${q}`, undefined, { rawBody: text }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function upload(event: Event) {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) setText(await file.text());
  }

  return (
    <>
      <h1>{t("dryRunTitle")}</h1>
      <p class="muted">{t("dryRunIntro")}</p>
      <form onSubmit={evaluate} class="card">
        <label for="dry-record">{t("recordJson")}</label>
        <textarea
          id="dry-record"
          rows={14}
          spellcheck={false}
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          required
        />
        <label for="dry-file">{t("uploadFile")}</label>
        <input id="dry-file" type="file" accept=".json,application/json" onChange={upload} />
        <label for="dry-at">{t("evaluateAt")}</label>
        <input
          id="dry-at"
          type="text"
          placeholder="2026-03-02T08:00+08:00"
          value={at}
          onInput={(e) => setAt((e.target as HTMLInputElement).value)}
        />
        <div>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t("evaluating") : t("evaluate")}
          </button>
        </div>
      </form>
      {error !== undefined && <ErrorBox error={error} />}
      {result && (
        <section aria-labelledby="dry-result" aria-live="polite">
          <h2 id="dry-result">{t("wouldFire")}</h2>
          <p class="muted">
            {t("evaluatedAt", { at: "" })}
            <Time iso={result.evaluatedAt} />
          </p>
          {result.violations.length === 0 ? (
            <p data-testid="fired">{t("nothingFires")}</p>
          ) : (
            <ul data-testid="fired">
              {result.violations.map((v) => (
                <li key={`${v.policyId}/${v.ruleId}`}>
                  <strong>
                    {v.policyId} / {v.ruleId}
                  </strong>
                  : <span lang={lang === "zh" ? "zh-Hant" : "en"}>{v.message[lang]}</span>
                </li>
              ))}
            </ul>
          )}
          {result.policies.map((p) => (
            <section key={p.id} aria-labelledby={`dry-${p.id}`}>
              <h3 id={`dry-${p.id}`}>{t("policyVersion", { id: p.id, v: p.version })}</h3>
              {(p.rules ?? []).map((rule) => (
                <details key={rule.id} open={rule.fired}>
                  <summary>
                    <code>{rule.id}</code>: <strong>{rule.fired ? t("fired") : t("notFired")}</strong>
                  </summary>
                  <ExplanationTree node={rule.explanation} />
                </details>
              ))}
            </section>
          ))}
        </section>
      )}
    </>
  );
}
