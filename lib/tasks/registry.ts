/** Name → task registry of the generated suite, and the LongBench dataset record each task is scored as. */

import type { DatasetRecord } from "../longbench";
import { ConfigError, oneOf } from "../util/errors";
import { countingTask } from "./counting";
import { kvRetrievalTask } from "./kvRetrieval";
import { passkeyTask } from "./passkey";
import { recallTask } from "./recall";
import { TASK_NAMES, type TaskName, type TaskSpec } from "./types";

const TASK_SPECS: readonly TaskSpec[] = [passkeyTask, kvRetrievalTask, countingTask, recallTask];

const BY_NAME: ReadonlyMap<TaskName, TaskSpec> = (() => {
  const byName = new Map<TaskName, TaskSpec>();
  for (const spec of TASK_SPECS) {
    if (byName.has(spec.name)) throw new ConfigError(`task registry: task ${JSON.stringify(spec.name)} is registered twice. Remove one`);
    byName.set(spec.name, spec);
  }
  for (const name of TASK_NAMES) {
    if (!byName.has(name)) throw new ConfigError(`task registry: task ${JSON.stringify(name)} has no generator. Register one`);
  }
  return byName;
})();

/** Returns every registered task, in `TASK_NAMES` order. */
export function listTasks(): readonly TaskSpec[] {
  return TASK_NAMES.map((name) => BY_NAME.get(name)!);
}

/**
 * Returns the task registered as `name`.
 * @throws ConfigError listing the task names and the nearest match when `name` is unknown.
 */
export function getTask(name: string, where = "getTask"): TaskSpec {
  return BY_NAME.get(oneOf(where, "task", name, TASK_NAMES))!;
}

/**
 * Returns the LongBench dataset record a task is scored as: its metric, the whole prediction (no
 * first-line cut, because generation already stops at the newline), English. These datasets are
 * not part of LongBench-E.
 */
export function taskDataset(name: TaskName): DatasetRecord {
  return { name, metric: getTask(name).metric, firstLineOnly: false, language: "en", inLongBenchE: false };
}
