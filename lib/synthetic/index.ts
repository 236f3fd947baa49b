export * from "./tasks";
export * from "./model";
export * from "./train";
export * from "./evaluate";
export * from "./presets";
export * from "./experiment";
export * from "./summary";
export * from "./plots";
