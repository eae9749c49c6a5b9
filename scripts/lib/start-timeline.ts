import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** One moment of `npm start`: what had just happened, in ms since the start script's process began. */
export interface TimelineMark {
  phase: string;
  atMs: number;
}

/** What DISHPATCH_START_TIMELINE receives: the marks, and when the process began (epoch ms), to line them up with other clocks. */
export interface StartTimeline {
  processStartedAtEpochMs: number;
  marks: TimelineMark[];
}

const marks: TimelineMark[] = [];

/** Notes that `phase` has just happened (cheap: always kept, written only when asked for). */
export function mark(phase: string): void {
  marks.push({ phase, atMs: performance.now() });
}

/** Writes the marks so far as JSON to the file DISHPATCH_START_TIMELINE names (`npm run bench:start` sets it); nothing when unset. */
export function writeTimelineIfAsked(): void {
  const path = process.env['DISHPATCH_START_TIMELINE'];
  if (!path) return;
  const timeline: StartTimeline = { processStartedAtEpochMs: performance.timeOrigin, marks };
  writeFileSync(path, `${JSON.stringify(timeline, null, 2)}\n`);
}
