/** Where the machine's cores go during a bench window: this Node process and its children (Java). */
import { readdirSync, readFileSync } from "node:fs";
import { type EventLoopUtilization, performance } from "node:perf_hooks";
import { round } from "./statistics.ts";

/**
 * CPU time (ms) used so far by this process (HTTP server, evaluator, load generator) and by its
 * child processes (DynamoDB Local's Java), from /proc; `undefined` where /proc is not available.
 */
export function cpuTimes(): { node: number; java: number; loop: EventLoopUtilization } | undefined {
  try {
    const tick = 10; // USER_HZ is 100 on Linux
    let java = 0;
    for (const task of readdirSync("/proc/self/task")) {
      const children = readFileSync(`/proc/self/task/${task}/children`, "utf8").trim();
      for (const pid of children ? children.split(/\s+/) : []) {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        java += (Number(fields[11]) + Number(fields[12])) * tick;
      }
    }
    const usage = process.cpuUsage();
    return { node: (usage.user + usage.system) / 1000, java, loop: performance.eventLoopUtilization() };
  } catch {
    return undefined;
  }
}

/** Cores busy between two cpuTimes() snapshots taken `ms` apart (1 = one core fully busy). */
export function coresBusy(
  from: ReturnType<typeof cpuTimes>,
  to: ReturnType<typeof cpuTimes>,
  ms: number,
): { node: number; java: number; eventLoop: number } | undefined {
  if (!from || !to) return undefined;
  return {
    node: round((to.node - from.node) / ms, 2),
    java: round((to.java - from.java) / ms, 2),
    // share of the time Node's main thread was busy: at 1 it is the bottleneck, whatever the cores
    eventLoop: round(performance.eventLoopUtilization(to.loop, from.loop).utilization, 2),
  };
}
