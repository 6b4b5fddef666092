import { describe, expect, it } from "vitest";
import { ROUTES, routeKey } from "../../functions/http/routes.ts";
import { AUTHORIZATION, arnPath, PERSONAS, STAGE, THROTTLE } from "../../infra/constructs/api.ts";
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

  it("authorization per access kind: public and signed routes without authorizer (HMAC in the handler), auditor routes IAM", () => {
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

  it("stack outputs: API URL, table names, bus name, secret ARNs, persona policy ARNs, alarm topic", () => {
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
    expect(value("EventBusName")).toEqual(resolve(stack.events.bus.eventBusName));
    expect(value("WebhookSecretsArn")).toEqual(resolve(stack.data.webhookSecrets.secretArn));
    expect(value("CursorKeySecretArn")).toEqual(resolve(stack.data.cursorKey.secretArn));
    expect(value("AuditorPolicyArn")).toEqual(
      resolve(stack.api.personaPolicies.get("auditor")?.managedPolicyArn),
    );
    expect(value("AlarmTopicArn")).toEqual(resolve(stack.observability.topic.topicArn));
  });
});
