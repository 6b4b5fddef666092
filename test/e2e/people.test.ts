/**
 * People over real HTTP (CONTRACT §6): the local runtime is its own development issuer (discovery,
 * JWKS, people, sign-in); person routes take its ID tokens; who may do what, with every refusal
 * code and in §6's order of checks; reading and queues; history and the audit trail name the
 * signed-in person; the machine reader reads and never acts. Tokens are checked independently here
 * with jose against the JWKS the platform publishes.
 */
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { AuditLogStore, chainOf } from "../../functions/store/audit-log.ts";
import { tableNames } from "../../functions/store/tables.ts";
import { overBudget } from "../support/records.ts";
import {
  type Answer,
  AUDITOR_TOKEN,
  Clock,
  type E2ePlatform,
  type ErrorJson,
  expectDocumented,
  expectJsonError,
  OLD_CASE_HANDLER_TOKEN,
  startE2ePlatform,
  type ViolationJson,
  type ViolationListJson,
} from "./helpers.ts";

const clock = new Clock("2026-03-02T00:00:00Z");
let e2e: E2ePlatform;
const api = () => e2e.api;

type Person = {
  id: string;
  name: { zh: string; en: string };
  email: string;
  department: string;
  roles: string[];
};

beforeAll(async () => {
  e2e = await startE2ePlatform({ tag: "people", now: clock.now });
}, 120_000);
afterAll(async () => e2e?.close(), 60_000);

/** Ingests an over-budget expense (applicant a.wu; finance and the marketing director must act). */
async function overBudgetViolation(recordId: string): Promise<ViolationJson> {
  const posted = await api().post("/v1/records", overBudget(recordId, 1));
  expect(posted.status, posted.text).toBe(202);
  await e2e.platform.drained();
  const [v] = await api().violations({ recordId });
  if (!v) throw new Error(`no violation for ${recordId}`);
  return v;
}

const act = (as: string | { token: string }, id: string, action: string, body: unknown) =>
  api().postAs<ViolationJson & ErrorJson>(as, `/v1/violations/${id}/${action}`, body);

function refused(answer: Answer<unknown>, status: number, code: string) {
  expect(answer.status, answer.text).toBe(status);
  expectJsonError(answer, code);
}

describe("the development issuer", () => {
  it("says so at start and how to get a token", () => {
    const logs = e2e.logs.join("\n");
    expect(logs).toMatch(/own development OpenID issuer \(local only, never deployed\)/);
    expect(logs).toContain(`npx compliance login`);
    expect(logs).toContain(`${e2e.platform.url}/local/sign-in`);
    expect(logs).not.toMatch(/case handler/i);
  });

  it("publishes its discovery document and JWKS; its tokens verify independently", async () => {
    const discovery = expectDocumented(
      await api().request<{ issuer: string; jwks_uri: string }>("GET", "/.well-known/openid-configuration"),
      "GET",
      "/.well-known/openid-configuration",
    );
    expect(discovery.status).toBe(200);
    expect(discovery.body.issuer).toBe(e2e.platform.url);
    const jwks = (await fetch(discovery.body.jwks_uri).then((r) => r.json())) as JSONWebKeySet;
    const signIn = expectDocumented(
      await api().request<{ token: string; expiresAt: string; person: Person }>("POST", "/local/sign-in", {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ person: "fin.wang" }),
      }),
      "POST",
      "/local/sign-in",
    );
    expect(signIn.status).toBe(200);
    expect(signIn.body.person).toEqual({
      id: "fin.wang",
      name: { zh: "王麗華", en: "Wang Lihua" },
      email: "fin.wang@example.com",
      department: "finance",
      roles: ["finance"],
    });
    const { payload, protectedHeader } = await jwtVerify(signIn.body.token, createLocalJWKSet(jwks), {
      issuer: e2e.platform.url,
      currentDate: clock.now(),
    });
    expect(protectedHeader.alg).toMatch(/^(RS|PS|ES)\d+$|^EdDSA$/);
    expect(payload).toMatchObject({ email: "fin.wang@example.com", preferred_username: "fin.wang" });
    expect(Date.parse(signIn.body.expiresAt)).toBe((payload.exp as number) * 1000);
  });

  it("lists the directory and refuses to sign in anyone else", async () => {
    const people = expectDocumented(
      await api().request<{ items: Person[] }>("GET", "/local/people"),
      "GET",
      "/local/people",
    );
    expect(people.status).toBe(200);
    const ids = people.body.items.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(["au.gao", "fin.wang", "a.wu", "md.li", "cs.liu"]));
    expect(people.body.items.find((p) => p.id === "au.gao")?.roles).toEqual(["auditor"]);
    for (const person of ["mickey.mouse", "A.WU", "a.wu\u200b", "\u0430.wu", "system"]) {
      const answer = await api().request("POST", "/local/sign-in", {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ person }),
      });
      expect(answer.status, person).toBe(400);
      expect(expectJsonError(answer, "validation_failed").issues?.[0]?.path).toBe("person");
    }
  });
});

describe("GET /v1/me", () => {
  it("says who is signed in; the machine reader is nobody; no credential is 401", async () => {
    const me = expectDocumented(await api().getAs<Person>("md.li", "/v1/me"), "GET", "/v1/me");
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: "md.li",
      name: { zh: "李明", en: "Li Ming" },
      email: "md.li@example.com",
      department: "marketing",
      roles: ["marketing-director"],
    });
    refused(expectDocumented(await api().get("/v1/me"), "GET", "/v1/me"), 403, "not_a_person");
    refused(await api().get("/v1/me", { headers: {} }), 401, "unauthorized");
    refused(await api().get("/v1/me", { token: OLD_CASE_HANDLER_TOKEN }), 401, "unauthorized");
  });

  it("401 once the token has expired by the platform's clock", async () => {
    const token = await api().tokenFor("cs.liu");
    expect((await api().get("/v1/me", { token })).status).toBe(200);
    const saved = clock.now().toISOString();
    clock.advance(8 * 3600_000 + 61_000);
    try {
      const answer = await api().get("/v1/me", { token });
      refused(answer, 401, "unauthorized");
      expect(answer.text).toMatch(/expired/);
    } finally {
      clock.set(saved);
    }
  });
});

describe("who may act (CONTRACT §6)", () => {
  it("refuses everyone but the assignees, each with §6's code, in §6's order", async () => {
    const v = await overBudgetViolation("PPL-1");
    expect(v.assignees).toEqual([
      { role: "finance", people: ["fin.wang", "fin.zhao"] },
      { role: "marketing-director", people: ["md.li"] },
    ]);
    const until = "2026-04-01T00:00:00Z";
    const doc = <T>(a: Answer<T>, action: string) =>
      expectDocumented(a, "POST", `/v1/violations/{id}/${action}`);

    // 401 before everything: no credential, the old shared token, the machine reader acting is 403
    refused(
      doc(await act({ token: OLD_CASE_HANDLER_TOKEN }, v.id, "acknowledge", { reason: "x" }), "acknowledge"),
      401,
      "unauthorized",
    );
    // 404 before 400: an unknown violation with an invalid body
    refused(doc(await act("cs.liu", "0".repeat(32), "acknowledge", {}), "acknowledge"), 404, "not_found");
    // 400 before 403: someone not assigned, with no reason
    refused(doc(await act("cs.liu", v.id, "acknowledge", {}), "acknowledge"), 400, "validation_failed");
    // 403 actor_mismatch: `by` is not the caller (another person, "system", look-alikes of the caller)
    for (const by of ["fin.zhao", "system", "FIN.WANG", "fin.wang\u200b", "fin.w\u0430ng", " fin.wang"])
      refused(
        doc(await act("fin.wang", v.id, "acknowledge", { by, reason: "x" }), "acknowledge"),
        403,
        "actor_mismatch",
      );
    // 403 separation_of_duties: the applicant, before not_assigned; a look-alike `by` is still a mismatch
    refused(
      doc(await act("a.wu", v.id, "waive", { reason: "mine", until }), "waive"),
      403,
      "separation_of_duties",
    );
    refused(
      doc(await act("a.wu", v.id, "waive", { by: "A.WU", reason: "mine", until }), "waive"),
      403,
      "actor_mismatch",
    );
    // 403 not_assigned: another person (a confidentiality officer on a finance violation), the
    // machine reader, an auditor acknowledging; not_assigned comes before the 409 of reopening an open one
    refused(
      doc(await act("sec.yang", v.id, "acknowledge", { reason: "x" }), "acknowledge"),
      403,
      "not_assigned",
    );
    refused(
      doc(await act({ token: AUDITOR_TOKEN }, v.id, "acknowledge", { reason: "x" }), "acknowledge"),
      403,
      "not_assigned",
    );
    refused(
      doc(await act("au.gao", v.id, "acknowledge", { reason: "x" }), "acknowledge"),
      403,
      "not_assigned",
    );
    refused(doc(await act("cs.liu", v.id, "reopen", { reason: "x" }), "reopen"), 403, "not_assigned");
    refused(doc(await act("a.wu", v.id, "acknowledge", { reason: "x" }), "acknowledge"), 403, "not_assigned");
    // 409 last: an assignee reopening an open violation
    refused(
      doc(await act("fin.zhao", v.id, "reopen", { reason: "x" }), "reopen"),
      409,
      "transition_not_allowed",
    );

    // nothing changed
    const unchanged = await api().get<ViolationJson>(`/v1/violations/${v.id}`);
    expect(unchanged.body.status).toBe("open");
    expect(unchanged.body.history).toHaveLength(1);

    // the assignees act (with or without `by`), an auditor reopens; history names each caller
    expect((await act("fin.wang", v.id, "acknowledge", { reason: "checking the budget line" })).status).toBe(
      200,
    );
    clock.advance(60_000);
    expect((await act("md.li", v.id, "waive", { by: "md.li", reason: "line moved", until })).status).toBe(
      200,
    );
    clock.advance(60_000);
    const reopened = doc(
      await act("au.gao", v.id, "reopen", { reason: "audit: line did not move" }),
      "reopen",
    );
    expect(reopened.status, reopened.text).toBe(200);
    expect(reopened.body.history.map((h) => [h.status, h.by])).toEqual([
      ["open", "system"],
      ["acknowledged", "fin.wang"],
      ["waived", "md.li"],
      ["open", "au.gao"],
    ]);

    // the audit trail names the same people
    await e2e.platform.drained();
    const store = new AuditLogStore(e2e.platform.runtime.dynamodb.doc, tableNames(e2e.prefix));
    const chain = await store.readChain(chainOf(`violation:${v.id}`));
    const actors = chain.entries
      .map((e) => e.content as { subject?: string; seq?: number; actor?: string; status?: string })
      .filter((c) => c.subject === `violation:${v.id}`)
      .map((c) => [c.status, c.actor]);
    expect(actors).toEqual(
      expect.arrayContaining([
        ["acknowledged", "fin.wang"],
        ["waived", "md.li"],
        ["open", "au.gao"],
      ]),
    );
  });
});

describe("who may read (CONTRACT §6)", () => {
  it("auditors and the machine reader read everything; others their own violations and queue only", async () => {
    const v = await overBudgetViolation("PPL-2");
    const read = async (as: string | undefined) =>
      expectDocumented(
        as ? await api().getAs(as, `/v1/violations/${v.id}`) : await api().get(`/v1/violations/${v.id}`),
        "GET",
        "/v1/violations/{id}",
      );
    for (const reader of ["au.gao", undefined, "fin.zhao", "md.li"])
      expect((await read(reader)).status, String(reader)).toBe(200);
    for (const outsider of ["cs.liu", "a.wu"]) refused(await read(outsider), 403, "not_assigned");

    const list = async (as: string | undefined, query: Record<string, string> = {}) =>
      expectDocumented(
        as
          ? await api().getAs<ViolationListJson>(as, "/v1/violations", query)
          : await api().get<ViolationListJson>("/v1/violations", { query }),
        "GET",
        "/v1/violations",
      );
    const ids = (a: Answer<ViolationListJson>) => a.body.items.map((i) => i.id);
    // a person's list without `assignee` is their queue: exactly what is assigned to them
    for (const person of ["fin.wang", "md.li"]) {
      const queue = await list(person);
      expect(queue.status).toBe(200);
      expect(ids(queue)).toContain(v.id);
      for (const item of queue.body.items)
        expect(
          item.assignees.flatMap((a) => a.people),
          person,
        ).toContain(person);
      expect(ids(await list(person, { assignee: "me" }))).toEqual(ids(queue));
      expect(ids(await list(person, { assignee: person }))).toEqual(ids(queue));
    }
    expect(ids(await list("cs.liu"))).not.toContain(v.id);
    refused(await list("cs.liu", { assignee: "fin.wang" }), 403, "not_assigned");
    // an auditor lists everything, or anyone's queue; the machine reader too, but has no "me"
    expect(ids(await list("au.gao"))).toContain(v.id);
    expect(ids(await list("au.gao", { assignee: "fin.wang" }))).toContain(v.id);
    expect(ids(await list("au.gao", { assignee: "me" }))).toEqual([]);
    expect(ids(await list(undefined))).toContain(v.id);
    refused(await list(undefined, { assignee: "me" }), 400, "validation_failed");
    // auditor-only reading
    refused(await api().getAs("fin.wang", "/v1/policies"), 403, "not_auditor");
    expect((await api().getAs("au.gao", "/v1/policies")).status).toBe(200);
  });
});

describe("POST /v1/evaluate by a reader (CONTRACT §2)", () => {
  it("a signed-in person or the machine reader dry-runs a record; nothing is stored; a bad bearer is 401", async () => {
    const record = overBudget("PPL-EVAL", 1);
    for (const as of ["cs.liu", { token: AUDITOR_TOKEN }]) {
      const answer = expectDocumented(
        await api().postAs<{ violations: { ruleId: string }[] }>(as, "/v1/evaluate", record),
        "POST",
        "/v1/evaluate",
      );
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body.violations.map((v) => v.ruleId)).toEqual(["over-budget"]);
    }
    refused(
      await api().postAs({ token: OLD_CASE_HANDLER_TOKEN }, "/v1/evaluate", record),
      401,
      "unauthorized",
    );
    // a reader's token never stores
    refused(await api().postAs("au.gao", "/v1/records", record), 401, "unauthorized");
    expect((await api().get("/v1/records/expense/PPL-EVAL")).status).toBe(404);
  });
});

describe("npx compliance login", () => {
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };

  it("prints a token of a running npm start for scripts; says who it names on stderr", async () => {
    const { code, out, err } = await run(["login", "legal.xu", "--url", e2e.platform.url]);
    expect(code, err.join("\n")).toBe(0);
    expect(out).toHaveLength(1);
    expect(err.join("\n")).toMatch(/^signed in as legal\.xu \(Xu Jing; legal\) until 20/);
    const me = await api().get<Person>("/v1/me", { token: out[0] as string });
    expect(me.body.id).toBe("legal.xu");
    const json = await run(["login", "au.gao", "--url", `${e2e.platform.url}/`, "--json"]);
    expect(JSON.parse(json.out.join("\n"))).toMatchObject({ person: { id: "au.gao", roles: ["auditor"] } });
  });

  it("exit 1 for someone not in the directory or no platform at the URL; 2 without a person", async () => {
    const nobody = await run(["login", "mickey.mouse", "--url", e2e.platform.url]);
    expect(nobody.code).toBe(1);
    expect(nobody.err.join("\n")).toContain('"mickey.mouse" is not a person of the directory');
    const unreachable = await run(["login", "fin.wang", "--url", "http://127.0.0.1:1"]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.err.join("\n")).toMatch(/no platform answers at http:\/\/127\.0\.0\.1:1 .*npm start/);
    expect((await run(["login"])).code).toBe(2);
  });
});
