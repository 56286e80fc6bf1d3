import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Closes, from the server side, every RabbitMQ connection whose client properties carry this
 * connection name (as `rabbitmqctl close_connection` does for an operator). Returns how many.
 */
export async function closeConnectionsNamed(connectionName: string): Promise<number> {
  // The tab-separated listing gives pids in the `<rabbit@host.N.N.N>` form close_connection takes.
  const { stdout } = await run('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '--quiet', '--no-table-headers'], {
    timeout: 30_000,
  });
  const pids = stdout
    .split('\n')
    .filter((line) => line.includes(connectionName))
    .map((line) => line.split('\t')[0].trim());
  for (const pid of pids) await run('rabbitmqctl', ['close_connection', pid, 'fault injected by a test'], { timeout: 30_000 });
  return pids.length;
}
