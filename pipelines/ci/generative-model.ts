/**
 * Prints an environment's generative model (stacks/environments, `inference.generativeModel`), or nothing when it
 * serves none, so a workflow step can run the streaming k6 script against the model the data names:
 *   GENERATE_MODEL=$(npx tsx pipelines/ci/generative-model.ts staging)
 */
import { loadEnvironment } from '../../stacks/environments/index.js';

const name = process.argv[2];
if (!name) {
  console.error('usage: tsx pipelines/ci/generative-model.ts <environment>');
  process.exit(2);
}
try {
  process.stdout.write(loadEnvironment(name).inference.generativeModel ?? '');
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
