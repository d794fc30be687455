// Starts the e2e stack and keeps it up until Ctrl-C (for looking at the dashboard by hand):
//   node e2e/scripts/stack.mjs   → prints the dashboard URL and an admin token
import { startStack } from '../lib/stack.mjs';

const stack = await startStack();
console.log(JSON.stringify({ webUrl: stack.webUrl, apiUrl: stack.apiUrl, token: stack.token, database: stack.databaseUrl }));
const stop = async () => {
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
