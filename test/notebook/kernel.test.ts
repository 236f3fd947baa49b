import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, KernelError, cellFailure, decodeMessage, encodeMessage, signFrames } from "../../lib/notebook";

const header = { msg_id: "m1", session: "s1", username: "u", date: "2025-01-01T00:00:00Z", msg_type: "kernel_info_request", version: "5.3" };

describe("wire format", () => {
  it("encodeMessage: decodes back with the same key", () => {
    const frames = encodeMessage("secret", { header, parent_header: {}, metadata: {}, content: { code: "1+1" } });
    const decoded = decodeMessage("secret", frames);
    expect(decoded.header).toEqual(header);
    expect(decoded.content).toEqual({ code: "1+1" });
  });

  it("encodeMessage: signs the four JSON frames with HMAC-SHA256", () => {
    const frames = encodeMessage("secret", { header, parent_header: {}, metadata: {}, content: {} });
    // frames: [delimiter, signature, header, parent_header, metadata, content]
    expect(frames[0].toString()).toBe("<IDS|MSG>");
    expect(frames[1].toString()).toBe(signFrames("secret", frames.slice(2, 6)));
    expect(frames[1].toString()).toMatch(/^[0-9a-f]{64}$/);
  });

  it("decodeMessage: rejects another key's signature", () => {
    const frames = encodeMessage("secret", { header, parent_header: {}, metadata: {}, content: {} });
    expect(() => decodeMessage("other", frames)).toThrow(/HMAC signature does not match/);
  });

  it("decodeMessage: rejects a message without delimiter", () => {
    expect(() => decodeMessage("secret", [Buffer.from("{}")])).toThrow(/no <IDS\|MSG> delimiter/);
  });

  it("decodeMessage: skips routing ids before the delimiter", () => {
    const frames = encodeMessage("k", { header, parent_header: {}, metadata: {}, content: { a: 1 } }, [Buffer.from("peer-1")]);
    expect(decodeMessage("k", frames).content).toEqual({ a: 1 });
  });
});

describe("KernelClient with tslab", () => {
  let dir: string;
  let kernel: KernelClient;
  const tslabPath = JSON.stringify(require.resolve("tslab"));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lsa-kernel-test-"));
    kernel = await KernelClient.start({ cwd: dir });
  });

  afterAll(async () => {
    await kernel?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("kernelInfo: reports tslab and TypeScript", async () => {
    const info = await kernel.kernelInfo();
    expect(info.implementation).toBe("tslab");
    expect(info.language_info.name).toBe("typescript");
  });

  it("execute: 1+1 prints 2 on stdout", async () => {
    const outcome = await kernel.execute("1+1");
    expect(outcome.status).toBe("ok");
    expect(outcome.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "2\n" }]);
    expect(cellFailure(outcome)).toBeUndefined();
  });

  it("execute: display call yields display_data", async () => {
    const outcome = await kernel.execute(`const tslab = require(${tslabPath});\ntslab.display.html("<b>bold</b>");`);
    expect(outcome.status).toBe("ok");
    expect(outcome.outputs).toEqual([{ output_type: "display_data", data: { "text/html": "<b>bold</b>" }, metadata: {} }]);
  });

  it("execute: stderr text alone is not a failure", async () => {
    const outcome = await kernel.execute(`console.error("a warning"); 3`);
    expect(outcome.status).toBe("ok");
    expect(outcome.outputs[0]).toEqual({ output_type: "stream", name: "stderr", text: "a warning\n" });
    expect(cellFailure(outcome)).toBeUndefined();
  });

  it("execute: type error fails with its text", async () => {
    const outcome = await kernel.execute(`const n: number = "text";`);
    expect(outcome.status).toBe("error");
    expect(cellFailure(outcome)).toMatch(/1:7 - Type 'string' is not assignable to type 'number'/);
    // tslab aborts requests queued in the 200 ms after an error; wait before the next test's cell.
    await new Promise((resolve) => setTimeout(resolve, 300));
  });

  it("execute: thrown error fails with its message", async () => {
    const outcome = await kernel.execute(`throw new Error("broken cell");`);
    expect(outcome.status).toBe("error");
    expect(cellFailure(outcome)).toMatch(/Error: broken cell/);
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
});

describe("KernelClient lifecycle", () => {
  it("shutdown: no kernel process remains", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lsa-kernel-test-"));
    const kernel = await KernelClient.start({ cwd: dir });
    const pid = kernel.pid!;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await kernel.shutdown();
    // Signal 0 checks that the process exists; ESRCH means it is gone.
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    rmSync(dir, { recursive: true, force: true });
  });

  it("start: a kernel command that exits is reported", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lsa-kernel-test-"));
    const start = KernelClient.start({ cwd: dir, argv: [process.execPath, "-e", "console.error('no kernel here'); process.exit(3)"], startTimeoutMs: 5000 });
    await expect(start).rejects.toThrow(KernelError);
    await expect(start).rejects.toThrow(/exited \(code 3.*no kernel here/s);
    rmSync(dir, { recursive: true, force: true });
  });
});
