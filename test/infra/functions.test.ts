import { describe, expect, it } from "vitest";
import type { ComplianceFunction } from "../../infra/constructs/function.ts";
import { KMS } from "../../infra/constructs/functions.ts";
import { build, canonical, logicalId, resolve, type Statement, statementsOf } from "./support.ts";

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
    ["health", f.health],
    ["evaluator", f.evaluator],
    ["sweeper", f.sweeper],
    ["events", f.events],
    ["policy-publisher", f.policyPublisher],
  ];
}

describe("Lambda functions", () => {
  it("every function: Node.js 24 pinned, arm64, explicit memory and timeout, active tracing, Powertools and source maps", () => {
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
            NODE_OPTIONS: "--enable-source-maps",
          },
        },
      });
      expect(props.MemorySize).toBeGreaterThanOrEqual(128);
      expect(props.Timeout).toBeGreaterThan(3);
    }
    // the CDK Provider framework function of the policy publication is the only other function
    expect(Object.keys(template.findResources("AWS::Lambda::Function"))).toHaveLength(fns().length + 1);
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

  it("environment: physical table names, secret ARNs, IAM auth mode and bus name where the contract says", () => {
    const { stack, template } = build();
    const env = (fn: ComplianceFunction) =>
      template.toJSON().Resources[logicalId(fn.fn)].Properties.Environment.Variables as Record<
        string,
        unknown
      >;
    const tables = {
      COMPLIANCE_RECORDS_TABLE: resolve(stack.data.tables.records.tableName),
      COMPLIANCE_VIOLATIONS_TABLE: resolve(stack.data.tables.violations.tableName),
      COMPLIANCE_POLICY_VERSIONS_TABLE: resolve(stack.data.tables["policy-versions"].tableName),
    };
    const f = stack.functions;
    for (const fn of [f.ingest, f.evaluate, f.auditor, f.evaluator, f.sweeper, f.policyPublisher]) {
      expect(env(fn)).toMatchObject(tables);
    }
    const webhook = resolve(stack.data.webhookSecrets.secretArn);
    expect(env(f.ingest).COMPLIANCE_WEBHOOK_SECRETS_ARN).toEqual(webhook);
    expect(env(f.evaluate).COMPLIANCE_WEBHOOK_SECRETS_ARN).toEqual(webhook);
    expect(env(f.auditor)).toMatchObject({
      COMPLIANCE_CURSOR_KEY_ARN: resolve(stack.data.cursorKey.secretArn),
      COMPLIANCE_AUTH_MODE: "iam",
    });
    expect(env(f.events).COMPLIANCE_EVENT_BUS_NAME).toEqual(resolve(stack.events.bus.eventBusName));
    // secrets only reach the functions that read them
    for (const fn of [f.auditor, f.health, f.evaluator, f.sweeper, f.events, f.policyPublisher]) {
      expect(env(fn).COMPLIANCE_WEBHOOK_SECRETS_ARN).toBeUndefined();
    }
    for (const fn of [f.ingest, f.evaluate, f.health, f.evaluator, f.sweeper, f.events, f.policyPublisher]) {
      expect(env(fn).COMPLIANCE_CURSOR_KEY_ARN).toBeUndefined();
    }
  });

  it("least privilege: each role holds exactly the statements its handler needs, on its own tables and indexes", () => {
    const { stack } = build();
    const { data, functions: f, events, evaluation } = stack;
    const records = resolve(data.tables.records.tableArn);
    const violations = resolve(data.tables.violations.tableArn);
    const policyVersions = resolve(data.tables["policy-versions"].tableArn);
    const index = (table: unknown, name: string) =>
      resolve(`${data.tables[table as "records"].tableArn}/index/${name}`);
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
    const streamRead = (table: "records" | "violations", queueArn: string): Statement[] => [
      {
        actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
        resources: [resolve(data.tables[table].tableStreamArn)],
      },
      { actions: ["dynamodb:ListStreams"], resources: [resolve(`${data.tables[table].tableArn}/stream/*`)] },
      { actions: ["sqs:SendMessage"], resources: [resolve(queueArn)] },
    ];

    const expected: Record<string, [ComplianceFunction, Statement[]]> = {
      ingest: [
        f.ingest,
        [
          { actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"], resources: [records] },
          kms(...KMS.write),
          secret(data.webhookSecrets.secretArn),
        ],
      ],
      evaluate: [f.evaluate, [secret(data.webhookSecrets.secretArn), kms(...KMS.read)]],
      auditor: [
        f.auditor,
        [
          { actions: ["dynamodb:GetItem", "dynamodb:Query"], resources: [records] },
          { actions: ["dynamodb:GetItem", "dynamodb:BatchGetItem"], resources: [violations] },
          { actions: ["dynamodb:Query"], resources: [index("violations", "byStatus")] },
          kms(...KMS.read),
          secret(data.cursorKey.secretArn),
        ],
      ],
      health: [f.health, []],
      evaluator: [
        f.evaluator,
        [
          { actions: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"], resources: [records] },
          {
            actions: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem"],
            resources: [violations],
          },
          kms(...KMS.write, ...KMS.read, ...KMS.send),
          ...streamRead("records", evaluation.evaluator.deadLetters.queueArn),
        ],
      ],
      sweeper: [
        f.sweeper,
        [
          { actions: ["dynamodb:Query"], resources: [index("records", "byNextCheck")] },
          { actions: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"], resources: [records] },
          {
            actions: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem"],
            resources: [violations],
          },
          kms(...KMS.write),
        ],
      ],
      events: [
        f.events,
        [
          { actions: ["events:PutEvents"], resources: [resolve(events.bus.eventBusArn)] },
          kms(...KMS.read, ...KMS.send),
          ...streamRead("violations", evaluation.events.deadLetters.queueArn),
        ],
      ],
      "policy-publisher": [
        f.policyPublisher,
        [
          { actions: ["dynamodb:PutItem", "dynamodb:GetItem"], resources: [policyVersions] },
          kms(...KMS.write),
        ],
      ],
    };
    for (const [name, [fn, statements]] of Object.entries(expected)) {
      const actual = statementsOf(logicalId(fn.role));
      expect(canonical(actual), name).toEqual(canonical([logs(fn), XRAY, ...statements]));
    }
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
