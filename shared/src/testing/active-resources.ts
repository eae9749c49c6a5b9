/**
 * What keeps a process alive (sockets, timers, child processes), by kind, as
 * `process.getActiveResourcesInfo()` names them.
 */
export function activeResources(): string[] {
  return process.getActiveResourcesInfo();
}

/**
 * The resources active now that were not active at `before` (a snapshot from
 * `activeResources()`), after waiting up to `withinMs` for them to go: an empty list means
 * whatever was built and closed in between left nothing behind. Kinds are compared as a
 * multiset, so one leaked timer among several of the test's own is still found.
 */
export async function resourcesLeftSince(before: readonly string[], withinMs = 3000): Promise<string[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const extra = [...activeResources()];
    for (const kind of before) {
      const index = extra.indexOf(kind);
      if (index !== -1) extra.splice(index, 1);
    }
    if (extra.length === 0 || Date.now() > deadline) return extra;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
