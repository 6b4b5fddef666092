/**
 * How each stream consumer is fed: the batch size and batching window of its event source mapping
 * on AWS (infra/constructs/evaluation.ts) and of its reader in the local runtime
 * (functions/local/platform-runtime.ts) — defined once, so local runs behave like the deployment.
 */
export interface StreamBatching {
  /** Most records per invocation. */
  readonly batchSize: number;
  /**
   * Lambda's MaximumBatchingWindowInSeconds, in ms (whole seconds: Lambda's unit): records are
   * gathered until the batch is full or the oldest has waited this long. 0: no waiting.
   */
  readonly batchingWindowMs: number;
}

export const STREAM_BATCHING = {
  /**
   * No window: a revision is judged as soon as it is read — the time from POST to a violation the
   * auditor can see is the platform's promise. Bursts still arrive in full batches.
   */
  evaluator: { batchSize: 100, batchingWindowMs: 0 },
  /** Subscribers to ViolationOpened/Resolved/Escalated can wait a second; fewer, fuller batches. */
  events: { batchSize: 100, batchingWindowMs: 1_000 },
  /**
   * Large batches, gathered for 2 s: the audit handler writes one block per (batch, chain), one
   * conditional PutItem of the batch's entries for that chain, packed (store/audit-log.ts), so
   * its cost follows the number of batches and chains more than the number of records. Nothing
   * waits on the audit trail but auditors, for whom seconds are immediate.
   */
  audit: { batchSize: 1_000, batchingWindowMs: 2_000 },
} as const satisfies Record<string, StreamBatching>;
