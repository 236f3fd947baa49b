/** Headless notebook execution over the Jupyter protocol, and notebook → HTML rendering. */

export * from "./execute";
export * from "./format";
export * from "./kernel";
export * from "./markdown";
export * from "./render";
export * from "./reports";
export * from "./build";
