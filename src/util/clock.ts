/**
 * A monotonic clock and its sleep, injected wherever the tool waits, so that unit tests run a
 * ten-minute wait on a fake clock in no time (see fakeClock in the executor tests).
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences mean anything). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
