// @ts-check
/**
 * Preloaded (`--import`) into every service `npm start` runs: the supervisor holds the write
 * end of this process's stdin, so its end means the supervisor is gone, even killed with
 * SIGKILL, which it cannot catch to stop its children. The service then stops itself as on a
 * plain SIGTERM (graceful close, exit 0), instead of living on, orphaned, holding its port.
 * Linux's prctl(PR_SET_PDEATHSIG) would do this in one call, but Node does not expose it.
 * Plain JavaScript: it is preloaded into services run from their build too, where no
 * TypeScript loader is present.
 */
const stopWithParent = () => {
  process.kill(process.pid, 'SIGTERM');
};

if (!process.stdin.isTTY) {
  process.stdin.once('end', stopWithParent);
  process.stdin.once('error', stopWithParent);
  process.stdin.resume();
  // Watching must not by itself keep a service alive that has closed everything else.
  process.stdin.unref();
}
