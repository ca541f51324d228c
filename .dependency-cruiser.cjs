// Layering rules, checked by `pnpm deps` (part of `pnpm test`). Imports point backwards along the
// pipeline (the pipeline of docs/concepts.md): core's stages import only their own and earlier stages; core never
// imports the other packages; datasets never imports nn. Each stage below lists the folders of
// packages/core/src it holds and the stages it may import.
const CORE = "^packages/core/src/";
const stages = {
  // Concrete values: dtypes, shapes (also as types), tensors.
  values: { folders: ["tensor", "shape"], may: [] },
  // The graph layer: nodes, the op list, composites and random keys. Mutually dependent by design:
  // a node names its op, rules are written with ops and composites, keys are composites.
  graph: { folders: ["graph", "ops", "math", "random"], may: ["values"] },
  // Transformations of graphs.
  transform: { folders: ["autodiff", "simplify", "print"], may: ["values", "graph"] },
  testing: { folders: ["testing"], may: ["values", "graph", "transform"] },
  // Planning knows nothing of how kernels run, nor of the transformations.
  compile: { folders: ["compile/(?!compile\\.ts$)"], may: ["values", "graph"] },
  backends: { folders: ["backends"], may: ["values", "graph", "compile"] },
  // compile(): picks a backend, the one file of compile/ that sees them.
  entry: { folders: ["compile/compile\\.ts$"], may: ["values", "graph", "compile", "backends"] },
};
const pathOf = (name) => `${CORE}(${stages[name].folders.join("|")})`;
const stageRules = Object.entries(stages).map(([name, stage]) => ({
  name: `core-${name}`,
  comment: `core's ${name} stage (${stage.folders.join(", ")}) imports only ${["itself", ...stage.may].join(", ")}`,
  severity: "error",
  from: { path: pathOf(name) },
  to: { path: CORE, pathNot: [pathOf(name), ...stage.may.map(pathOf), `${CORE}index\\.ts$`].join("|") },
}));

module.exports = {
  forbidden: [
    ...stageRules,
    {
      name: "graph-types-only-from-ops",
      comment: "graph/ sees the op list only as types (a node names its op), except the reference evaluator, which runs each node's primitive",
      severity: "error",
      from: { path: `${CORE}graph/`, pathNot: `${CORE}graph/evaluate\\.ts$` },
      to: { path: `${CORE}ops/`, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "core-imports-no-package",
      comment: "core depends on no other package of the workspace",
      severity: "error",
      from: { path: "^packages/core/src/" },
      to: { path: "(^packages/(nn|datasets|onnx)/)|(@typegrad/(nn|datasets|onnx))" },
    },
    {
      name: "datasets-imports-core-only",
      comment: "datasets depends on core (for Tensor) and nothing else of the workspace",
      severity: "error",
      from: { path: "^packages/datasets/" },
      to: { path: "(^packages/(nn|onnx)/)|(@typegrad/(nn|onnx))" },
    },
    {
      name: "nn-imports-core-only",
      comment: "nn depends on core only",
      severity: "error",
      from: { path: "^packages/nn/" },
      to: { path: "(^packages/(datasets|onnx)/)|(@typegrad/(datasets|onnx))" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { conditionNames: ["@typegrad/source", "import", "node", "default"], exportsFields: ["exports"] },
  },
};
