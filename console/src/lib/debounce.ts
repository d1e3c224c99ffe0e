// debounce(): call `fn` once the calls have paused for `ms` (the last call's arguments win), e.g. a search box
// that asks the server ~300 ms after the admin stops typing.
export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  /** Drops a pending call (on unmount). */
  cancel: () => void;
  /** Runs a pending call now. */
  flush: () => void;
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: A | null = null;
  const run = () => {
    timer = null;
    const args = pending;
    pending = null;
    if (args) fn(...args);
  };
  const d = ((...args: A) => {
    pending = args;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(run, ms);
  }) as Debounced<A>;
  d.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pending = null;
  };
  d.flush = () => {
    if (timer !== null) clearTimeout(timer);
    run();
  };
  return d;
}
