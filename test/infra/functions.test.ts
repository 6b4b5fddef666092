import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { tablesFromEnv } from "../../functions/runtime/runtime.ts";
import type { TableName } from "../../infra/constructs/data.ts";
import { ComplianceFunction, SOURCE_MAPS_CONTEXT } from "../../infra/constructs/function.ts";
import { KMS, TABLE_ENV } from "../../infra/constructs/functions.ts";
import { ComplianceStack } from "../../infra/stack.ts";
import {
  build,
  canonical,
  logicalId,
  NO_BUNDLING,
  resolve,
  type Statement,
  statementsOf,
  TABLE_FIELDS,
} from "./support.ts";

const XRAY: Statement = {
  actions: ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
  resources: ["*"],
};

function fns(): [string, ComplianceFunction][] {
  const f = build().stack.functions;
  return [
    ["ingest", f.ingest],
    ["evaluate", f.evaluate],
    ["auditor", f.auditor],
    ["cases", f.cases],
    ["health", f.health],
    ["evaluator", f.evaluator],
    ["sweeper", f.sweeper],
    ["events", f.events],
    ["audit-trail-consumer", f.auditTrailConsumer],
    ["digester", f.digester],
    ["policy-publisher", f.policyPublisher],
  ];
}

function env(fn: ComplianceFunction): Record<string, unknown> {
  return build().template.toJSON().Resources[logicalId(fn.fn)].Properties.Environment.Variables;
}

/** The tables a function's environment names, by their logical names. */
function envTables(fn: ComplianceFunction): TableName[] {
  const vars = env(fn);
  return (Object.entries(TABLE_ENV) as [TableName, string][])
    .filter(([, variable]) => variable in vars)
    .map(([name]) => name)
    .sort();
}

describe("Lambda functions", () => {
  it("turns Node's source maps on in every function with the compliance:source-maps context", () => {
    const app = new App({ context: { ...NO_BUNDLING, [SOURCE_MAPS_CONTEXT]: "true" } });
    const stack = new ComplianceStack(app, "Compliance");
    const functions = stack.node
      .findAll()
      .filter((c): c is ComplianceFunction => c instanceof ComplianceFunction);
    expect(functions.length).toBeGreaterThan(10);
    const resources = Template.fromStack(stack).toJSON().Resources;
    for (const f of functions)
      expect(resources[logicalId(f.fn)].Properties.Environment.Variables.NODE_OPTIONS, f.handler).toBe(
        "--enable-source-maps",
      );
  });

  it("every function: Node.js 24 pinned, arm64, explicit memory and timeout, active tracing, Powertools; source maps only on request", () => {
    const { template } = build();
    for (const [, fn] of fns()) {
      const props = template.toJSON().Resources[logicalId(fn.fn)].Properties;
      expect(props).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        TracingConfig: { Mode: "Active" },
        Environment: {
          Variables: {
            POWERTOOLS_SERVICE_NAME: "compliance",
            POWERTOOLS_LOG_LEVEL: "INFO",
          },
        },
      });
      // Node would parse the source map at every cold start (README: Deploy to AWS)
      expect(props.Environment.Variables).not.toHaveProperty("NODE_OPTIONS");
      expect(props.MemorySize).toBeGreaterThanOrEqual(128);
      expect(props.Timeout).toBeGreaterThan(3);
    }
    // the CDK Provider framework function of the policy publication and the notifier (its own
    // construct, notifications.test.ts) are the only other functions
    expect(Object.keys(template.findResources("AWS::Lambda::Function"))).toHaveLength(fns().length + 2);
  });

  it("every function has its own role and its own KMS-encrypted log group with a retention", () => {
    const { template } = build();
    const roles = new Set<string>();
    for (const [, fn] of fns()) {
      const props = template.toJSON().Resources[logicalId(fn.fn)].Properties;
      expect(props.Role).toEqual({ "Fn::GetAtt": [logicalId(fn.role), "Arn"] });
      roles.add(logicalId(fn.role));
      expect(props.LoggingConfig).toEqual({ LogGroup: { Ref: logicalId(fn.logGroup) } });
      const group = template.toJSON().Resources[logicalId(fn.logGroup)].Properties;
      expect(group.RetentionInDays).toBeGreaterThan(0);
      expect(group.KmsKeyId).toEqual({ "Fn::GetAtt": [logicalId(build().stack.data.key), "Arn"] });
      // no AWS managed policy (AWSLambdaBasicExecutionRole): log permissions are the role's own
      expect(template.toJSON().Resources[logicalId(fn.role)].Properties.ManagedPolicyArns).toBeUndefined();
    }
    expect(roles.size).toBe(fns().length);
  });

  it("the function list: every function of the stack is tested here", () => {
    expect(
      build()
        .stack.functions.all()
        .map((fn) => fn.node.id)
        .sort(),
    ).toEqual(
      fns()
        .map(([, fn]) => fn.node.id)
        .sort(),
    );
  });

  it("environment: exactly the tables each handler uses, under the names runtime.ts reads", () => {
    const { stack } = build();
    const f = stack.functions;
    const expected: [ComplianceFunction, TableName[]][] = [
      [f.ingest, ["record-revisions", "records"]],
      [f.evaluate, []],
      [
        f.auditor,
        ["audit-digests", "audit-log", "record-heads", "record-revisions", "records", "stats", "violations"],
      ],
      [f.cases, ["records", "violations"]],
      [f.health, []],
      [f.evaluator, ["record-heads", "records", "violations"]],
      [f.sweeper, ["record-heads", "record-revisions", "records", "violations"]],
      [f.events, ["stats"]],
      [f.auditTrailConsumer, ["audit-log", "records", "violations"]],
      [f.digester, ["audit-digests", "audit-log"]],
      [f.policyPublisher, ["policy-versions"]],
    ];
    expect(expected).toHaveLength(fns().length);
    for (const [fn, names] of expected) {
      expect(envTables(fn), fn.node.id).toEqual(names);
      // functions/runtime/runtime.ts resolves each of them to the stack's physical table name
      const resolved = tablesFromEnv(env(fn) as NodeJS.ProcessEnv);
      for (const name of names)
        expect(resolved[TABLE_FIELDS[name]], `${fn.node.id} ${name}`).toEqual(
          resolve(stack.data.tables[name].tableName),
        );
    }
  });

  it("environment: secret ARNs, the sign-in issuer and bus name only where the handler reads them", () => {
    const { stack } = build();
    const f = stack.functions;
    const only = (variable: string, value: unknown, holders: ComplianceFunction[]) => {
      for (const [name, fn] of fns()) {
        if (holders.includes(fn)) expect(env(fn)[variable], `${name} ${variable}`).toEqual(value);
        else expect(env(fn)[variable], `${name} ${variable}`).toBeUndefined();
      }
    };
    only("COMPLIANCE_WEBHOOK_SECRETS_ARN", resolve(stack.data.webhookSecrets.secretArn), [
      f.ingest,
      f.evaluate,
    ]);
    only("COMPLIANCE_CURSOR_KEY_ARN", resolve(stack.data.cursorKey.secretArn), [f.auditor]);
    // verify (auditor) and digests (digester) use the key; the audit function only appends
    only("COMPLIANCE_AUDIT_KEY_ARN", resolve(stack.data.auditKey.secretArn), [f.auditor, f.digester]);
    // the person routes verify sign-in tokens (CONTRACT §6); IAM mode is gone
    // (evaluate: readers may dry-run records with their token, CONTRACT §2)
    only("COMPLIANCE_OIDC_ISSUER", resolve(stack.signIn.issuer), [f.auditor, f.cases, f.evaluate]);
    only("COMPLIANCE_OIDC_AUDIENCES", resolve(stack.signIn.audiences.join(",")), [
      f.auditor,
      f.cases,
      f.evaluate,
    ]);
    only("COMPLIANCE_AUTH_MODE", undefined, []);
    only("COMPLIANCE_EVENT_BUS_NAME", resolve(stack.events.bus.eventBusName), [f.events]);
  });

  it("every function that builds a Runtime carries the compiled policy set (no YAML in Lambda)", () => {
    const f = build().stack.functions;
    const runtimeFree = new Set<ComplianceFunction>([f.health, f.events, f.auditTrailConsumer]);
    for (const [name, fn] of fns()) expect(fn.compiledPolicies, name).toBe(!runtimeFree.has(fn));
  });

  it("least privilege: each role holds exactly the statements its handler needs, on its own tables and indexes", () => {
    const { stack } = build();
    const { data, functions: f, events, evaluation, audit } = stack;
    const table = (name: TableName) => resolve(data.tables[name].tableArn);
    const records = table("records");
    const revisions = table("record-revisions");
    const heads = table("record-heads");
    const violations = table("violations");
    const index = (name: TableName, indexName: string) =>
      resolve(`${data.tables[name].tableArn}/index/${indexName}`);
    const key = resolve(data.key.keyArn);
    const logs = (fn: ComplianceFunction): Statement => ({
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [resolve(fn.logGroup.logGroupArn)],
    });
    const kms = (...actions: string[]): Statement => ({ actions: [...new Set(actions)], resources: [key] });
    const secret = (arn: string): Statement => ({
      actions: ["secretsmanager:GetSecretValue"],
      resources: [resolve(arn)],
    });
    const streamRead = (name: "records" | "violations", queueArn: string): Statement[] => [
      {
        actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
        resources: [resolve(data.tables[name].tableStreamArn)],
      },
      { actions: ["dynamodb:ListStreams"], resources: [resolve(`${data.tables[name].tableArn}/stream/*`)] },
      { actions: ["sqs:SendMessage"], resources: [resolve(queueArn)] },
    ];
    const ddb = (actions: string[], resource: unknown): Statement => ({
      actions: actions.map((a) => `dynamodb:${a}`),
      resources: [resource],
    });

    const expected: Record<string, [ComplianceFunction, Statement[]]> = {
      ingest: [
        f.ingest,
        [
          ddb(["PutItem"], records),
          ddb(["GetItem", "PutItem"], revisions),
          kms(...KMS.write),
          secret(data.webhookSecrets.secretArn),
        ],
      ],
      evaluate: [f.evaluate, [secret(data.webhookSecrets.secretArn), kms(...KMS.read)]],
      auditor: [
        f.auditor,
        [
          ddb(["GetItem"], records),
          ddb(["GetItem", "Query"], revisions),
          ddb(["GetItem", "BatchGetItem"], violations),
          ddb(["Query"], index("violations", "byStatus")),
          ddb(["Query"], index("record-heads", "byReceived")),
          // GET /v1/stats: the counters
          ddb(["GetItem", "Query"], table("stats")),
          ddb(["BatchGetItem", "Query"], table("audit-log")),
          // GET /v1/audit/entries: each chain's blocks by entry time
          ddb(["Query"], index("audit-log", "byTime")),
          ddb(["Query"], table("audit-digests")),
          // completeness: every stored revision and violation has its audit entry
          { actions: ["dynamodb:Scan"], resources: [records, revisions, violations] },
          kms(...KMS.read),
          secret(data.cursorKey.secretArn),
          secret(data.auditKey.secretArn),
          // the digest anchor (S3 Object Lock): list and read
          { actions: ["s3:GetObject"], resources: [resolve(audit.anchor.arnForObjects("digests/*"))] },
          { actions: ["s3:ListBucket"], resources: [resolve(audit.anchor.bucketArn)] },
        ],
      ],
      cases: [
        f.cases,
        [ddb(["GetItem", "PutItem"], violations), ddb(["GetItem"], records), kms(...KMS.write)],
      ],
      health: [f.health, []],
      evaluator: [
        f.evaluator,
        [
          ddb(["BatchGetItem"], records),
          ddb(["BatchGetItem", "UpdateItem"], heads),
          ddb(["BatchGetItem", "PutItem"], violations),
          kms(...KMS.write, ...KMS.read, ...KMS.send),
          ...streamRead("records", evaluation.evaluator.deadLetters.queueArn),
        ],
      ],
      sweeper: [
        f.sweeper,
        [
          ddb(["Query"], index("record-heads", "byNextCheck")),
          ddb(["BatchGetItem", "UpdateItem"], heads),
          ddb(["BatchGetItem"], records),
          ddb(["Query"], index("violations", "byNextAction")),
          { actions: ["dynamodb:GetItem"], resources: [records, revisions] },
          ddb(["BatchGetItem", "GetItem", "PutItem"], violations),
          kms(...KMS.write),
        ],
      ],
      events: [
        f.events,
        [
          { actions: ["events:PutEvents"], resources: [resolve(events.bus.eventBusArn)] },
          // GET /v1/stats counters, ADD per change
          ddb(["UpdateItem"], table("stats")),
          kms(...KMS.write, ...KMS.read, ...KMS.send),
          ...streamRead("violations", evaluation.events.deadLetters.queueArn),
        ],
      ],
      "audit-trail-consumer": [
        f.auditTrailConsumer,
        [
          // the chain's tail (Query), one conditional PutItem per block (audit.test.ts replays it)
          ddb(["PutItem", "Query"], table("audit-log")),
          kms(...KMS.write, ...KMS.read, ...KMS.send),
          ...streamRead("records", audit.records.deadLetters.queueArn),
          ...streamRead("violations", audit.violations.deadLetters.queueArn),
        ],
      ],
      digester: [
        f.digester,
        [
          ddb(["Query"], table("audit-log")),
          ddb(["Query", "PutItem"], table("audit-digests")),
          kms(...KMS.write),
          secret(data.auditKey.secretArn),
          // the digest anchor (S3 Object Lock): put once, list and read
          {
            actions: ["s3:PutObject", "s3:GetObject"],
            resources: [resolve(audit.anchor.arnForObjects("digests/*"))],
          },
          { actions: ["s3:ListBucket"], resources: [resolve(audit.anchor.bucketArn)] },
        ],
      ],
      "policy-publisher": [
        f.policyPublisher,
        [ddb(["PutItem", "GetItem"], table("policy-versions")), kms(...KMS.write)],
      ],
    };
    expect(Object.keys(expected).sort()).toEqual(
      fns()
        .map(([name]) => name)
        .sort(),
    );
    for (const [name, [fn, statements]] of Object.entries(expected)) {
      const actual = statementsOf(logicalId(fn.role));
      expect(canonical(actual), name).toEqual(canonical([logs(fn), XRAY, ...statements]));
    }
  });

  it("a role's table statements name only the tables its environment names (streams aside: a consumer may name a table it only streams, to tell its records apart)", () => {
    const { stack } = build();
    const byArn = new Map<string, TableName>(
      (Object.keys(TABLE_ENV) as TableName[]).map((name) => [
        JSON.stringify(resolve(stack.data.tables[name].tableArn)),
        name,
      ]),
    );
    for (const [name, fn] of fns()) {
      const touched = new Set<TableName>();
      const streamed = new Set<TableName>();
      for (const s of statementsOf(logicalId(fn.role))) {
        if (!s.actions.some((a) => a.startsWith("dynamodb:"))) continue;
        const stream = s.actions.some((a) => /Stream|GetRecords|GetShardIterator/.test(a));
        for (const r of s.resources) {
          const text = JSON.stringify(r);
          for (const [arn, table] of byArn) if (text.includes(arn)) (stream ? streamed : touched).add(table);
        }
      }
      expect([...touched].sort(), name).toEqual(
        envTables(fn).filter((table) => touched.has(table) || !streamed.has(table)),
      );
    }
  });

  it("the audit digest key: only the digester and the auditor may read it", () => {
    const { stack, template } = build();
    const secretRef = JSON.stringify(resolve(stack.data.auditKey.secretArn));
    const readers = Object.values(template.findResources("AWS::IAM::Policy"))
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes(secretRef))
      .flatMap((p) => p.Properties.Roles as { Ref: string }[])
      .map((r) => r.Ref)
      .sort();
    expect(readers).toEqual(
      [logicalId(stack.functions.digester.role), logicalId(stack.functions.auditor.role)].sort(),
    );
    // the IAM persona policies are gone (people sign in, CONTRACT 1.1 §6): no managed policy at all
    expect(Object.keys(template.findResources("AWS::IAM::ManagedPolicy")).length).toBe(0);
    for (const p of Object.values(template.findResources("AWS::IAM::ManagedPolicy")))
      expect(JSON.stringify(p.Properties.PolicyDocument)).not.toContain(secretRef);
  });

  it("no wildcard action anywhere, and Resource * only for X-Ray (which has no resource-level permissions)", () => {
    const { template } = build();
    const policies = {
      ...template.findResources("AWS::IAM::Policy"),
      ...template.findResources("AWS::IAM::ManagedPolicy"),
    };
    for (const [id, policy] of Object.entries(policies)) {
      for (const s of policy.Properties.PolicyDocument.Statement) {
        const actions: string[] = [s.Action].flat();
        for (const a of actions) expect(a, id).not.toMatch(/\*/);
        if ([s.Resource].flat().includes("*"))
          expect(
            actions.every((a) => a.startsWith("xray:")),
            id,
          ).toBe(true);
      }
    }
  });
});
