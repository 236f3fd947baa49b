import { ToolkitError } from "../util/errors";

/** Signals that stop training gracefully. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

/**
 * Signals that arrive within this many milliseconds of the first count as one request: Ctrl-C in
 * a terminal reaches a study worker directly and again through its runner's SIGTERM.
 */
export const SIGNAL_BURST_MS = 1000;

/** Raised when SIGINT or SIGTERM stopped training; the run's checkpoint contains step `step`. */
export class TrainingInterruptedError extends ToolkitError {
  override name = "TrainingInterruptedError";
  /** Process exit status for the signal, as shells report it: 130 for SIGINT, 143 for SIGTERM. */
  readonly exitCode: number;

  constructor(
    message: string,
    readonly step: number,
    readonly signal: NodeJS.Signals,
  ) {
    super(message);
    this.exitCode = signal === "SIGINT" ? 130 : 143;
  }
}

/**
 * Records the first SIGINT or SIGTERM instead of letting it end the process, so a training loop
 * can finish its step and save a checkpoint. A later signal, more than SIGNAL_BURST_MS after the
 * first, removes the handlers and re-sends itself, which ends the process as if nothing had
 * caught it. Call `dispose` when training ends.
 */
export class SignalWatcher {
  /** The first signal received, if any. */
  received: NodeJS.Signals | undefined;
  private firstAt = 0;
  private readonly handler = (signal: NodeJS.Signals): void => {
    if (this.received === undefined) {
      this.received = signal;
      this.firstAt = Date.now();
      return;
    }
    if (Date.now() - this.firstAt < SIGNAL_BURST_MS) return;
    this.dispose();
    process.kill(process.pid, signal);
  };

  constructor() {
    for (const signal of STOP_SIGNALS) process.on(signal, this.handler);
  }

  dispose(): void {
    for (const signal of STOP_SIGNALS) process.off(signal, this.handler);
  }
}

/**
 * Lets the event loop run once, so pending signal handlers execute. Training steps are synchronous
 * tfjs work, and without this a handler would only run after the last step.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
