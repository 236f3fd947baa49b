import { ToolkitError } from "../util/errors";

/** Signals that stop training gracefully. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

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
 * can finish its step and save a checkpoint. Node runs signal handlers only between synchronous
 * tasks, so a signal (first or later) takes effect when the current step ends; SIGKILL still ends
 * the process at once. Call `dispose` when training ends.
 */
export class SignalWatcher {
  /** The first signal received, if any. */
  received: NodeJS.Signals | undefined;
  private readonly handler = (signal: NodeJS.Signals): void => {
    this.received ??= signal;
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
