/** The throw-away PostgreSQL cluster the job-store tests run against (shared with `waymark bench jobs`). */
export { freePort, startPgCluster, type PgCluster } from '../bench/pg-cluster.js';
