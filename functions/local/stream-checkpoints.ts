/**
 * The stream poller's checkpoint file: the last handled sequence number per shard, so a restart
 * resumes where it left off. Written atomically; positions count only for the stream they were
 * read from.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { describeError, StreamPollerError } from "./stream-poller-error.ts";

/** The checkpoint file: positions are only valid for the stream they were read from. */
export interface CheckpointFile {
  readonly version: 1;
  readonly streamArn: string;
  readonly shards: Record<string, { readonly sequenceNumber?: string; readonly done?: true }>;
}

/** The file's content for these shards' positions. */
export function checkpointsOf(
  streamArn: string,
  shards: Iterable<{
    readonly shardId: string;
    readonly checkpoint: string | undefined;
    readonly done: boolean;
  }>,
): CheckpointFile {
  return {
    version: 1,
    streamArn,
    shards: Object.fromEntries(
      [...shards]
        .filter((s) => s.checkpoint !== undefined || s.done)
        .map((s) => [
          s.shardId,
          {
            ...(s.checkpoint === undefined ? {} : { sequenceNumber: s.checkpoint }),
            ...(s.done ? { done: true } : {}),
          },
        ]),
    ),
  };
}

export async function loadCheckpoints(
  path: string,
  streamArn: string,
  tableName: string,
): Promise<CheckpointFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StreamPollerError(
      "checkpoint_unreadable",
      `cannot read the checkpoint ${path}: ${describeError(error).message}`,
      {
        tableName,
        cause: error,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StreamPollerError(
      "checkpoint_unreadable",
      `the checkpoint ${path} is not JSON: delete it to re-read the stream from its oldest record`,
      { tableName, cause: error },
    );
  }
  const file = parsed as Partial<CheckpointFile> | null;
  if (
    file?.version !== 1 ||
    typeof file.streamArn !== "string" ||
    typeof file.shards !== "object" ||
    file.shards === null
  ) {
    throw new StreamPollerError(
      "checkpoint_unreadable",
      `the checkpoint ${path} is not a version 1 checkpoint: delete it to re-read the stream from its oldest record`,
      { tableName },
    );
  }
  // another stream (the table was recreated): its positions mean nothing here, start from the oldest record
  return file.streamArn === streamArn ? (file as CheckpointFile) : undefined;
}

let temporaries = 0;

/** Write-then-rename: a crash leaves the old checkpoint or the new one, never half of one. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // unique per write: two pollers sharing a file must not rename each other's half-written temporary
  const temporary = `${path}.${process.pid}-${++temporaries}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}
