import fc from "fast-check";

// CI runs the properties from a fixed seed, so a run that passed once passes again; local runs
// draw a fresh seed each time (fast-check prints it with any failure, to replay it).
if (process.env.CI) fc.configureGlobal({ seed: 20261127 });
