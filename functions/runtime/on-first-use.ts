/**
 * A process's lazily built runtime, in a module of its own: the notifier's bundle uses it without
 * policy-runtime.ts's imports (the Powertools logger, the credentials).
 */

/**
 * `build`, run on its first call and kept for the process (later calls get the same runtime,
 * whatever they pass); a failed build is retried on the next call.
 */
export function onFirstUse<A extends unknown[], R>(
  build: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  let cached: Promise<R> | undefined;
  return (...args) => {
    cached ??= build(...args).catch((error) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
