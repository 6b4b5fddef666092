/**
 * The AWS prices the cost figure uses (bench/cost.ts): published on-demand prices, region
 * us-east-1 (N. Virginia), as read on the date below from each service's pricing page. Prices
 * change: update the date with the figures, and every figure printed or in the README follows.
 * Free tiers are left out on purpose (a plan should not depend on them).
 */
export const AWS_PRICES = {
  region: "us-east-1",
  /** When these prices were taken from the pages named in `sources`. */
  takenOn: "2026-12-07",
  sources: [
    "Amazon DynamoDB pricing — On-demand capacity (prices lowered 2024-11-01)",
    "AWS Lambda pricing — Requests and duration (Arm / x86)",
    "Amazon API Gateway pricing — HTTP APIs",
    "Amazon EventBridge pricing — Event bus, custom events",
    "Amazon SES pricing — Outbound email",
  ],
  dynamodb: {
    /** USD per write request unit (1 KB written; a transactional write costs 2 per KB). */
    perWriteRequestUnit: 0.625 / 1e6,
    /** USD per read request unit (4 KB strongly consistent, 8 KB eventually consistent). */
    perReadRequestUnit: 0.125 / 1e6,
  },
  lambda: {
    /** USD per GB-second of duration, by architecture (first pricing tier). */
    perGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
    /** USD per invocation. */
    perRequest: 0.2 / 1e6,
  },
  apiGateway: {
    /** HTTP API, first 300 million requests a month, per request (each 512 KB counts as one). */
    perHttpRequest: 1.0 / 1e6,
  },
  eventBridge: {
    /** Custom events published to an event bus, per event (each 64 KB chunk counts as one). */
    perCustomEvent: 1.0 / 1e6,
  },
  ses: {
    /** Outbound email, per message. */
    perEmail: 0.1 / 1000,
  },
} as const;

export type AwsPrices = typeof AWS_PRICES;
