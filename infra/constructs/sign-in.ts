/**
 * Who people are on AWS (CONTRACT §6): the OpenID issuer and audiences the HTTP API's JWT
 * authorizer and the functions trust.
 *
 * By default a Cognito user pool: people are created by an administrator (no self sign-up), sign
 * in through Cognito's managed login with a password and a TOTP second factor, and present its ID
 * tokens (they carry `email`; the directory, not Cognito groups, decides roles). Machine readers
 * (a SIEM, a BI export) use an app client with the client-credentials grant and the scope
 * `compliance/read` of the `compliance` resource server.
 *
 * With context `oidcIssuer` and `oidcAudience` (comma-separated) the company's SSO is trusted
 * instead and no user pool is created: its ID tokens for people, its client-credentials access
 * tokens (scope `compliance/read`) for machine clients.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  type UserPoolClient,
  UserPoolResourceServer,
} from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";
import { READ_SCOPE } from "../../functions/http/oidc.ts";
import { acknowledge } from "../nag.ts";

export const OIDC_ISSUER_CONTEXT = "oidcIssuer";
export const OIDC_AUDIENCE_CONTEXT = "oidcAudience";
/** Where managed login may send people back to (context `signInCallbackUrls`, comma-separated). */
export const CALLBACK_CONTEXT = "signInCallbackUrls";
/**
 * The deployed console's origin (context `consoleOrigin`, e.g. `https://d1234.cloudfront.net`, the
 * stack output ConsoleUrl's): its `/console/callback` and `/console/` join the people client's
 * callback and sign-out URLs. A context value, not the distribution's domain token: the console's
 * config.json (in the distribution's CloudFront Function) names this client, so the client naming
 * the distribution would be a dependency cycle CloudFormation refuses.
 */
export const CONSOLE_ORIGIN_CONTEXT = "consoleOrigin";
/** The managed login domain's prefix (`https://<prefix>.auth.<region>.amazoncognito.com`). */
export const DOMAIN_CONTEXT = "signInDomainPrefix";

const [RESOURCE_SERVER, SCOPE] = READ_SCOPE.split("/") as [string, string];

export class SignIn extends Construct {
  /** The issuer (`iss`) tokens must come from. */
  readonly issuer: string;
  /** Accepted audiences: the people's app client and the machine readers' client (`aud` / `client_id`). */
  readonly audiences: string[];
  /** Where the issuer's keys are (COMPLIANCE_OIDC_JWKS_URL); undefined: its discovery document says. */
  readonly jwksUrl?: string;
  readonly userPool?: UserPool;
  readonly peopleClient?: UserPoolClient;
  readonly machineClient?: UserPoolClient;
  /** The managed login domain's host name (`<prefix>.auth.<region>.amazoncognito.com`), with a user pool. */
  readonly loginDomainName?: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const issuer = this.node.tryGetContext(OIDC_ISSUER_CONTEXT) as string | undefined;
    const audience = this.node.tryGetContext(OIDC_AUDIENCE_CONTEXT) as string | undefined;
    if (issuer || audience) {
      if (!issuer || !audience)
        throw new Error(
          `context ${OIDC_ISSUER_CONTEXT} and ${OIDC_AUDIENCE_CONTEXT} go together (the company's SSO)`,
        );
      this.issuer = issuer.replace(/\/+$/, "");
      this.audiences = audience
        .split(",")
        .map((a) => a.trim())
        .filter((a) => a !== "");
      new CfnOutput(Stack.of(this), "SignInIssuer", {
        value: this.issuer,
        description: "OIDC issuer people sign in with (the company's SSO)",
      });
      return;
    }

    const pool = this.peoplePool();

    const resourceServer = new UserPoolResourceServer(this, "Api", {
      userPool: pool,
      identifier: RESOURCE_SERVER,
      userPoolResourceServerName: "Compliance platform API",
      scopes: [
        new ResourceServerScope({
          scopeName: SCOPE,
          scopeDescription: "read what an auditor reads, never act",
        }),
      ],
    });

    const { callbackUrls, consoleOrigin } = this.redirectUrls();
    const people = pool.addClient("PeopleClient", {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls,
        ...(consoleOrigin ? { logoutUrls: [`${consoleOrigin}/console/`] } : {}),
      },
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      preventUserExistenceErrors: true,
    });
    const machine = pool.addClient("MachineReaderClient", {
      generateSecret: true,
      oAuth: {
        flows: { clientCredentials: true },
        // the resource server's scope by name; the dependency below orders their creation
        scopes: [OAuthScope.custom(READ_SCOPE)],
      },
      accessTokenValidity: Duration.hours(1),
    });
    machine.node.addDependency(resourceServer);

    const domain = pool.addDomain("Login", {
      // globally unique per region: context signInDomainPrefix, else one derived from this construct
      cognitoDomain: {
        domainPrefix:
          (this.node.tryGetContext(DOMAIN_CONTEXT) as string | undefined) ??
          `compliance-${this.node.addr.slice(0, 10)}`,
      },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    new CfnManagedLoginBranding(this, "LoginBranding", {
      userPoolId: pool.userPoolId,
      clientId: people.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    this.userPool = pool;
    this.peopleClient = people;
    this.machineClient = machine;
    this.loginDomainName = `${domain.domainName}.auth.${Stack.of(this).region}.amazoncognito.com`;
    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${pool.userPoolId}`;
    this.audiences = [people.userPoolClientId, machine.userPoolClientId];
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;

    this.outputs(pool, people, machine, domain.baseUrl());
  }

  /** The people's user pool: created by an administrator, TOTP required, a strict password policy. */
  private peoplePool(): UserPool {
    const pool = new UserPool(this, "People", {
      // an administrator creates each person (with the email of their directory entry)
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      standardAttributes: { email: { required: true, mutable: false } },
      autoVerify: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // managed login needs the Essentials plan or above
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(pool, [
      {
        id: "AwsSolutions-COG8",
        reason:
          "Essentials, not Plus: people are created by an administrator only (no self sign-up), MFA (TOTP) is required for everyone and the password policy is strict; Plus adds risk-based adaptive authentication at a per-user price the platform's few internal users do not need. Switch featurePlan to PLUS to get it.",
      },
    ]);
    return pool;
  }

  /**
   * Where managed login may send people back to: context signInCallbackUrls (default the local
   * console), and the deployed console's callback when context consoleOrigin names it.
   */
  private redirectUrls(): { callbackUrls: string[]; consoleOrigin: string | undefined } {
    const callbackUrls = (
      (this.node.tryGetContext(CALLBACK_CONTEXT) as string | undefined) ?? "http://localhost:3000/console/"
    )
      .split(",")
      .map((u) => u.trim())
      .filter((u) => u !== "");
    const consoleOrigin = (this.node.tryGetContext(CONSOLE_ORIGIN_CONTEXT) as string | undefined)?.replace(
      /\/+$/,
      "",
    );
    if (consoleOrigin !== undefined && !/^https:\/\/[a-z0-9.-]+$/i.test(consoleOrigin))
      throw new Error(
        `context ${CONSOLE_ORIGIN_CONTEXT}: expected https://<host>, e.g. https://d1234.cloudfront.net`,
      );
    if (consoleOrigin) callbackUrls.push(`${consoleOrigin}/console/callback`);
    return { callbackUrls, consoleOrigin };
  }

  /** What a deployment prints: the user pool, both app clients, the sign-in URL and the issuer. */
  private outputs(pool: UserPool, people: UserPoolClient, machine: UserPoolClient, signInUrl: string): void {
    const stack = Stack.of(this);
    new CfnOutput(stack, "UserPoolId", {
      value: pool.userPoolId,
      description: "Cognito user pool of the people (add them with admin-create-user)",
    });
    new CfnOutput(stack, "PeopleClientId", {
      value: people.userPoolClientId,
      description: "App client people sign in with (managed login, ID tokens)",
    });
    new CfnOutput(stack, "MachineReaderClientId", {
      value: machine.userPoolClientId,
      description: "Client-credentials app client of machine readers (scope compliance/read)",
    });
    new CfnOutput(stack, "SignInUrl", {
      value: signInUrl,
      description: "Managed login and the token endpoint (<SignInUrl>/oauth2/token)",
    });
    new CfnOutput(stack, "SignInIssuer", {
      value: this.issuer,
      description: "OIDC issuer of the ID and access tokens",
    });
  }
}
