/** The element with this id; a missing one is a bug in the page. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page: no element #${id}`);
  return el as T;
}
