import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { DEPLOYED_ROUTES, ROUTES, routeKey } from "../../functions/api/routes.ts";
import { ACCESS } from "../../functions/http/access.ts";
import { AUTHORIZATION, THROTTLE } from "../../infra/constructs/api.ts";
import { OIDC_AUDIENCE_CONTEXT, OIDC_ISSUER_CONTEXT } from "../../infra/constructs/sign-in.ts";
import { ComplianceStack } from "../../infra/stack.ts";
import { build, logicalId, NO_BUNDLING, resolve } from "./support.ts";

describe("HTTP API", () => {
  it("one API Gateway route per deployed entry of ROUTES (the development issuer stays local), to the function routes.ts names (payload v2)", () => {
    const { stack, template } = build();
    const routes = template.findResources("AWS::ApiGatewayV2::Route");
    expect(
      Object.values(routes)
        .map((r) => r.Properties.RouteKey)
        .sort(),
    ).toEqual(DEPLOYED_ROUTES.map(routeKey).sort());
    expect(DEPLOYED_ROUTES.map(routeKey)).toContain("GET /v1/me");
    for (const local of ["POST /local/sign-in", "GET /local/people", "GET /.well-known/jwks.json"])
      expect(Object.values(routes).map((r) => r.Properties.RouteKey)).not.toContain(local);
    expect(ROUTES.length - DEPLOYED_ROUTES.length).toBe(4);
    const integrations = template.toJSON().Resources;
    for (const route of DEPLOYED_ROUTES) {
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

  it("authorization per access kind: public and signed routes without authorizer (HMAC in the handler), every person and auditor route behind the JWT authorizer", () => {
    const { stack, template } = build();
    const authorizerId = Object.keys(template.findResources("AWS::ApiGatewayV2::Authorizer"))[0];
    for (const route of DEPLOYED_ROUTES) {
      const props =
        template.toJSON().Resources[logicalId(stack.api.routes.get(routeKey(route)) as never)].Properties;
      if (ACCESS[route.access].gateway === "jwt") {
        expect(props.AuthorizationType, routeKey(route)).toBe("JWT");
        expect(props.AuthorizerId, routeKey(route)).toEqual({ Ref: authorizerId });
      } else expect(props.AuthorizationType, routeKey(route)).toBe("NONE");
    }
    expect(AUTHORIZATION).toEqual({
      public: "none",
      signed: "none",
      reader: "none",
      auditor: "jwt",
      person: "jwt",
    });
    for (const key of [
      "POST /v1/violations/{id}/acknowledge",
      "POST /v1/violations/{id}/waive",
      "POST /v1/violations/{id}/reopen",
      "GET /v1/violations",
      "GET /v1/violations/{id}",
      "GET /v1/me",
      "GET /v1/audit/verify",
    ])
      expect(ACCESS[DEPLOYED_ROUTES.find((r) => routeKey(r) === key)?.access ?? "public"].gateway, key).toBe(
        "jwt",
      );
  });

  it("the JWT authorizer trusts the user pool's issuer and accepts both audiences (people's ID tokens, machine readers' access tokens)", () => {
    const { stack, template } = build();
    template.resourceCountIs("AWS::ApiGatewayV2::Authorizer", 1);
    const authorizer = Object.values(template.findResources("AWS::ApiGatewayV2::Authorizer"))[0]?.Properties;
    expect(authorizer).toMatchObject({
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
    });
    expect(authorizer.JwtConfiguration.Audience).toEqual([
      resolve(stack.signIn.peopleClient?.userPoolClientId),
      resolve(stack.signIn.machineClient?.userPoolClientId),
    ]);
    expect(JSON.stringify(authorizer.JwtConfiguration.Issuer)).toContain(
      logicalId(stack.signIn.userPool as never),
    );
    // the IAM persona policies are gone
    template.resourceCountIs("AWS::IAM::ManagedPolicy", 0);
  });

  it("the user pool: admin-created people, MFA required (TOTP), strong passwords, managed login; a client-credentials client with compliance/read", () => {
    const { template } = build();
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: "ON",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
      UsernameAttributes: ["email"],
    });
    template.hasResourceProperties("AWS::Cognito::UserPoolResourceServer", {
      Identifier: "compliance",
      Scopes: [{ ScopeName: "read", ScopeDescription: "read what an auditor reads, never act" }],
    });
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: true,
      AllowedOAuthFlows: ["client_credentials"],
      AllowedOAuthScopes: ["compliance/read"],
    });
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email", "profile"],
    });
    template.hasResourceProperties("AWS::Cognito::UserPoolDomain", { ManagedLoginVersion: 2 });
    template.resourceCountIs("AWS::Cognito::ManagedLoginBranding", 1);
  });

  it("the person routes' functions verify tokens again with the same issuer and audiences", () => {
    const { stack, template } = build();
    for (const fn of [stack.functions.auditor, stack.functions.cases, stack.functions.evaluate]) {
      const env = template.toJSON().Resources[logicalId(fn.fn)].Properties.Environment.Variables;
      expect(env.COMPLIANCE_OIDC_ISSUER).toEqual(resolve(stack.signIn.issuer));
      expect(env.COMPLIANCE_OIDC_AUDIENCES).toEqual(resolve(stack.signIn.audiences.join(",")));
      expect(env.COMPLIANCE_OIDC_JWKS_URL).toEqual(resolve(stack.signIn.jwksUrl));
      expect(env.COMPLIANCE_AUTH_MODE).toBeUndefined();
    }
  });

  it("with context oidcIssuer/oidcAudience: the company's SSO is trusted, no user pool is created", () => {
    const app = new App({
      context: {
        ...NO_BUNDLING,
        [OIDC_ISSUER_CONTEXT]: "https://sso.example.com/",
        [OIDC_AUDIENCE_CONTEXT]: "compliance-web, compliance-siem",
      },
    });
    const stack = new ComplianceStack(app, "Sso");
    const template = Template.fromStack(stack);
    template.resourceCountIs("AWS::Cognito::UserPool", 0);
    template.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      JwtConfiguration: {
        Issuer: "https://sso.example.com",
        Audience: ["compliance-web", "compliance-siem"],
      },
    });
    const env =
      template.toJSON().Resources[logicalId(stack.functions.cases.fn)].Properties.Environment.Variables;
    expect(env).toMatchObject({
      COMPLIANCE_OIDC_ISSUER: "https://sso.example.com",
      COMPLIANCE_OIDC_AUDIENCES: "compliance-web,compliance-siem",
    });
    expect(env.COMPLIANCE_OIDC_JWKS_URL).toBeUndefined();
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
      caller: "$context.authorizer.claims.sub",
    });
    const group = template.toJSON().Resources[logicalId(stack.api.accessLogs)].Properties;
    expect(group.KmsKeyId).toEqual({ "Fn::GetAtt": [logicalId(stack.data.key), "Arn"] });
    expect(group.RetentionInDays).toBe(365);
  });

  it("stack outputs: API URL, every table name, bus name, secret ARNs, sign-in (user pool, clients, login URL, issuer), alarm topic", () => {
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
    expect(value("UserPoolId")).toEqual(resolve(stack.signIn.userPool?.userPoolId));
    expect(value("PeopleClientId")).toEqual(resolve(stack.signIn.peopleClient?.userPoolClientId));
    expect(value("MachineReaderClientId")).toEqual(resolve(stack.signIn.machineClient?.userPoolClientId));
    expect(value("SignInIssuer")).toEqual(resolve(stack.signIn.issuer));
    expect(JSON.stringify(value("SignInUrl"))).toContain("auth");
    expect(outputs.CaseHandlerPolicyArn).toBeUndefined();
    expect(outputs.AuditorPolicyArn).toBeUndefined();
    expect(value("EventBusName")).toEqual(resolve(stack.events.bus.eventBusName));
    expect(value("WebhookSecretsArn")).toEqual(resolve(stack.data.webhookSecrets.secretArn));
    expect(value("CursorKeySecretArn")).toEqual(resolve(stack.data.cursorKey.secretArn));
    expect(value("AlarmTopicArn")).toEqual(resolve(stack.observability.topic.topicArn));
  });
});
