import { runCreateManager } from '@dishpatch/auth-subgraph/commands';

/** `npm run create-manager -- --email E --password P [--username U]`; the logic lives in the auth subgraph. */
process.exitCode = await runCreateManager(process.argv.slice(2));
