// Worker threads start from plain JavaScript: Node 20 does not apply the parent's --import hooks to a worker's
// entry file. Register tsx here, then load the TypeScript worker named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
