import { describe, expect, it } from "vitest";
import { ROUTES, routeKey } from "../../functions/api/routes.ts";
import {
  AUTHORIZATION,
  arnPath,
  PERSONAS,
  reachedRoutes,
  STAGE,
  THROTTLE,
} from "../../infra/constructs/api.ts";
import { build, logicalId, resolve } from "./support.ts";

describe("HTTP API", () => {
  it("one API Gateway route per entry of ROUTES, to the function routes.ts names (payload v2)", () => {
    const { stack, template } = build();
    const routes = template.findResources("AWS::ApiGatewayV2::Route");
    expect(
      Object.values(routes)
        .map((r) => r.Properties.RouteKey)
        .sort(),
    ).toEqual(ROUTES.map(routeKey).sort());
    const integrations = template.toJSON().Resources;
    for (const route of ROUTES) {
      const httpRoute = stack.api.routes.get(routeKey(route));
      expect(httpRoute, routeKey(route)).toBeDefined();
      const target = integrations[logicalId(httpRoute as never)].Properties.Target as {
        "Fn::Join": [string, unknown[]];
      };
      const integrationId = (target["Fn::Join"][1][1] as { Ref: string }).Ref;
      expect(integrations[integrationId].Properties, routeKey(route)).toMatchObject({
        IntegrationType: "AWS_PROXY",
        PayloadFormatVersion: "2.0",
        IntegrationUri: resolve(stack.functions.http[route.fn].fn.functionArn),
      });
    }
  });

  it("authorization per access kind: public and signed routes without authorizer (HMAC in the handler), auditor and case-handler routes IAM", () => {
    const { stack, template } = build();
    for (const route of ROUTES) {
      const props =
        template.toJSON().Resources[logicalId(stack.api.routes.get(routeKey(route)) as never)].Properties;
      const expected = AUTHORIZATION[route.access] === "iam" ? "AWS_IAM" : "NONE";
      expect(props.AuthorizationType, routeKey(route)).toBe(expected);
    }
    expect(AUTHORIZATION).toEqual({ public: "none", signed: "none", auditor: "iam", "case-handler": "iam" });
  });

  it("one customer-managed policy per persona: execute-api:Invoke on exactly that persona's routes", () => {
    const { stack, template } = build();
    const apiId = logicalId(stack.api.httpApi);
    for (const persona of PERSONAS) {
      const own = ROUTES.filter((r) => r.access === persona);
      const policy = stack.api.personaPolicies.get(persona);
      if (own.length === 0) {
        expect(policy, persona).toBeUndefined();
        continue;
      }
      expect(policy, persona).toBeDefined();
      const doc = template.toJSON().Resources[logicalId(policy as never)].Properties.PolicyDocument;
      expect(doc.Statement).toHaveLength(1);
      expect(doc.Statement[0].Action).toBe("execute-api:Invoke");
      const resources = [doc.Statement[0].Resource].flat().map((r) => JSON.stringify(r));
      expect(resources.sort()).toEqual(
        own
          .map((r) =>
            JSON.stringify(resolve(stack.api.httpApi.arnForExecuteApi(r.method, arnPath(r.path), STAGE))),
          )
          .sort(),
      );
      for (const r of resources) expect(r).toContain(apiId);
    }
    // auditors read: no auditor policy names a POST route or another persona's route
    const auditor = stack.api.personaPolicies.get("auditor");
    const auditorDoc = JSON.stringify(template.toJSON().Resources[logicalId(auditor as never)].Properties);
    expect(auditorDoc).not.toContain("/POST/");
    expect(arnPath("/v1/records/{type}/{id}")).toBe("/v1/records/*/*");
  });

  it("case handlers: acknowledge, waive and reopen go to the cases function behind the IAM authorizer, and the case-handler policy allows exactly those", () => {
    const { stack, template } = build();
    const caseRoutes = ROUTES.filter((r) => r.access === "case-handler");
    expect(caseRoutes.map(routeKey).sort()).toEqual([
      "POST /v1/violations/{id}/acknowledge",
      "POST /v1/violations/{id}/reopen",
      "POST /v1/violations/{id}/waive",
    ]);
    const resources = template.toJSON().Resources;
    for (const route of caseRoutes) {
      const props = resources[logicalId(stack.api.routes.get(routeKey(route)) as never)].Properties;
      expect(props.AuthorizationType, routeKey(route)).toBe("AWS_IAM");
      expect(route.fn).toBe("cases");
    }
    // nothing but case-handler routes reaches the cases function
    expect(ROUTES.filter((r) => r.fn === "cases").every((r) => r.access === "case-handler")).toBe(true);
    const policy = stack.api.personaPolicies.get("case-handler");
    const doc = resources[logicalId(policy as never)].Properties.PolicyDocument;
    const apiId = logicalId(stack.api.httpApi);
    expect(doc.Statement).toEqual([
      {
        Sid: "InvokePersonaRoutes",
        Effect: "Allow",
        Action: "execute-api:Invoke",
        Resource: ["acknowledge", "waive", "reopen"].map((action) => ({
          "Fn::Join": [
            "",
            [
              "arn:",
              { Ref: "AWS::Partition" },
              ":execute-api:",
              { Ref: "AWS::Region" },
              ":",
              { Ref: "AWS::AccountId" },
              ":",
              { Ref: apiId },
              `/${STAGE}/POST/v1/violations/*/${action}`,
            ],
          ],
        })),
      },
    ]);
    // no case-handler resource reaches a GET (auditor) route, and no auditor resource a POST
    const text = JSON.stringify(doc);
    expect(text).not.toContain("/GET/");
  });

  it("auditor: audit verify and the complaint report are auditor routes (IAM), served by the auditor function", () => {
    const { stack, template } = build();
    const policy = stack.api.personaPolicies.get("auditor");
    const text = JSON.stringify(template.toJSON().Resources[logicalId(policy as never)].Properties);
    for (const key of ["GET /v1/audit/verify", "GET /v1/reports/complaints"]) {
      const route = ROUTES.find((r) => routeKey(r) === key);
      expect(route, key).toMatchObject({ fn: "auditor", access: "auditor" });
      const props = template.toJSON().Resources[logicalId(stack.api.routes.get(key) as never)].Properties;
      expect(props.AuthorizationType, key).toBe("AWS_IAM");
      expect(text, key).toContain(`/${STAGE}/GET${route?.path}"`);
    }
  });

  it("no persona's execute-api resource reaches another persona's route (IAM's * spans '/')", () => {
    for (const route of ROUTES.filter((r) => AUTHORIZATION[r.access] === "iam")) {
      const reached = reachedRoutes(route);
      expect(reached.map(routeKey), routeKey(route)).toContain(routeKey(route));
      for (const other of reached)
        expect(other.access, `${routeKey(route)} → ${routeKey(other)}`).toBe(route.access);
    }
    // the matcher itself: * spans segments, literal segments must match
    const verify = { method: "GET", path: "/v1/violations/{id}", fn: "auditor", access: "auditor" } as const;
    expect(reachedRoutes(verify).map(routeKey)).toEqual(["GET /v1/violations/{id}"]);
  });

  it("the $default stage: auto-deployed, throttled", () => {
    const { template } = build();
    template.resourceCountIs("AWS::ApiGatewayV2::Stage", 1);
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: THROTTLE.rateLimit,
        ThrottlingBurstLimit: THROTTLE.burstLimit,
      },
    });
  });

  it("access logs: JSON lines to a KMS-encrypted log group with a retention", () => {
    const { stack, template } = build();
    const stage = Object.values(template.findResources("AWS::ApiGatewayV2::Stage"))[0]?.Properties;
    expect(stage.AccessLogSettings.DestinationArn).toEqual({
      "Fn::GetAtt": [logicalId(stack.api.accessLogs), "Arn"],
    });
    const format = JSON.parse(stage.AccessLogSettings.Format);
    expect(format).toMatchObject({
      requestId: "$context.requestId",
      routeKey: "$context.routeKey",
      status: "$context.status",
      caller: "$context.identity.userArn",
    });
    const group = template.toJSON().Resources[logicalId(stack.api.accessLogs)].Properties;
    expect(group.KmsKeyId).toEqual({ "Fn::GetAtt": [logicalId(stack.data.key), "Arn"] });
    expect(group.RetentionInDays).toBe(365);
  });

  it("stack outputs: API URL, every table name, bus name, secret ARNs, both persona policy ARNs, alarm topic", () => {
    const { stack, template } = build();
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const value = (suffix: string) => {
      const key = Object.keys(outputs).find((k) => k === suffix);
      expect(key, suffix).toBeDefined();
      return outputs[key as string]?.Value;
    };
    expect(JSON.stringify(value("ApiUrl"))).toContain(logicalId(stack.api.httpApi));
    expect(value("RecordsTableName")).toEqual(resolve(stack.data.tables.records.tableName));
    expect(value("ViolationsTableName")).toEqual(resolve(stack.data.tables.violations.tableName));
    expect(value("PolicyVersionsTableName")).toEqual(resolve(stack.data.tables["policy-versions"].tableName));
    expect(value("RecordHeadsTableName")).toEqual(resolve(stack.data.tables["record-heads"].tableName));
    expect(value("AuditLogTableName")).toEqual(resolve(stack.data.tables["audit-log"].tableName));
    expect(value("AuditDigestsTableName")).toEqual(resolve(stack.data.tables["audit-digests"].tableName));
    expect(value("AuditKeySecretArn")).toEqual(resolve(stack.data.auditKey.secretArn));
    expect(value("AuditDigestBucketName")).toEqual(resolve(stack.audit.anchor.bucketName));
    expect(value("CaseHandlerPolicyArn")).toEqual(
      resolve(stack.api.personaPolicies.get("case-handler")?.managedPolicyArn),
    );
    expect(value("EventBusName")).toEqual(resolve(stack.events.bus.eventBusName));
    expect(value("WebhookSecretsArn")).toEqual(resolve(stack.data.webhookSecrets.secretArn));
    expect(value("CursorKeySecretArn")).toEqual(resolve(stack.data.cursorKey.secretArn));
    expect(value("AuditorPolicyArn")).toEqual(
      resolve(stack.api.personaPolicies.get("auditor")?.managedPolicyArn),
    );
    expect(value("AlarmTopicArn")).toEqual(resolve(stack.observability.topic.topicArn));
  });
});
