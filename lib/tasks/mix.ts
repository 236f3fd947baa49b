/**
 * Training batches that mix task instances into plain corpus windows.
 *
 * Row layout, for a window of W tokens: with probability `fraction` a row is
 *
 *   [ corpus fill: W − n − 1 bytes ][ "\n" ][ prompt ][ answer ][ "\n" ]
 *                                            \_________ n bytes _________/
 *
 * where the instance (prompt, answer and end marker, n bytes) is right-aligned so that the answer
 * and its end marker are the row's last tokens. The fill is a random window of the training
 * documents. An instance of W − 1 bytes leaves room for the newline only, and one of W bytes for
 * no fill at all. Rows that are not task rows are plain corpus windows of W tokens.
 */

import type { TokenizedDocument } from "../data/types";
import { encode } from "../data/tokenizer";
import { sampleWindows } from "../data/windows";
import type { BatchSource } from "../train/trainer";
import { ConfigError, assert, intInRange, mustBe, numberInRange, oneOf } from "../util/errors";
import type { Random } from "../util/random";
import { FillerSource } from "./filler";
import { getTask } from "./registry";
import { promptOf, validateTaskOptions } from "./suite";
import { ANSWER_END, TASK_NAMES, type TaskInstance, type TaskName, type TaskOptions, type TaskSpec } from "./types";

/** Byte between the corpus fill and the instance, so the prompt starts on a new line. */
export const FILL_SEPARATOR = 10;

export interface TaskMixOptions {
  /** Documents of the train split; task filler, fill and plain windows all come from them. */
  trainDocs: readonly TokenizedDocument[];
  /** Probability in [0, 1] that a row is a task instance. */
  fraction: number;
  /** Tasks drawn uniformly for task rows; may be empty only when `fraction` is 0. */
  tasks: readonly TaskName[];
  /** Training length; every task must fit in a row of lTrain + 1 tokens. */
  lTrain: number;
  /** Seed mixed into the trainer's per-step generator, so two mixes with other seeds draw other rows. */
  seed: number;
  /** Generator settings (defaults in `DEFAULT_TASK_OPTIONS`); use the suite's to train on the evaluated format. */
  taskOptions?: Partial<TaskOptions>;
}

/** A training instance: the generated instance and its tokens (prompt, answer, end marker). */
export interface TrainingInstance {
  task: TaskName;
  instance: TaskInstance;
  tokens: Int32Array;
}

/** Smallest row a task instance fits in: its shortest prompt, its longest answer and the end marker. */
export function minRowLength(spec: TaskSpec, options: TaskOptions): number {
  return spec.minPromptLength(options) + spec.maxAnswerLength(options) + ANSWER_END.length;
}

/**
 * Draws one training instance of at most `maxLength` tokens: a total length uniform in
 * [minRowLength, maxLength], a prompt sized so that the longest possible answer still fits, keys
 * and numbers from the training partition, filler from `filler`'s documents.
 * @throws ConfigError when `maxLength` is below the task's minimum row.
 */
export function drawTrainingInstance(task: TaskName, filler: FillerSource, rng: Random, maxLength: number, options: TaskOptions): TrainingInstance {
  const spec = getTask(task);
  const minimum = minRowLength(spec, options);
  assert(
    maxLength >= minimum,
    () => mustBe("drawTrainingInstance", "maxLength", `at least ${minimum} tokens for task ${task}`, maxLength, "Use longer windows"),
    ConfigError,
  );
  const length = rng.int(minimum, maxLength);
  const promptLength = length - spec.maxAnswerLength(options) - ANSWER_END.length;
  const instance = spec.generate({ rng, filler, partition: "train", options }, promptLength);
  const tokens = encode(promptOf(instance) + instance.answers[0] + ANSWER_END);
  return { task, instance, tokens };
}

/**
 * Returns a trainer batch source whose rows are task instances with probability `fraction` and
 * plain corpus windows otherwise (layout in this file's header). Rows depend only on the trainer's
 * generator for the step and on `seed`, so a resumed run gets the same batches.
 * @throws ConfigError for an invalid option, or a task that does not fit in lTrain + 1 tokens.
 */
export function taskMixBatchSource(options: TaskMixOptions): BatchSource {
  const where = "taskMixBatchSource";
  const fraction = numberInRange(where, "fraction", options.fraction, 0, 1);
  const lTrain = intInRange(where, "lTrain", options.lTrain, 2);
  const seed = intInRange(where, "seed", options.seed, 0, 2 ** 32 - 1);
  const taskOptions = validateTaskOptions(where, options.taskOptions);
  const tasks = options.tasks.map((name, i) => oneOf(where, `tasks[${i}]`, name, TASK_NAMES));
  assert(
    fraction === 0 || tasks.length > 0,
    () => mustBe(where, "tasks", "a non-empty list when fraction > 0", options.tasks, `Tasks are ${TASK_NAMES.join(", ")}`),
    ConfigError,
  );
  tasks.forEach((task, i) => {
    const minimum = minRowLength(getTask(task), taskOptions);
    assert(
      minimum <= lTrain + 1,
      () => `${where}: tasks[${i}] (${task}) needs rows of at least ${minimum} tokens, got lTrain + 1 = ${lTrain + 1}. Raise lTrain or drop ${task}`,
      ConfigError,
    );
  });
  const longest = options.trainDocs.reduce((most, document) => Math.max(most, document.tokens.length), 0);
  assert(
    longest >= lTrain + 1,
    () => `${where}: trainDocs must include a document of at least lTrain + 1 = ${lTrain + 1} tokens, the longest has ${longest}. Pass the train split`,
    ConfigError,
  );
  const filler = fraction > 0 ? new FillerSource(options.trainDocs) : undefined;

  return (_step, rng, windowLength, batchSize) => {
    const out = new Int32Array(batchSize * windowLength);
    const mixRng = rng.fork(`task-mix:${seed}`);
    for (let b = 0; b < batchSize; b++) {
      const rowRng = mixRng.fork(b);
      const offset = b * windowLength;
      if (filler === undefined || rowRng.next() >= fraction) {
        out.set(sampleWindows(options.trainDocs, windowLength, 1, rowRng), offset);
        continue;
      }
      const task = tasks[rowRng.int(0, tasks.length - 1)];
      const { tokens } = drawTrainingInstance(task, filler, rowRng, windowLength, taskOptions);
      const row = composeTaskRow(tokens, windowLength, (length) => sampleWindows(options.trainDocs, length, 1, rowRng));
      out.set(row, offset);
    }
    return out;
  };
}

/**
 * Lays out one task row of `windowLength` tokens: `fill(n)` corpus tokens, a newline, then the
 * instance tokens, right-aligned (see the layout in this file's header). `fill` is not called when
 * the instance leaves no more than the newline's room.
 * @throws ConfigError when the instance is longer than the window.
 */
export function composeTaskRow(instance: Int32Array, windowLength: number, fill: (length: number) => Int32Array): Int32Array {
  const gap = windowLength - instance.length;
  assert(gap >= 0, () => mustBe("composeTaskRow", "instance length", `at most windowLength = ${windowLength}`, instance.length), ConfigError);
  const row = new Int32Array(windowLength);
  if (gap > 1) row.set(fill(gap - 1), 0);
  if (gap > 0) row[gap - 1] = FILL_SEPARATOR;
  row.set(instance, gap);
  return row;
}
