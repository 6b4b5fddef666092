/**
 * The AWS cost figure (bench/cost.ts): pure arithmetic over measured per-record figures and the
 * dated prices (bench/aws-prices.ts); the functions' memory and architecture come from the CDK app.
 * No DynamoDB needed.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AWS_PRICES } from "../../bench/aws-prices.ts";
import {
  type BenchMeasures,
  benchCost,
  costPerMillionRecords,
  deployedFeeding,
  gbSecondsPerInvocation,
  lambdaUsage,
} from "../../bench/cost.ts";
import { deployedFunctions } from "../../bench/lambda-config.ts";
import { STREAM_BATCHING } from "../../functions/runtime/stream-settings.ts";

const ARM = { memoryMb: 1024, architecture: "arm64" as const };

describe("cost per million records", () => {
  it("adds up every service line at the dated prices (a hand-computed example)", () => {
    const c = costPerMillionRecords({
      writeUnitsPerRecord: 4,
      readUnitsPerRecord: 2,
      functions: [
        { fn: "ingest", memoryMb: 512, architecture: "arm64", invocationsPerRecord: 1, msPerInvocation: 10 },
      ],
      apiRequestsPerRecord: 1,
      eventsPerRecord: 0.5,
      emailsPerRecord: 0.1,
    });
    // DynamoDB 4 × $0.625 + 2 × $0.125; Lambda 0.01 s × 0.5 GB × $13.3334 per M GB-s + $0.20;
    // API $1; EventBridge 0.5 × $1; SES 0.1 × $100 per million emails
    expect(c.byService.DynamoDB).toBeCloseTo(2.75, 4);
    expect(c.byService.Lambda).toBeCloseTo(0.066667 + 0.2, 4);
    expect(c.byService["API Gateway"]).toBeCloseTo(1, 4);
    expect(c.byService.EventBridge).toBeCloseTo(0.5, 4);
    expect(c.byService.SES).toBeCloseTo(10, 4);
    expect(c.usdPerMillionRecords).toBeCloseTo(14.5167, 3);
    expect(c.prices).toEqual({ region: "us-east-1", takenOn: AWS_PRICES.takenOn });
  });

  it("prices x86 functions higher than arm64 ones", () => {
    const run = (architecture: "arm64" | "x86_64") =>
      costPerMillionRecords({
        writeUnitsPerRecord: 0,
        readUnitsPerRecord: 0,
        functions: [
          { fn: "f", memoryMb: 1024, architecture, invocationsPerRecord: 1, msPerInvocation: 1000 },
        ],
        apiRequestsPerRecord: 0,
        eventsPerRecord: 0,
        emailsPerRecord: 0,
      }).byService.Lambda;
    expect(run("arm64")).toBeCloseTo(13.3334 + 0.2, 3);
    expect(run("x86_64")).toBeCloseTo(16.6667 + 0.2, 3);
  });

  it("bills each invocation's duration rounded up to the millisecond", () => {
    expect(gbSecondsPerInvocation(1024, 0.2)).toBeCloseTo(0.001, 9);
    expect(gbSecondsPerInvocation(512, 3.01)).toBeCloseTo(0.002, 9);
  });

  it("stream consumers: batching divides the requests, not the GB-seconds per record", () => {
    const measured = { evaluator: { callsPerRecord: 0.2, itemsPerRecord: 1, msPerCall: 10, msPerItem: 2 } };
    const [full] = lambdaUsage(measured, { evaluator: ARM }, deployedFeeding(false));
    const [trickle] = lambdaUsage(measured, { evaluator: ARM }, deployedFeeding(true));
    const size = STREAM_BATCHING.evaluator.batchSize;
    expect(full).toMatchObject({ invocationsPerRecord: 1 / size, msPerInvocation: 2 * size });
    expect(trickle).toMatchObject({ invocationsPerRecord: 1, msPerInvocation: 2 });
    const gbS = (u: typeof full) =>
      (u?.invocationsPerRecord ?? 0) * gbSecondsPerInvocation(u?.memoryMb ?? 0, u?.msPerInvocation ?? 0);
    expect(gbS(full)).toBeCloseTo(gbS(trickle), 9);
  });

  it("quiet streams are priced with the trickle's units when measured, busy ones with the mix's", () => {
    const base = { readUnitsPerRecord: 1, handlers: {}, eventsPerRecord: 0, emailsPerRecord: 0 };
    const busy = benchCost({ ...base, writeUnitsPerRecordAwsModel: 3 }, {});
    const both = benchCost(
      {
        ...base,
        writeUnitsPerRecordAwsModel: 3,
        trickle: { writeUnitsPerRecordAwsModel: 5, readUnitsPerRecord: 2 },
      },
      {},
    );
    const dynamo = (f: typeof busy.fullBatches) => f.byService.DynamoDB ?? 0;
    expect(dynamo(both.fullBatches)).toBeCloseTo(dynamo(busy.fullBatches), 9);
    // 2 more write units and 1 more read unit per record, a million records
    expect(dynamo(both.oneRecordPerInvocation) - dynamo(busy.oneRecordPerInvocation)).toBeCloseTo(
      2 * 0.625 + 0.125,
      6,
    );
  });

  it("a measured handler with no deployed function is an error, not a silent zero", () => {
    const measured = { evaluator: { callsPerRecord: 1, itemsPerRecord: 1, msPerCall: 1, msPerItem: 1 } };
    expect(() => lambdaUsage(measured, {}, deployedFeeding(false))).toThrow(/no deployed function evaluator/);
  });
});

describe("the deployed functions, read from the CDK app", () => {
  it("has every function the figure bills, with its memory and architecture", () => {
    const deployed = deployedFunctions();
    for (const feed of Object.values(deployedFeeding(false))) {
      const fn = feed?.fn ?? "?";
      expect(deployed[fn], fn).toBeDefined();
      expect(deployed[fn]?.memoryMb).toBeGreaterThanOrEqual(128);
    }
    // the stack pins arm64 (infra/constructs/function.ts): the figure uses arm64's price
    expect(new Set(Object.values(deployed).map((f) => f.architecture))).toEqual(new Set(["arm64"]));
  });
});

describe("the figure of the last platform bench (bench/results/platform.json)", () => {
  it("is what the stored measurements and today's prices give", () => {
    const file = new URL("../../bench/results/platform.json", import.meta.url);
    const last = JSON.parse(readFileSync(file, "utf8")) as BenchMeasures & { cost: unknown };
    expect(benchCost(last, deployedFunctions())).toEqual(last.cost);
  });
});
