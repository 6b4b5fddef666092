/**
 * The HTTP API (API Gateway v2), routed from the route table functions/api/routes.ts (the local server routes with
 * the same list, so both expose the same API):
 *   public        open (health, the OpenAPI document)
 *   signed        no API Gateway authorizer: the handler verifies the client's HMAC signature
 *   auditor, case-handler
 *                 IAM (SigV4) authorizer; one customer-managed policy per persona allows
 *                 execute-api:Invoke on exactly that persona's routes
 * The $default stage is throttled and writes JSON access logs to a KMS-encrypted log group.
 */
import { type CfnElement, RemovalPolicy, Stack, Token } from "aws-cdk-lib";
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
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { ManagedPolicy, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { type Access, type FunctionName, ROUTES, type Route, routeKey } from "../../functions/api/routes.ts";
import { ACCESS } from "../../functions/http/access.ts";
import { acknowledge } from "../nag.ts";
import { pascal } from "./data.ts";
import type { Functions } from "./functions.ts";

/** How API Gateway authorizes each access kind (functions/http/access.ts, exhaustive over Access). */
export const AUTHORIZATION = Object.fromEntries(
  Object.entries(ACCESS).map(([access, kind]) => [access, kind.gateway]),
) as { readonly [A in Access]: (typeof ACCESS)[A]["gateway"] };

export type Persona = { [A in Access]: (typeof AUTHORIZATION)[A] extends "iam" ? A : never }[Access];
export const PERSONAS = (Object.keys(AUTHORIZATION) as Access[]).filter(
  (a): a is Persona => AUTHORIZATION[a] === "iam",
);

/** Stage-wide limits (requests per second, burst). Above them API Gateway answers 429 itself. */
export const THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/** The stage's name; also the stage segment of execute-api ARNs. */
export const STAGE = "$default";

/** `/v1/violations/{id}` → `/v1/violations/*`: the resource path of an execute-api ARN. */
export function arnPath(path: string): string {
  return path.replace(/\{[^}/]+\}/g, "*");
}

/** One JSON object per request (CloudWatch Logs Insights reads the fields directly). */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: "$context.requestId",
    requestTime: "$context.requestTime",
    ip: "$context.identity.sourceIp",
    userAgent: "$context.identity.userAgent",
    caller: "$context.identity.userArn",
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
}

export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly routes: ReadonlyMap<string, HttpRoute>;
  /** One customer-managed policy per persona that has routes. */
  readonly personaPolicies: ReadonlyMap<Persona, ManagedPolicy>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.httpApi = new HttpApi(this, "Http", {
      description:
        "Compliance platform: signed ingest, IAM-authorized auditor and case-handler routes, health",
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

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integration = (name: FunctionName) => {
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
    const iam = new HttpIamAuthorizer();
    const none = new HttpNoneAuthorizer();
    const authorizer = (access: Access): IHttpRouteAuthorizer =>
      AUTHORIZATION[access] === "iam" ? iam : none;

    const routes = new Map<string, HttpRoute>();
    for (const route of ROUTES) {
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

    const policies = new Map<Persona, ManagedPolicy>();
    for (const persona of PERSONAS) {
      const own = ROUTES.filter((r) => r.access === persona);
      if (own.length === 0) continue; // a policy needs a statement; this persona has no route yet
      const policy = new ManagedPolicy(this, `${pascal(persona)}Policy`, {
        description: `Compliance platform ${persona}: call exactly the ${persona} routes of the HTTP API (SigV4)`,
        statements: [
          new PolicyStatement({
            sid: "InvokePersonaRoutes",
            actions: ["execute-api:Invoke"],
            resources: own.map((r) => this.httpApi.arnForExecuteApi(r.method, arnPath(r.path), STAGE)),
          }),
        ],
      });
      const wildcards = own.filter((r) => arnPath(r.path) !== r.path);
      for (const r of wildcards) {
        const overreach = reachedRoutes(r).filter((other) => other.access !== persona);
        if (overreach.length > 0)
          throw new Error(
            `the ${persona} policy's execute-api resource for ${routeKey(r)} would also allow ${overreach.map(routeKey).join(", ")}`,
          );
        acknowledge(policy, [
          {
            id: `AwsSolutions-IAM5[Resource::${nagArn(this.httpApi)}/${STAGE}/${r.method}${arnPath(r.path)}]`,
            reason: `The * stands for the path parameter(s) of ${routeKey(r)}: execute-api ARNs cannot name a parameter. The method (${r.method}) and the literal segments are fixed, and the synth checks that no route of another persona matches this resource (it matches only ${reachedRoutes(r).map(routeKey).join(", ")}). IAM's * also spans '/', so a future ${r.method} route under this pattern would be allowed to ${persona}s too: persona routes come only from functions/api/routes.ts, and test/infra/api.test.ts pins each policy's resources.`,
          },
        ]);
      }
      policies.set(persona, policy);
    }
    this.personaPolicies = policies;
  }

  get url(): string {
    return this.stage.url;
  }
}

/**
 * The routes of ROUTES an execute-api resource `<method><arnPath(path)>` allows: IAM's `*` matches
 * any characters, '/' included; a route's own parameters are matched as one segment of text.
 */
export function reachedRoutes(route: Pick<Route, "method" | "path">): Route[] {
  const pattern = `${route.method}${arnPath(route.path)}`
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  const matcher = new RegExp(`^${pattern}$`);
  return ROUTES.filter((r) => matcher.test(`${r.method}${r.path.replace(/\{[^}/]+\}/g, "x")}`));
}

function routeId(route: Route): string {
  return `Route${route.method}${route.path.replace(/[^A-Za-z0-9]+/g, " ").replace(/(^| )([A-Za-z0-9])/g, (_, _s: string, c: string) => c.toUpperCase())}`;
}

/**
 * The API's execute-api ARN prefix as cdk-nag spells it in a finding: pseudo parameters and
 * references as `<AWS::Region>` / `<LogicalId>`, an environment's account and region literally.
 */
function nagArn(api: HttpApi): string {
  const stack = Stack.of(api);
  const region = Token.isUnresolved(stack.region) ? "<AWS::Region>" : stack.region;
  const account = Token.isUnresolved(stack.account) ? "<AWS::AccountId>" : stack.account;
  const apiId = stack.getLogicalId(api.node.defaultChild as CfnElement);
  return `arn:<AWS::Partition>:execute-api:${region}:${account}:<${apiId}>`;
}

function acknowledgeRoute(route: HttpRoute, def: Route): void {
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
    case "auditor":
    case "case-handler":
      // IAM-authorized: no finding (AwsSolutions-APIG4 passes; COG4 applies to REST APIs only)
      return;
  }
}
