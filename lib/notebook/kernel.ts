/**
 * A client for the Jupyter messaging protocol v5 over ZeroMQ: starts a kernel process with a
 * connection file, signs every message with HMAC-SHA256, and talks to it on the shell, iopub and
 * control channels. Written for the tslab kernel (TypeScript), so notebooks run without Python.
 *
 * Wire format of one message (Jupyter messaging protocol 5.3):
 *   [routing ids…, "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers…]
 * where hmac is the hex HMAC-SHA256 over the four JSON frames header … content, keyed by the
 * connection file's `key`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as zmq from "zeromq";
import { ToolkitError } from "../util/errors";
import { type Logger, logger as rootLogger } from "../util/logger";

/** A kernel that failed to start, died, timed out or sent a message that does not verify. */
export class KernelError extends ToolkitError {
  override name = "KernelError";
}

/** The connection file a kernel reads at start-up (Jupyter's `kernel-<id>.json`). */
export interface ConnectionInfo {
  transport: "tcp";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: "hmac-sha256";
  kernel_name?: string;
}

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** One decoded protocol message; `parent_header` is `{}` for messages without a parent. */
export interface KernelMessage<Content = Record<string, unknown>> {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Content;
  buffers: Buffer[];
}

/** One cell output in nbformat 4 form, as collected from iopub. */
export type CellOutput =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string }
  | { output_type: "display_data"; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: "execute_result"; data: MimeBundle; metadata: Record<string, unknown>; execution_count: number | null }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

/** Output data keyed by MIME type (`text/plain`, `text/html`, `image/png` as base64, …). */
export type MimeBundle = Record<string, unknown>;

/** Outcome of one `execute_request`: reply status, execution count and outputs. */
export interface ExecutionOutcome {
  /** `status` of the execute_reply: `error` when the kernel reports the cell failed. */
  status: "ok" | "error" | "abort";
  executionCount: number | null;
  outputs: CellOutput[];
  /** The reply's ename/evalue/traceback when status is `error` and the kernel sent them. */
  replyError?: { ename: string; evalue: string; traceback: string[] };
  seconds: number;
}

/** The fields of a kernel_info_reply this toolkit reads; the rest is kept as sent. */
export interface KernelInfo {
  protocol_version: string;
  implementation: string;
  implementation_version: string;
  language_info: { name: string; version?: string; file_extension?: string; mimetype?: string };
  [field: string]: unknown;
}

export interface KernelStartOptions {
  /** Working directory of the kernel; tslab resolves relative imports in cells from here. */
  cwd: string;
  /** Variables added to the parent's environment for the kernel process. */
  env?: Record<string, string | undefined>;
  /**
   * The kernel command, with `{connection_file}` replaced by the connection file's path, as in a
   * kernelspec's `argv`. Default: this package's tslab, `tslab kernel --config-path {connection_file}`.
   */
  argv?: string[];
  /** How long to wait for the first kernel_info_reply, in ms (default 60 000). */
  startTimeoutMs?: number;
  logger?: Logger;
}

const DELIMITER = Buffer.from("<IDS|MSG>");
const PROTOCOL_VERSION = "5.3";
/** How many characters of the kernel process's own stdout/stderr to keep for error messages. */
const PROCESS_LOG_CHARS = 8000;

/** Computes the hex HMAC-SHA256 of `frames` under `key`; an empty key means unsigned messages (signature ""). */
export function signFrames(key: string, frames: readonly (string | Buffer)[]): string {
  if (key === "") return "";
  const hmac = createHmac("sha256", key);
  for (const frame of frames) hmac.update(frame);
  return hmac.digest("hex");
}

/** Encodes a message into wire frames, signed with `key`. Buffers are sent after the content frame. */
export function encodeMessage(key: string, message: Omit<KernelMessage<unknown>, "buffers"> & { buffers?: Buffer[] }, routingIds: Buffer[] = []): Buffer[] {
  const jsonFrames = [message.header, message.parent_header, message.metadata, message.content].map((part) => Buffer.from(JSON.stringify(part)));
  return [...routingIds, DELIMITER, Buffer.from(signFrames(key, jsonFrames)), ...jsonFrames, ...(message.buffers ?? [])];
}

/**
 * Decodes wire frames into a message and verifies the signature.
 * @throws KernelError when the delimiter or a frame is missing, a frame is not JSON, or the HMAC does not match.
 */
export function decodeMessage(key: string, frames: readonly Buffer[]): KernelMessage {
  const delimiterAt = frames.findIndex((frame) => frame.equals(DELIMITER));
  if (delimiterAt < 0) throw new KernelError("decodeMessage: message has no <IDS|MSG> delimiter frame; the peer does not speak the Jupyter wire protocol");
  const signature = frames[delimiterAt + 1];
  const jsonFrames = frames.slice(delimiterAt + 2, delimiterAt + 6);
  if (signature === undefined || jsonFrames.length < 4) {
    throw new KernelError(`decodeMessage: message must have a signature and 4 JSON frames after the delimiter, got ${frames.length - delimiterAt - 1} frames`);
  }
  const expected = Buffer.from(signFrames(key, jsonFrames));
  if (expected.length !== signature.length || !timingSafeEqual(expected, signature)) {
    throw new KernelError("decodeMessage: HMAC signature does not match; the message was not signed with this connection's key");
  }
  const [header, parent, metadata, content] = jsonFrames.map((frame, i) => {
    try {
      return JSON.parse(frame.toString("utf8")) as unknown;
    } catch (error) {
      throw new KernelError(`decodeMessage: frame ${i} (${["header", "parent_header", "metadata", "content"][i]}) is not valid JSON: ${(error as Error).message}`);
    }
  });
  return {
    header: header as MessageHeader,
    parent_header: parent as Partial<MessageHeader>,
    metadata: metadata as Record<string, unknown>,
    content: content as Record<string, unknown>,
    buffers: frames.slice(delimiterAt + 6),
  };
}

/** Reserves `count` distinct free TCP ports on 127.0.0.1 by binding port 0 and releasing it. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Returns the default kernel command: the tslab installed next to this package, run by this Node binary. */
export function defaultKernelArgv(): string[] {
  const tslabPackage = require.resolve("tslab/package.json");
  return [process.execPath, join(dirname(tslabPackage), "bin", "tslab"), "kernel", "--config-path", "{connection_file}"];
}

type Waiter = { resolve: (message: KernelMessage) => void; reject: (error: Error) => void };

/**
 * One running kernel process and the sockets connected to it. Start it with `KernelClient.start`,
 * run code with `execute`, and always end with `shutdown` (also on failure) so no process is left.
 */
export class KernelClient {
  private readonly session = randomUUID();
  private readonly shellReplies = new Map<string, Waiter>();
  private readonly controlReplies = new Map<string, Waiter>();
  private readonly iopubHandlers = new Map<string, (message: KernelMessage) => void>();
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private processLog = "";
  private closed = false;
  private readonly killOnExit = () => this.child.kill("SIGKILL");

  private constructor(
    private readonly child: ChildProcess,
    private readonly connection: ConnectionInfo,
    private readonly connectionDir: string,
    private readonly shell: zmq.Dealer,
    private readonly control: zmq.Dealer,
    private readonly iopub: zmq.Subscriber,
    private readonly log: Logger,
  ) {
    const keep = (chunk: Buffer) => {
      this.processLog = (this.processLog + chunk.toString("utf8")).slice(-PROCESS_LOG_CHARS);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.on("exit", (code, signal) => {
      this.exited = { code, signal };
      const error = new KernelError(`kernel process ${child.pid} exited (code ${code}, signal ${signal}) ${this.processLogSuffix()}`);
      for (const waiter of [...this.shellReplies.values(), ...this.controlReplies.values()]) waiter.reject(error);
      this.shellReplies.clear();
      this.controlReplies.clear();
    });
    process.once("exit", this.killOnExit);
    void this.readLoop(shell, (message) => this.settle(this.shellReplies, message));
    void this.readLoop(control, (message) => this.settle(this.controlReplies, message));
    void this.readLoop(iopub, (message) => {
      const parentId = message.parent_header.msg_id;
      if (parentId !== undefined) this.iopubHandlers.get(parentId)?.(message);
    });
  }

  /**
   * Starts a kernel process, connects the shell, control and iopub sockets, and waits until it
   * replies to kernel_info_request and its iopub messages arrive.
   * @throws KernelError when the process exits or does not reply within `startTimeoutMs`.
   */
  static async start(options: KernelStartOptions): Promise<KernelClient> {
    const log = options.logger ?? rootLogger.child("kernel");
    const [shellPort, iopubPort, stdinPort, controlPort, hbPort] = await freePorts(5);
    const connection: ConnectionInfo = {
      transport: "tcp",
      ip: "127.0.0.1",
      shell_port: shellPort,
      iopub_port: iopubPort,
      stdin_port: stdinPort,
      control_port: controlPort,
      hb_port: hbPort,
      key: randomBytes(32).toString("hex"),
      signature_scheme: "hmac-sha256",
      kernel_name: "tslab",
    };
    const connectionDir = mkdtempSync(join(tmpdir(), "lsa-kernel-"));
    const connectionFile = join(connectionDir, "kernel.json");
    writeFileSync(connectionFile, JSON.stringify(connection, null, 2), { mode: 0o600 });

    const argv = (options.argv ?? defaultKernelArgv()).map((arg) => arg.replaceAll("{connection_file}", connectionFile));
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    log.debug(`started kernel process ${child.pid}: ${argv.join(" ")} (cwd ${options.cwd})`);

    const address = (port: number) => `tcp://${connection.ip}:${port}`;
    const shell = new zmq.Dealer({ linger: 0 });
    const control = new zmq.Dealer({ linger: 0 });
    const iopub = new zmq.Subscriber({ linger: 0 });
    shell.connect(address(shellPort));
    control.connect(address(controlPort));
    iopub.connect(address(iopubPort));
    iopub.subscribe();

    const client = new KernelClient(child, connection, connectionDir, shell, control, iopub, log);
    try {
      await client.waitUntilReady(options.startTimeoutMs ?? 60_000);
    } catch (error) {
      await client.shutdown({ timeoutMs: 2000 });
      throw error;
    }
    return client;
  }

  /** The kernel's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends kernel_info_request on shell and returns the reply's content. */
  async kernelInfo(timeoutMs = 10_000): Promise<KernelInfo> {
    const reply = await this.request(this.shell, this.shellReplies, "kernel_info_request", {}, timeoutMs);
    return reply.content as unknown as KernelInfo;
  }

  /**
   * Runs `code` and collects its iopub outputs until both the execute_reply and the kernel's
   * `idle` status for this request have arrived. Consecutive stream outputs of one name are merged,
   * `update_display_data` replaces the output with the same display id, and `clear_output` empties
   * the list.
   * @throws KernelError when the kernel dies or sends nothing for `timeoutMs` (default 10 minutes).
   */
  async execute(code: string, options: { timeoutMs?: number } = {}): Promise<ExecutionOutcome> {
    const started = performance.now();
    const outputs: CellOutput[] = [];
    const displayIds = new Map<string, number>();
    let clearPending = false;
    let idle!: () => void;
    const idleReached = new Promise<void>((resolve) => (idle = resolve));

    const add = (output: CellOutput, displayId?: string) => {
      if (clearPending) {
        outputs.length = 0;
        displayIds.clear();
        clearPending = false;
      }
      const last = outputs[outputs.length - 1];
      if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
        last.text += output.text;
        return;
      }
      if (displayId !== undefined) displayIds.set(displayId, outputs.length);
      outputs.push(output);
    };

    const message = this.newMessage("execute_request", {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    });
    this.iopubHandlers.set(message.header.msg_id, (reply) => {
      const content = reply.content;
      const displayId = (content.transient as { display_id?: string } | undefined)?.display_id ?? undefined;
      switch (reply.header.msg_type) {
        case "stream":
          add({ output_type: "stream", name: content.name === "stderr" ? "stderr" : "stdout", text: String(content.text ?? "") });
          break;
        case "display_data":
          add({ output_type: "display_data", data: content.data as MimeBundle, metadata: (content.metadata ?? {}) as Record<string, unknown> }, displayId);
          break;
        case "update_display_data": {
          const at = displayId === undefined ? undefined : displayIds.get(displayId);
          if (at !== undefined) outputs[at] = { output_type: "display_data", data: content.data as MimeBundle, metadata: (content.metadata ?? {}) as Record<string, unknown> };
          break;
        }
        case "execute_result":
          add({
            output_type: "execute_result",
            data: content.data as MimeBundle,
            metadata: (content.metadata ?? {}) as Record<string, unknown>,
            execution_count: (content.execution_count as number | undefined) ?? null,
          });
          break;
        case "error":
          add({ output_type: "error", ename: String(content.ename), evalue: String(content.evalue), traceback: (content.traceback as string[] | undefined) ?? [] });
          break;
        case "clear_output":
          if (content.wait) clearPending = true;
          else {
            outputs.length = 0;
            displayIds.clear();
          }
          break;
        case "status":
          if (content.execution_state === "idle") idle();
          break;
        default:
          break;
      }
    });

    try {
      const timeoutMs = options.timeoutMs ?? 600_000;
      const reply = await this.send(this.shell, this.shellReplies, message, timeoutMs);
      await withTimeout(idleReached, Math.max(1000, timeoutMs - (performance.now() - started)), () => this.timeoutError("idle status after execute_reply", timeoutMs));
      const content = reply.content;
      const status = content.status === "error" || content.status === "abort" ? content.status : "ok";
      return {
        status,
        executionCount: typeof content.execution_count === "number" ? content.execution_count : null,
        outputs,
        replyError:
          status === "error" && typeof content.ename === "string"
            ? { ename: content.ename, evalue: String(content.evalue ?? ""), traceback: (content.traceback as string[] | undefined) ?? [] }
            : undefined,
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      this.iopubHandlers.delete(message.header.msg_id);
    }
  }

  /** Sends SIGINT, which tslab (and ipykernel) treat as an interrupt of the running cell. */
  interrupt(): void {
    if (!this.exited) this.child.kill("SIGINT");
  }

  /**
   * Asks the kernel to shut down on the control channel, waits for the process to exit, and kills
   * it (SIGTERM, then SIGKILL) if it is still running after `timeoutMs`. Closes the sockets and
   * deletes the connection file. Safe to call twice.
   */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!this.exited) {
      try {
        await this.request(this.control, this.controlReplies, "shutdown_request", { restart: false }, timeoutMs);
      } catch (error) {
        this.log.warn(`kernel ${this.child.pid} did not reply to shutdown_request: ${(error as Error).message}`);
      }
    }
    if (!(await this.waitForExit(timeoutMs))) {
      this.log.warn(`kernel ${this.child.pid} still running ${timeoutMs} ms after shutdown_request; sending SIGTERM`);
      this.child.kill("SIGTERM");
      if (!(await this.waitForExit(2000))) {
        this.log.warn(`kernel ${this.child.pid} ignored SIGTERM; sending SIGKILL`);
        this.child.kill("SIGKILL");
        await this.waitForExit(Infinity);
      }
    }
    process.removeListener("exit", this.killOnExit);
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
    rmSync(this.connectionDir, { recursive: true, force: true });
  }

  /** Resolves true once the kernel process has exited, or false after `timeoutMs`. */
  private waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => resolve(false), timeoutMs) : undefined;
      this.child.once("exit", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    // A SUB socket drops what is published before its subscription reaches the publisher, so
    // repeat kernel_info_request until one of its iopub status messages arrives as well.
    for (;;) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw this.timeoutError("kernel_info_reply with iopub status at start-up", timeoutMs);
      const message = this.newMessage("kernel_info_request", {});
      let statusSeen!: () => void;
      const status = new Promise<void>((resolve) => (statusSeen = resolve));
      this.iopubHandlers.set(message.header.msg_id, () => statusSeen());
      try {
        await this.send(this.shell, this.shellReplies, message, remaining);
        const seen = await Promise.race([status.then(() => true), sleep(Math.min(500, Math.max(1, deadline - performance.now()))).then(() => false)]);
        if (seen) return;
      } finally {
        this.iopubHandlers.delete(message.header.msg_id);
      }
    }
  }

  private newMessage(msgType: string, content: Record<string, unknown>): KernelMessage {
    return {
      header: { msg_id: randomUUID(), session: this.session, username: "lsa", date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION },
      parent_header: {},
      metadata: {},
      content,
      buffers: [],
    };
  }

  private request(socket: zmq.Dealer, waiters: Map<string, Waiter>, msgType: string, content: Record<string, unknown>, timeoutMs: number): Promise<KernelMessage> {
    return this.send(socket, waiters, this.newMessage(msgType, content), timeoutMs);
  }

  private async send(socket: zmq.Dealer, waiters: Map<string, Waiter>, message: KernelMessage, timeoutMs: number): Promise<KernelMessage> {
    if (this.exited) throw new KernelError(`kernel process ${this.child.pid} has exited; cannot send ${message.header.msg_type} ${this.processLogSuffix()}`);
    const id = message.header.msg_id;
    const reply = new Promise<KernelMessage>((resolve, reject) => waiters.set(id, { resolve, reject }));
    await socket.send(encodeMessage(this.connection.key, message));
    try {
      return await withTimeout(reply, timeoutMs, () => this.timeoutError(`reply to ${message.header.msg_type}`, timeoutMs));
    } finally {
      waiters.delete(id);
    }
  }

  private settle(waiters: Map<string, Waiter>, message: KernelMessage): void {
    const parentId = message.parent_header.msg_id;
    if (parentId !== undefined) waiters.get(parentId)?.resolve(message);
  }

  private async readLoop(socket: zmq.Dealer | zmq.Subscriber, handle: (message: KernelMessage) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        try {
          handle(decodeMessage(this.connection.key, frames));
        } catch (error) {
          this.log.warn(`dropped a kernel message: ${(error as Error).message}`);
        }
      }
    } catch (error) {
      // Closing a socket ends its iterator; any other receive failure is logged.
      if (!this.closed) this.log.warn(`kernel socket receive failed: ${(error as Error).message}`);
    }
  }

  private timeoutError(expected: string, timeoutMs: number): KernelError {
    return new KernelError(`kernel ${this.child.pid}: no ${expected} within ${timeoutMs} ms. Raise the timeout if the cell is slow ${this.processLogSuffix()}`);
  }

  private processLogSuffix(): string {
    const text = this.processLog.trim();
    return text ? `(kernel process output: ${text.slice(-2000)})` : "(the kernel process printed nothing)";
  }
}

/** Resolves with `promise`, or rejects with `onTimeout()` after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
