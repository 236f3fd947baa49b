import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** Severity of a log line; lines below the logger's level are dropped. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Destination of log lines; tests pass a sink that collects them. */
export type LogSink = (line: string, level: LogLevel) => void;

const stderrSink: LogSink = (line) => process.stderr.write(`${line}\n`);

/**
 * The toolkit's logger. `lib/` never calls `console`: it logs through an instance of this class,
 * which prints human-readable lines and can mirror structured records to a JSON-lines file.
 * The level comes from the `LSA_LOG_LEVEL` environment variable (default `info`).
 */
export class Logger {
  private parent?: Logger;

  constructor(
    readonly name = "lsa",
    private level: LogLevel = parseLevel(process.env.LSA_LOG_LEVEL),
    private sink: LogSink = stderrSink,
  ) {}

  /** Creates a logger whose lines carry `name` and that follows this logger's level and sink, even if they change later. */
  child(name: string): Logger {
    const child = new Logger(name, this.level, this.sink);
    child.parent = this;
    return child;
  }

  /** Sets the level of this logger and, unless they set their own, of its children. */
  setLevel(level: LogLevel): void {
    this.level = level;
    this.ownLevel = true;
  }

  setSink(sink: LogSink): void {
    this.sink = sink;
    this.ownSink = true;
  }

  private ownLevel = false;
  private ownSink = false;

  private effectiveLevel(): LogLevel {
    return this.ownLevel || !this.parent ? this.level : this.parent.effectiveLevel();
  }

  private effectiveSink(): LogSink {
    return this.ownSink || !this.parent ? this.sink : this.parent.effectiveSink();
  }

  enabled(level: LogLevel): boolean {
    return LEVEL_ORDER[level] >= LEVEL_ORDER[this.effectiveLevel()];
  }

  debug(message: string): void {
    this.write("debug", message);
  }

  info(message: string): void {
    this.write("info", message);
  }

  warn(message: string): void {
    this.write("warn", message);
  }

  error(message: string): void {
    this.write("error", message);
  }

  private write(level: LogLevel, message: string): void {
    if (!this.enabled(level)) return;
    const time = new Date().toISOString().slice(11, 19);
    this.effectiveSink()(`${time} ${level.padEnd(5)} [${this.name}] ${message}`, level);
  }
}

function parseLevel(value: string | undefined): LogLevel {
  if (value && value in LEVEL_ORDER) return value as LogLevel;
  return "info";
}

/** The process-wide logger that library modules use by default. */
export const logger = new Logger();

/** Appends one JSON object per line to `path`, creating its folder. */
export function appendJsonl(path: string, record: object): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}

/**
 * A one-line progress bar on a terminal, redrawn in place. On anything else (CI, a notebook, a
 * pipe) it prints nothing, and the caller's periodic log lines show the progress instead.
 */
export class ProgressBar {
  private readonly enabled: boolean;
  private lastDraw = 0;

  constructor(
    private readonly total: number,
    private readonly label = "",
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.stream = stream;
    this.enabled = Boolean(stream.isTTY) && process.env.CI === undefined;
  }

  private readonly stream: NodeJS.WriteStream;

  /** Redraws the bar at `done` of `total`, with a short status text; at most 10 redraws a second. */
  update(done: number, status = ""): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (done < this.total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 30;
    const filled = Math.round((width * Math.min(done, this.total)) / Math.max(1, this.total));
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    this.stream.write(`\r${this.label} ${bar} ${done}/${this.total} ${status}\x1b[K`);
  }

  /** Ends the bar's line so later output starts on a fresh line. */
  finish(): void {
    if (this.enabled) this.stream.write("\n");
  }
}
