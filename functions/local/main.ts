/**
 * `npm start`: the whole platform on this machine. DynamoDB Local (in memory, or persisted in
 * COMPLIANCE_DATA_DIR), the tables, the published policy versions, the HTTP API on PORT through
 * the same handlers Lambda runs, the records stream feeding the evaluator as Lambda's event
 * source mapping would, and the sweeper every COMPLIANCE_SWEEP_INTERVAL_S seconds.
 */
import { startPlatform } from "./platform-runtime.ts";

try {
  const platform = await startPlatform({ env: process.env, log: (line) => console.log(line) });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    await platform.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
} catch (error) {
  const e = error as Error & { code?: string };
  console.error(e.code ? `${e.message}` : e.stack);
  process.exit(1);
}
