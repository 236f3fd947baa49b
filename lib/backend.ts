import * as tf from "@tensorflow/tfjs";
import { registerWasmSliceKernels } from "./kernels/wasmSlice";
import { ConfigError, mustBe } from "./util/errors";
import { logger } from "./util/logger";

/** A backend the toolkit can run on, fastest first. `tensorflow` is tfjs-node(-gpu)'s native library. */
export type BackendName = "tensorflow" | "wasm" | "cpu";

export const BACKEND_NAMES: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

/** The active backend, the package that provided it, and the reason each faster one was skipped. */
export interface BackendInfo {
  /** The active tfjs backend, as `tf.getBackend()` reports it. */
  name: BackendName;
  /** The npm package that registered it (for example `@tensorflow/tfjs-node-gpu`). */
  package: string;
  /** `auto`, or the backend forced by the option or the `LSA_BACKEND` environment variable. */
  requested: BackendName | "auto";
  /** Faster backends that were tried and skipped, with the reason. */
  skipped: { backend: string; reason: string }[];
  tfjsVersion: string;
}

let active: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

/**
 * Selects the fastest working backend once per process: tfjs-node-gpu, then tfjs-node (both register
 * `tensorflow` where their native library loads), else wasm, else cpu. The `LSA_BACKEND` environment
 * variable or `requested` forces one; a forced backend that fails to load is an error, not a fallback.
 * The choice and the reasons for skipping faster backends are logged once.
 * @throws ConfigError for an unknown backend name or a forced backend that does not load.
 */
export function initBackend(requested?: BackendName | "auto"): Promise<BackendInfo> {
  const choice = requested ?? parseRequested(process.env.LSA_BACKEND);
  if (active && (choice === "auto" || choice === active.name)) return Promise.resolve(active);
  if (pending && !active) return pending;
  pending = selectBackend(choice).then((info) => {
    active = info;
    const skipped = info.skipped.map((s) => `${s.backend} (${s.reason})`).join("; ");
    logger.info(
      `backend: ${info.name} from ${info.package} (tfjs ${info.tfjsVersion}, requested ${info.requested})` +
        (skipped ? `; skipped ${skipped}` : ""),
    );
    return info;
  });
  return pending;
}

/** Returns the backend chosen by `initBackend`, or undefined before it has run. */
export function backendInfo(): BackendInfo | undefined {
  return active;
}

function parseRequested(value: string | undefined): BackendName | "auto" {
  if (value === undefined || value === "" || value === "auto") return "auto";
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new ConfigError(
    mustBe("LSA_BACKEND", "the environment variable", `one of auto, ${BACKEND_NAMES.join(", ")}`, value),
  );
}

async function selectBackend(requested: BackendName | "auto"): Promise<BackendInfo> {
  const skipped: BackendInfo["skipped"] = [];
  const order: BackendName[] = requested === "auto" ? [...BACKEND_NAMES] : [requested];
  for (const name of order) {
    const attempt = await tryBackend(name);
    if ("package" in attempt) {
      return { name, package: attempt.package, requested, skipped, tfjsVersion: tf.version.tfjs };
    }
    skipped.push(...attempt.failures);
    if (requested !== "auto") {
      const reasons = attempt.failures.map((f) => `${f.backend}: ${f.reason}`).join("; ");
      throw new ConfigError(
        `initBackend: backend ${JSON.stringify(name)} failed to load (${reasons}). ` +
          "Unset LSA_BACKEND to fall back automatically, or see environment.md to install it.",
      );
    }
  }
  throw new ConfigError("initBackend: no tfjs backend could be loaded, not even cpu");
}

type Attempt = { package: string } | { failures: { backend: string; reason: string }[] };

async function tryBackend(name: BackendName): Promise<Attempt> {
  switch (name) {
    case "tensorflow":
      return tryNative();
    case "wasm":
      return tryWasm();
    case "cpu":
      return (await tf.setBackend("cpu")) ? { package: "@tensorflow/tfjs-backend-cpu" } : fail("cpu", "setBackend failed");
    default: {
      const unreachable: never = name;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

function fail(backend: string, reason: string): Attempt {
  return { failures: [{ backend, reason }] };
}

async function tryNative(): Promise<Attempt> {
  const failures: { backend: string; reason: string }[] = [];
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      // Loading the package registers the `tensorflow` backend with the shared tfjs engine.
      require(pkg);
      if (await tf.setBackend("tensorflow")) return { package: pkg };
      failures.push({ backend: pkg, reason: "setBackend('tensorflow') returned false" });
    } catch (error) {
      failures.push({ backend: pkg, reason: describeLoadError(error) });
    }
  }
  return { failures };
}

async function tryWasm(): Promise<Attempt> {
  try {
    require("@tensorflow/tfjs-backend-wasm");
    // Registered before setBackend, which runs the setup function of every wasm kernel once.
    registerWasmSliceKernels();
    if (await tf.setBackend("wasm")) return { package: "@tensorflow/tfjs-backend-wasm" };
    return fail("wasm", "setBackend('wasm') returned false");
  } catch (error) {
    return fail("wasm", describeLoadError(error));
  }
}

function describeLoadError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/Cannot find module/.test(text)) return "not installed";
  return text.split("\n")[0].slice(0, 160);
}
