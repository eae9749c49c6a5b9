/** `npm run create-manager -- --email E --password P [--username U]`; the command lives in the auth subgraph. */
import '../auth-subgraph/src/commands/create-manager-cli.js';
