/**
 * Index shards, computed one way by every writer and reader of the DynamoDB tables (the record's
 * own key, recordKey, is part of the repositories' contract: repositories.ts).
 */
import { DEADLINE_SHARDS, VIOLATION_SHARDS } from "./tables.ts";

/** FNV-1a: a stable, fast spread of keys over shards (not for security). */
export function shardOf(key: string, shards: number): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return String((hash >>> 0) % shards);
}

export const deadlineShard = (pk: string) => shardOf(pk, DEADLINE_SHARDS);
export const violationShard = (id: string) => shardOf(id, VIOLATION_SHARDS);

export function statusShard(status: string, id: string): string {
  return `${status}#${violationShard(id)}`;
}
