// Parameter trees: readonly records whose leaves are tensors (values) or expressions (graph
// nodes). Paths join keys with dots, as PyTorch's state_dict does ("0.weight", "1.fc1.bias").
import { Expr, Tensor, ValueError, describeValue } from "@typegrad/core";

/** A leaf of a parameter tree: a value or a graph node. */
export type Leaf = Tensor | Expr;

/** A readonly record tree with leaves of type L. */
export type Tree<L extends Leaf = Leaf> = { readonly [name: string]: L | Tree<L> };

/** Parameters (or buffers) as values. */
export type Params = Tree<Tensor>;

/** Parameters (or buffers) as graph nodes, as `apply` sees them. */
export type Vars = Tree<Expr>;

/** The leaves of a tree: tensors, expressions, or either (for a typed tree, its own leaves are found by shape). */
export type LeafIn<T> = T extends Tree<Tensor> ? Tensor : T extends Tree<Expr> ? Expr : Leaf;

const isLeaf = (v: unknown): v is Leaf => v instanceof Tensor || v instanceof Expr;

/**
 * Maps every leaf with `f`, which also receives the leaf's dotted path.
 * @example
 * mapTree(params, (t) => constant(t));
 */
export function mapTree<T extends Tree, B extends Leaf>(tree: T, f: (leaf: LeafIn<T>, path: string) => B, prefix?: string): Tree<B>;
export function mapTree<B extends Leaf>(tree: Tree, f: (leaf: Leaf, path: string) => B, prefix = ""): Tree<B> {
  checkTree(tree, prefix);
  const out: Record<string, B | Tree<B>> = {};
  for (const [name, v] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${name}` : name;
    out[name] = isLeaf(v) ? f(v, path) : mapTree(v, f, path);
  }
  return out;
}

/** Checks that a subtree is a plain record (not a model, an array or a number), with a hint for the usual mix-ups. */
function checkTree(tree: unknown, path: string): void {
  const record = typeof tree === "object" && tree !== null ? (tree as Record<string, unknown>) : undefined;
  const model = typeof record?.init === "function" && typeof record.apply === "function";
  const proto: unknown = record === undefined ? undefined : Object.getPrototypeOf(record);
  if (!model && (proto === Object.prototype || proto === null)) return;
  const where = path ? ` at "${path}"` : "";
  const got = model ? "a model (a layer with init and apply)" : describeValue(tree);
  const hint = model ? "pass its parameters, model.init(key), instead" : Array.isArray(tree) ? "wrap values with tensor(values)" : undefined;
  throw new ValueError("params", `a record of Tensors (or Exprs)${where}`, got, hint);
}

/**
 * The leaves by dotted path, in insertion order (the order of a PyTorch state_dict).
 * @example
 * flatten({ 0: { weight: w, bias: b } });   // { "0.weight": w, "0.bias": b }
 */
export function flatten<T extends Tree>(tree: T): Record<string, LeafIn<T>>;
export function flatten(tree: Tree): Record<string, Leaf> {
  const out: Record<string, Leaf> = {};
  mapTree(tree, (leaf: Leaf, path) => (out[path] = leaf));
  return out;
}

/** Rebuilds a tree like `like` from leaves by dotted path; throws on a missing path. */
export function unflatten<B extends Leaf>(like: Tree, flat: Readonly<Record<string, B>>): Tree<B> {
  return mapTree(like, (_leaf: Leaf, path) => {
    const v = flat[path];
    if (v === undefined) throw new ValueError("unflatten", `a leaf for "${path}"`, "none");
    return v;
  });
}

/** The leaf at `name` of a tree, which must be a leaf (layers use it to read their parameters). */
export function leaf<L extends Leaf>(tree: Tree<L>, name: string, op: string): L {
  const v = tree[name];
  if (!isLeaf(v)) throw new ValueError(op, `a parameter "${name}"`, v === undefined ? "none" : "a subtree", "pass the params made by this layer's init");
  return v;
}

/** The subtree at `name`, or an empty tree when it is absent. */
export function subtree<L extends Leaf>(tree: Tree<L>, name: string): Tree<L> {
  const v = tree[name];
  if (v === undefined) return {};
  if (isLeaf(v)) throw new ValueError("subtree", `a subtree at "${name}"`, "a leaf");
  return v;
}
