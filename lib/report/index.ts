/** Figures, tables and page templates for the study notebooks and their HTML reports. */

export * from "./display";
export * from "./html";
export * from "./plotly";
export * from "./tables";
// study.ts is imported on its own (lib/report/study): it loads the experiment layer and tfjs.
