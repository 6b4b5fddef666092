/**
 * The HTTP API (API Gateway v2), routed from the route table functions/api/routes.ts (the local server routes with
 * the same list, so both expose the same API):
 *   public        open (health, the OpenAPI document)
 *   signed        no API Gateway authorizer: the handler verifies the client's HMAC signature
 *   auditor, person
 *                 JWT authorizer: signature, issuer, audience (the people's and the machine
 *                 readers' clients) and expiry; the function then applies CONTRACT §6
 *   local         the development issuer of npm start: never deployed
 * The $default stage is throttled and writes JSON access logs to a KMS-encrypted log group.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import {
  type Access,
  DEPLOYED_ROUTES,
  type DeployedFunctionName,
  type DeployedRoute,
  routeKey,
} from "../../functions/api/routes.ts";
import { ACCESS } from "../../functions/http/access.ts";
import { acknowledge } from "../nag.ts";
import { pascal } from "./data.ts";
import type { Functions } from "./functions.ts";
import type { SignIn } from "./sign-in.ts";

/** An access kind API Gateway serves (the development issuer's `local` routes are never deployed). */
export type DeployedAccess = {
  [A in Access]: (typeof ACCESS)[A]["gateway"] extends "local" ? never : A;
}[Access];

/** How API Gateway authorizes each deployed access kind (functions/http/access.ts, exhaustive). */
export const AUTHORIZATION = Object.fromEntries(
  Object.entries(ACCESS)
    .filter(([, kind]) => kind.gateway !== "local")
    .map(([access, kind]) => [access, kind.gateway]),
) as { readonly [A in DeployedAccess]: (typeof ACCESS)[A]["gateway"] };

/** Stage-wide limits (requests per second, burst). Above them API Gateway answers 429 itself. */
export const THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/** The stage's name; also the stage segment of execute-api ARNs. */
export const STAGE = "$default";

/** One JSON object per request (CloudWatch Logs Insights reads the fields directly). */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: "$context.requestId",
    requestTime: "$context.requestTime",
    ip: "$context.identity.sourceIp",
    userAgent: "$context.identity.userAgent",
    caller: "$context.authorizer.claims.sub",
    routeKey: "$context.routeKey",
    path: "$context.path",
    protocol: "$context.protocol",
    status: "$context.status",
    responseLength: "$context.responseLength",
    responseLatency: "$context.responseLatency",
    integrationStatus: "$context.integration.status",
    integrationLatency: "$context.integration.latency",
    integrationError: "$context.integrationErrorMessage",
    authorizerError: "$context.authorizer.error",
    error: "$context.error.message",
    errorType: "$context.error.responseType",
  }),
);

export interface ApiProps {
  readonly functions: Functions;
  readonly key: IKey;
  readonly signIn: Pick<SignIn, "issuer" | "audiences">;
}

export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly routes: ReadonlyMap<string, HttpRoute>;
  /** The JWT authorizer of every person route. */
  readonly jwtAuthorizer: HttpJwtAuthorizer;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.httpApi = new HttpApi(this, "Http", {
      description:
        "Compliance platform: signed ingest, person and auditor routes behind a JWT authorizer (OIDC sign-in), health",
      createDefaultStage: false,
    });

    this.accessLogs = new LogGroup(this, "AccessLogs", {
      retention: RetentionDays.ONE_YEAR,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, "DefaultStage", {
      httpApi: this.httpApi,
      stageName: STAGE,
      autoDeploy: true,
      throttle: THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });

    const integrations = new Map<DeployedFunctionName, HttpLambdaIntegration>();
    const integration = (name: DeployedFunctionName) => {
      let found = integrations.get(name);
      if (!found) {
        const fn = props.functions.http[name];
        found = new HttpLambdaIntegration(`${pascal(name)}Integration`, fn.fn);
        integrations.set(name, found);
        acknowledge(fn.fn, [
          {
            id: "Serverless-LambdaDLQ",
            reason: `The ${name} function is invoked only synchronously, by the HTTP API (Lambda proxy integration): a failure is the caller's 5xx answer (counted by the API 5xx alarm), there is no asynchronous event to dead-letter.`,
          },
        ]);
      }
      return found;
    };
    // signature, issuer, audience (either client: people's ID tokens carry `aud`, Cognito's
    // client-credentials access tokens `client_id`) and expiry, before any function runs
    this.jwtAuthorizer = new HttpJwtAuthorizer("SignIn", props.signIn.issuer, {
      jwtAudience: [...props.signIn.audiences],
      authorizerName: "sign-in",
    });
    const none = new HttpNoneAuthorizer();
    const authorizer = (access: Access): IHttpRouteAuthorizer =>
      ACCESS[access].gateway === "jwt" ? this.jwtAuthorizer : none;

    const routes = new Map<string, HttpRoute>();
    for (const route of DEPLOYED_ROUTES) {
      const key = routeKey(route);
      const httpRoute = new HttpRoute(this, routeId(route), {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integration(route.fn),
        authorizer: authorizer(route.access),
      });
      routes.set(key, httpRoute);
      acknowledgeRoute(httpRoute, route);
    }
    this.routes = routes;
  }

  get url(): string {
    return this.stage.url;
  }
}

function routeId(route: DeployedRoute): string {
  return `Route${route.method}${route.path.replace(/[^A-Za-z0-9]+/g, " ").replace(/(^| )([A-Za-z0-9])/g, (_, _s: string, c: string) => c.toUpperCase())}`;
}

function acknowledgeRoute(route: HttpRoute, def: DeployedRoute): void {
  switch (def.access) {
    case "public":
      acknowledge(route, [
        {
          id: "AwsSolutions-APIG4",
          reason: `${routeKey(def)} is public by contract (CONTRACT §2: "anyone"): it returns only liveness or the published OpenAPI document, no data; the stage throttle bounds abuse.`,
        },
      ]);
      return;
    case "signed":
      acknowledge(route, [
        {
          id: "AwsSolutions-APIG4",
          reason: `${routeKey(def)} is called by machine clients that sign each request with HMAC-SHA256 (X-Client-Id, X-Signature: t=..,v1=..; CONTRACT §2); the handler verifies the signature and the 300 s clock window against the client secrets in Secrets Manager before anything is read or stored, and answers 401 otherwise. API Gateway has no HMAC authorizer; a Lambda authorizer would need the raw body, which API Gateway does not pass to authorizers.`,
        },
      ]);
      return;
    case "reader":
      acknowledge(route, [
        {
          id: "AwsSolutions-APIG4",
          reason: `${routeKey(def)} is a dry run that stores nothing, called either by ingest clients that sign each request with HMAC-SHA256 (checked by the handler, as on the ingest route) or by readers with a sign-in token (CONTRACT §2): API Gateway cannot authorize "HMAC or JWT" on one route, so the handler checks whichever the request carries (the token with the same issuer, audiences and keys as the JWT authorizer) and answers 401 otherwise.`,
        },
      ]);
      return;
    case "auditor":
    case "person":
      // JWT-authorized: no finding (AwsSolutions-APIG4 passes; COG4 applies to REST APIs only)
      return;
    case "local":
      throw new Error(`${routeKey(def)} is a local development route: it is never deployed`);
  }
}
