/**
 * `npm run rehearse -- --canary=healthy|slow|failing`: runs the local rehearsal and exits 0 only when the outcome
 * matches the expectation (default: healthy → promote, slow/failing → rollback). Ctrl-C stops everything started.
 */
import { ProcessGroup } from '../lib/processes.js';
import { parseRehearsalArgs, usage, type RehearsalOptions } from './options.js';
import { rehearse } from './rehearse.js';
import { writeRehearsal } from './summary.js';

const log = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

let options: RehearsalOptions;
try {
  options = parseRehearsalArgs(process.argv.slice(2));
} catch (error) {
  console.error(`rehearse: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
  process.exit(2);
}

const group = new ProcessGroup((name, code) => log(`rehearsal: WARNING ${name} exited unexpectedly (${code}); see its log`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`rehearsal: ${signal}, stopping everything started`);
    group.stopAll(2000).finally(() => process.exit(130));
  });
}

try {
  const result = await rehearse(options, log, group);
  const files = await writeRehearsal(options.reportDir, result);
  for (const e of result.expectations) log(`${e.ok ? 'ok  ' : 'FAIL'} ${e.what}`);
  log(`report: ${files.join(', ')}`);
  process.exit(result.passed ? 0 : 1);
} catch (error) {
  console.error(`rehearse: ${error instanceof Error ? error.message : String(error)}`);
  await group.stopAll(2000);
  process.exit(2);
}
