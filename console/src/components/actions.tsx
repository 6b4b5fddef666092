/**
 * Acknowledge / waive / reopen a violation as the signed-in person. The buttons follow what the
 * status allows; whether this person may act is the API's decision (CONTRACT §6), and a refusal is
 * shown in words (e.g. separation of duties: a culprit cannot waive).
 */
import { useState } from "preact/hooks";
import { postJson } from "../api.ts";
import { t, useLang } from "../i18n.ts";
import { allowedActions } from "../queue-order.ts";
import type { Violation } from "../types.ts";
import { nameOf, STATUS_NAMES } from "../vocabulary.ts";
import { ErrorBox } from "./common.tsx";

type Action = "acknowledge" | "waive" | "reopen";

export function Actions(props: { violation: Violation; onDone: (v: Violation) => void }) {
  const lang = useLang();
  const { violation } = props;
  const [action, setAction] = useState<Action | undefined>();
  const [reason, setReason] = useState("");
  const [until, setUntil] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const idp = `act-${violation.id}`;

  async function submit(event: Event) {
    event.preventDefault();
    if (!action) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = action === "waive" ? { reason, until } : { reason };
      const updated = await postJson<Violation>(
        `/v1/violations/${encodeURIComponent(violation.id)}/${action}`,
        body,
      );
      setDone(t("actionDone", { status: nameOf(STATUS_NAMES, updated.status, lang) }));
      setAction(undefined);
      setReason("");
      setUntil("");
      props.onDone(updated);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="actions">
      <fieldset class="action-buttons">
        <legend class="visually-hidden">{t("actions")}</legend>
        {allowedActions(violation.status).map((a) => (
          <button
            key={a}
            type="button"
            aria-expanded={action === a}
            aria-controls={action === a ? `${idp}-form` : undefined}
            onClick={() => {
              setAction(action === a ? undefined : a);
              setError(undefined);
              setDone(undefined);
            }}
          >
            {t(a)}
          </button>
        ))}
      </fieldset>
      {action && (
        <form id={`${idp}-form`} onSubmit={submit} class="action-form" aria-label={t(action)}>
          <label for={`${idp}-reason`}>{t("reason")}</label>
          <textarea
            id={`${idp}-reason`}
            required
            value={reason}
            onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
          />
          {action === "waive" && (
            <>
              <label for={`${idp}-until`}>{t("until")}</label>
              <input
                id={`${idp}-until`}
                type="date"
                required
                aria-describedby={`${idp}-until-hint`}
                value={until}
                onInput={(e) => setUntil((e.target as HTMLInputElement).value)}
              />
              <span class="muted" id={`${idp}-until-hint`}>
                {t("untilHint")}
              </span>
            </>
          )}
          <div>
            <button type="submit" class="primary" disabled={busy}>
              {t("submitAction")}: {t(action)}
            </button>{" "}
            <button type="button" onClick={() => setAction(undefined)}>
              {t("cancel")}
            </button>
          </div>
        </form>
      )}
      {error !== undefined && <ErrorBox error={error} title={t("refused")} />}
      {done && <p role="status">{done}</p>}
    </div>
  );
}
