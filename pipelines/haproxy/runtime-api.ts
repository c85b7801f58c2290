/**
 * A client for HAProxy's runtime API over its stats socket (https://docs.haproxy.org/2.6/management.html#9.3):
 * one command per connection, the answer is everything HAProxy writes before closing.
 */
import { createConnection } from 'node:net';

export async function runtimeCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path: socketPath });
    let answer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5000, () => socket.destroy(new Error(`HAProxy runtime API timed out on "${command}"`)));
    socket.on('connect', () => socket.write(`${command}\n`));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', (error) => reject(new Error(`HAProxy runtime API at ${socketPath}: ${error.message}`)));
    socket.on('end', () => resolve(answer.trim()));
  });
}

/** `set weight backend/server N`, then `get weight` to prove it took; throws when HAProxy disagrees. */
export async function setServerWeight(socketPath: string, backend: string, server: string, weight: number): Promise<void> {
  const answer = await runtimeCommand(socketPath, `set weight ${backend}/${server} ${weight}`);
  if (answer !== '') throw new Error(`set weight ${backend}/${server} ${weight}: HAProxy answered "${answer}"`);
  const current = await getServerWeight(socketPath, backend, server);
  if (current !== weight) throw new Error(`weight of ${backend}/${server} is ${current} after setting ${weight}`);
}

/** Current weight of a server; the answer looks like "20 (initial 80)". */
export async function getServerWeight(socketPath: string, backend: string, server: string): Promise<number> {
  const answer = await runtimeCommand(socketPath, `get weight ${backend}/${server}`);
  const match = /^(\d+) \(initial \d+\)$/.exec(answer);
  if (!match) throw new Error(`get weight ${backend}/${server}: unexpected answer "${answer}"`);
  return Number(match[1]);
}

/** Health status of a server from `show stat` (UP, DOWN, MAINT, "UP 1/2" while rising, ...). */
export async function serverStatus(socketPath: string, backend: string, server: string): Promise<string> {
  return (await serverStats(socketPath, backend, server))['status'] ?? 'unknown';
}

/**
 * One server's row of `show stat`, keyed by column name (`status`, `check_status` such as L7OK or L4TOUT,
 * `check_duration` of the last check in ms, `chkfail`, ...; https://docs.haproxy.org/2.6/management.html#9.1).
 */
export async function serverStats(socketPath: string, backend: string, server: string): Promise<Readonly<Record<string, string>>> {
  const csv = await runtimeCommand(socketPath, 'show stat');
  const header = (csv.split('\n')[0] ?? '').replace(/^# /, '').split(',');
  for (const line of csv.split('\n').slice(1)) {
    const fields = line.split(',');
    if (fields[0] === backend && fields[1] === server) return Object.fromEntries(header.map((name, i) => [name, fields[i] ?? '']));
  }
  throw new Error(`show stat has no server ${backend}/${server}`);
}
