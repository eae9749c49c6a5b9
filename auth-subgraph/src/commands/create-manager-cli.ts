import { runCreateManager } from './create-manager.js';

/**
 * The create-manager command as a process: `npm run create-manager -- …` runs it from the
 * sources (scripts/create-manager.ts), `npm start` from auth's build, for the demo manager.
 */
process.exitCode = await runCreateManager(process.argv.slice(2));
