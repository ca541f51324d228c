// How an optimiser or a schedule was made (its constructor and options), so that equal ones made
// apart — `adam({ lr: 0.02 })` in two `fit` calls — share one built and compiled training step.

const recipes = new WeakMap<object, string>();

/**
 * Records that `made` came from `name` with `args`, and returns it. Arguments holding a function
 * without a recipe (a hand-written schedule) leave `made` unrecorded: it is then known by identity.
 */
export function recorded<T extends object>(made: T, name: string, ...args: readonly unknown[]): T {
  let known = true;
  const text = JSON.stringify([name, ...args], (_key, v: unknown) => {
    if (typeof v !== "function") return v;
    const r = recipes.get(v);
    if (r === undefined) known = false;
    return r ?? null;
  });
  if (known) recipes.set(made, text);
  return made;
}

/** The recipe of an optimiser or schedule, if it has one. */
export const recipeOf = (made: object): string | undefined => recipes.get(made);
