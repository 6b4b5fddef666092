/** How the local platform tells an observer (the benchmark) about every call of a function's handler. */

/**
 * Told after every call of a function's handler (the benchmark times them for the cost figure):
 * the function, the call's wall time and how many items it carried (stream records, events; 1 for
 * an HTTP request). Locally the notifier runs inside the events handler's call; its time is
 * reported on its own as `notifier` and is part of the `events` call's time too.
 */
export type InvocationObserver = (fn: string, ms: number, items: number) => void;

/** Wraps a handler so that every call is told to `observe` (nothing when there is no observer). */
export function timed<E, R, A extends unknown[]>(
  fn: string,
  handler: (event: E, ...rest: A) => Promise<R>,
  items: (event: E) => number,
  observe: InvocationObserver | undefined,
): typeof handler {
  if (!observe) return handler;
  return async (event, ...rest) => {
    const start = performance.now();
    try {
      return await handler(event, ...rest);
    } finally {
      observe(fn, performance.now() - start, items(event));
    }
  };
}
