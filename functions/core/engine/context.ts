/**
 * One evaluation's facts: the record, its data, `now`, and derived facts computed at most once.
 */
import type { RecordEnvelope } from "../../../schemas/record.ts";
import { DERIVED_FACT_BY_NAME, type FactInput } from "../policy/facts.ts";

export function factKey(name: string, params: unknown): string {
  return params === undefined ? name : `${name}\u0000${JSON.stringify(params)}`;
}

export class EvalContext implements FactInput {
  readonly record: RecordEnvelope;
  readonly nowMs: number;
  readonly data: unknown;
  readonly now: string;
  private readonly memo = new Map<string, unknown>();
  constructor(record: RecordEnvelope, nowMs: number) {
    this.record = record;
    this.nowMs = nowMs;
    this.data = record.data;
    this.now = new Date(nowMs).toISOString();
  }

  /** A derived fact by precomputed memo key (the compiled path). */
  derived(key: string, name: string, params: unknown): unknown {
    if (this.memo.has(key)) return this.memo.get(key);
    const fact = DERIVED_FACT_BY_NAME.get(name);
    if (!fact) throw new Error(`unknown fact ${name}`);
    const value = fact.compute(this, params ?? {});
    this.memo.set(key, value);
    return value;
  }

  fact = (name: string, params: unknown): unknown => this.derived(factKey(name, params), name, params);
}
