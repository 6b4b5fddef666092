/**
 * The web console on AWS: a private bucket read only by the distribution (origin access control),
 * HTTPS only, the console's security headers, the API behind the same origin (never cached, the
 * bearer forwarded), console views answered by the single page, config.json from the stack.
 */
import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy } from "../../console/headers.ts";
import { API_PATHS } from "../../infra/constructs/console.ts";
import { ComplianceStack } from "../../infra/stack.ts";
import { build, NO_BUNDLING } from "./support.ts";

/** A template value with its references written `<LogicalIdPrefix>` (for comparing joined strings). */
function flatten(part: unknown): string {
  if (typeof part === "string") return part;
  const ref = (part as { Ref?: string }).Ref;
  if (ref) return `<${ref.startsWith("AWS::") ? ref : ref.replace(/[A-F0-9]{8}$/, "")}>`;
  const join = (part as { "Fn::Join"?: [string, unknown[]] })["Fn::Join"];
  if (join) return join[1].map(flatten).join(join[0]);
  return JSON.stringify(part);
}

function distributionConfig() {
  const { template } = build();
  const [distribution] = Object.values(template.findResources("AWS::CloudFront::Distribution"));
  return distribution?.Properties.DistributionConfig;
}

describe("the web console's hosting", () => {
  it("keeps the files in a private, encrypted, TLS-only bucket that only the distribution reads", () => {
    const { template } = build();
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: "s3/" }),
    });
    template.resourceCountIs("AWS::CloudFront::OriginAccessControl", 1);
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: "s3:GetObject",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Condition: { StringEquals: { "AWS:SourceArn": Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it("serves the console over HTTPS only, with its security headers and a logged distribution", () => {
    const config = distributionConfig();
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe("redirect-to-https");
    expect(config.Logging).toMatchObject({ Bucket: expect.anything(), Prefix: "cloudfront/" });
    const { template } = build();
    // connect-src also admits the managed login domain (the token endpoint), a token: compared resolved
    const [policy] = Object.values(template.findResources("AWS::CloudFront::ResponseHeadersPolicy"));
    const csp = policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy;
    expect(csp.Override).toBe(true);
    expect(csp.ContentSecurityPolicy["Fn::Join"][1].map(flatten).join("")).toBe(
      contentSecurityPolicy(["https://<SignInPeopleLogin>.auth.<AWS::Region>.amazoncognito.com"]),
    );
    template.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31_536_000 }),
          FrameOptions: { FrameOption: "DENY", Override: true },
          ContentTypeOptions: { Override: true },
        }),
      }),
    });
  });

  it("puts the API behind the same origin: HTTPS to API Gateway, every method, nothing cached, the bearer forwarded", () => {
    const config = distributionConfig();
    const behaviors = config.CacheBehaviors as { PathPattern: string; [k: string]: unknown }[];
    expect(behaviors.map((b) => b.PathPattern).sort()).toEqual([...API_PATHS].sort());
    for (const b of behaviors) {
      expect(b.ViewerProtocolPolicy).toBe("https-only");
      expect(b.AllowedMethods).toHaveLength(7);
    }
    const apiOrigin = (config.Origins as { CustomOriginConfig?: { OriginProtocolPolicy: string } }[]).find(
      (o) => o.CustomOriginConfig,
    );
    expect(apiOrigin?.CustomOriginConfig?.OriginProtocolPolicy).toBe("https-only");
    const { template } = build();
    template.hasResourceProperties("AWS::CloudFront::CachePolicy", {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: { HeaderBehavior: "whitelist", Headers: ["Authorization"] },
          QueryStringsConfig: { QueryStringBehavior: "all" },
        }),
      }),
    });
  });

  it("answers console views with the single page and config.json with the stack's settings", () => {
    const { template, stack } = build();
    const [fn] = Object.values(template.findResources("AWS::CloudFront::Function"));
    const code = JSON.stringify(stack.resolve(fn?.Properties.FunctionCode));
    expect(code).toContain("/console/index.html");
    expect(code).toContain("/console/config.json");
    expect(code).toContain("timeZone");
    expect(code).toContain("Asia/Shanghai");
    template.hasOutput("ConsoleUrl", Match.anyValue());
    template.hasOutput("ConsoleBucketName", Match.anyValue());
  });

  it("signs people in through the people's app client and its managed login domain", () => {
    const { template, stack } = build();
    const [fn] = Object.values(template.findResources("AWS::CloudFront::Function"));
    const code = JSON.stringify(stack.resolve(fn?.Properties.FunctionCode));
    const [clientId] = Object.keys(template.findResources("AWS::Cognito::UserPoolClient")).filter((id) =>
      id.includes("PeopleClient"),
    );
    expect(code).toContain('\\"oidc\\":{\\"domain\\":\\"');
    expect(code).toContain(".amazoncognito.com");
    expect(code).toContain(`{"Ref":"${clientId}"}`);
  });

  it("puts the console's callback and sign-out URLs on the people's client (context consoleOrigin)", () => {
    const app = new App({ context: { ...NO_BUNDLING, consoleOrigin: "https://d1234.cloudfront.net/" } });
    const template = Template.fromStack(new ComplianceStack(app, "Compliance"));
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      AllowedOAuthFlows: ["code"],
      CallbackURLs: Match.arrayWith(["https://d1234.cloudfront.net/console/callback"]),
      LogoutURLs: ["https://d1234.cloudfront.net/console/"],
    });
    expect(
      () =>
        new ComplianceStack(
          new App({ context: { ...NO_BUNDLING, consoleOrigin: "d1234.cloudfront.net" } }),
          "C",
        ),
    ).toThrow(/consoleOrigin: expected https:\/\/<host>/);
  });
});
