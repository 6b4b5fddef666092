/**
 * The web console on AWS: its built files (console/dist) in a private S3 bucket, served by
 * CloudFront through origin access control, HTTPS only, with the console's security headers; the
 * HTTP API behind the same distribution (/v1/*, /health, /openapi.json), so the console calls its
 * own origin and needs no CORS. People sign in with the user pool's managed login (authorization
 * code + PKCE, a public app client): the console reads how from /console/config.json, which a
 * CloudFront Function answers from the stack's own values (no file to keep in step).
 *
 * The files are uploaded by `npm run console:deploy` (console/deploy.ts) after `cdk deploy`, not by
 * a BucketDeployment: that would add a Python custom-resource Lambda with wildcard S3 grants, and
 * every function and grant of this stack is held to Node.js 24 and exact actions.
 */
import { Aws, CfnOutput, Duration, Fn, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  AllowedMethods,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import type { UserPoolClient } from "aws-cdk-lib/aws-cognito";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { contentSecurityPolicy, SECURITY_HEADERS } from "../../console/headers.ts";
import { acknowledge } from "../nag.ts";

/** Paths the API answers; everything else is the console's. */
export const API_PATHS = ["/v1/*", "/health", "/openapi.json"] as const;

export interface ConsoleSignIn {
  /** the user pool's app client people sign in with (public: no secret; authorization code) */
  readonly client: UserPoolClient;
  /** the managed login domain, e.g. `compliance-x.auth.eu-west-1.amazoncognito.com` */
  readonly domainName: string;
}

export interface ConsoleHostingProps {
  readonly api: HttpApi;
  /** Managed login; without it the deployed console offers only the machine reader token. */
  readonly signIn?: ConsoleSignIn;
  /** The company's time zone (org.yaml timeZone). */
  readonly timeZone: string;
}

/**
 * Viewer requests to the S3 origin: `/` and `/console` go to `/console/`; `/console/config.json`
 * is answered here; a console view (`/console/violations`) by its single page
 * (`/console/index.html`); files stay files. CONFIG is the stack's JSON, joined in at deploy.
 */
const ROUTE_CONSOLE = [
  "var CONFIG = ",
  `;
function handler(event) {
  var uri = event.request.uri;
  if (uri === "/console/config.json") {
    return {
      statusCode: 200,
      statusDescription: "OK",
      headers: { "content-type": { value: "application/json" }, "cache-control": { value: "no-store" } },
      body: { encoding: "text", data: JSON.stringify(CONFIG) },
    };
  }
  if (uri === "/" || uri === "/console") {
    return { statusCode: 302, statusDescription: "Found", headers: { location: { value: "/console/" } } };
  }
  if (uri.indexOf("/console/") === 0 && uri.slice(uri.lastIndexOf("/") + 1).indexOf(".") < 0) {
    event.request.uri = "/console/index.html";
  }
  return event.request;
}`,
] as const;

/** cdk-nag findings on the distribution, each with why it stands. */
const DISTRIBUTION_FINDINGS = [
  {
    id: "AwsSolutions-CFR4",
    reason:
      "The distribution uses CloudFront's default *.cloudfront.net certificate until a custom domain (and its ACM certificate) is given; with the default certificate CloudFront negotiates its own TLS policy and the minimum protocol version cannot be pinned.",
  },
  {
    id: "AwsSolutions-CFR1",
    reason:
      "No geo restriction: the company's people and auditors sign in from wherever they travel; access is decided by sign-in (managed login with MFA) and the API's authorization, not by country.",
  },
  {
    id: "AwsSolutions-CFR2",
    reason:
      "No AWS WAF web ACL by default: the API stage is throttled, every data route requires a signed token, and the console is static files; a web ACL (webAclId) can be attached per deployment where the company's policy asks for one.",
  },
];

export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // S3 access logs are delivered under a bucket policy, not the legacy LogDeliveryWrite ACL
    this.node.setContext("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", true);

    const logs = new Bucket(this, "Logs", {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are delivered with an ACL
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const config = props.signIn
      ? {
          signIn: "oidc",
          timeZone: props.timeZone,
          oidc: {
            domain: props.signIn.domainName,
            clientId: props.signIn.client.userPoolClientId,
            scopes: ["openid", "email", "profile"],
          },
        }
      : { signIn: "oidc", timeZone: props.timeZone };

    this.bucket = new Bucket(this, "Files", {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: "s3/",
      // the files are a build's output: `npm run console:deploy` puts them back
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const signInOrigin = props.signIn ? `https://${props.signIn.domainName}` : undefined;
    const headers = this.securityHeaders(signInOrigin);
    const apiBehavior = this.apiBehavior(props.api, headers);

    this.distribution = new Distribution(this, "Distribution", {
      comment: "Compliance platform: web console and API",
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new EdgeFunction(this, "RouteConsole", {
              code: FunctionCode.fromInline(
                Fn.join("", [ROUTE_CONSOLE[0], stack.toJsonString(config), ROUTE_CONSOLE[1]]),
              ),
              runtime: FunctionRuntime.JS_2_0,
              comment: "/ and /console to /console/; config.json; console views to index.html",
            }),
          },
        ],
      },
      additionalBehaviors: Object.fromEntries(API_PATHS.map((path) => [path, apiBehavior])),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: "cloudfront/",
    });
    acknowledge(this.distribution, DISTRIBUTION_FINDINGS);

    const host = this.distribution.distributionDomainName;
    this.url = `https://${host}/console/`;
    // The console's callback and sign-out URLs reach the people client through context
    // consoleOrigin (sign-in.ts), not from `host` here: config.json names the client, so the client
    // naming this distribution would be a dependency cycle.

    this.outputs(stack);
  }

  /** The console's security headers (console/headers.ts), on its files and on the API's answers. */
  private securityHeaders(signInOrigin: string | undefined): ResponseHeadersPolicy {
    return new ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: "The console's security headers (console/headers.ts)",
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(signInOrigin ? [signInOrigin] : []),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: ["cross-origin-opener-policy", "permissions-policy"].map((header) => ({
          header,
          value: SECURITY_HEADERS[header] as string,
          override: true,
        })),
      },
    });
  }

  /** The API behind the same origin: never cached, every header but Host and the query forwarded. */
  private apiBehavior(api: ConsoleHostingProps["api"], headers: ResponseHeadersPolicy) {
    // the API: never cached; the bearer is part of the (zero-second) cache key, which is how
    // CloudFront forwards Authorization; every other header and the query go to the origin
    const apiCache = new CachePolicy(this, "ApiNoCache", {
      comment: "API answers are not cached; Authorization is forwarded",
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: CacheHeaderBehavior.allowList("Authorization"),
      queryStringBehavior: CacheQueryStringBehavior.all(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const apiOrigin = new HttpOrigin(`${api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
    });
    return {
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: apiCache,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: headers,
    };
  }

  /** What a deployment prints: the console's URL, its bucket (for console:deploy) and the distribution. */
  private outputs(stack: Stack): void {
    new CfnOutput(stack, "ConsoleUrl", {
      value: this.url,
      description: "The web console (the API is also served under this origin: /v1/…)",
    });
    new CfnOutput(stack, "ConsoleBucketName", {
      value: this.bucket.bucketName,
      description: "Where `npm run console:deploy -- --bucket <this>` uploads the console's files",
    });
    new CfnOutput(stack, "ConsoleDistributionId", {
      value: this.distribution.distributionId,
      description: "CloudFront distribution of the console and the API",
    });
  }
}
