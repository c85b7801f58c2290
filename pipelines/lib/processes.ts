/**
 * Child processes that must not outlive their owner: every process started through a `ProcessGroup` is stopped
 * by `stopAll()` (SIGTERM, then SIGKILL after a grace period), which the rehearsal also wires to Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface StartOptions {
  /** Short name used in messages and for the log file. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** File receiving stdout and stderr; without it output is discarded. */
  readonly logFile?: string;
}

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
}

export class ProcessGroup {
  private readonly started: Started[] = [];
  private readonly stopping = new Set<Started>();
  private readonly history: Started[] = [];

  /**
   * @param onUnexpectedExit called when a process ends without `stop()`: a crash, or a signal from outside (a
   *   rehearsal whose stable instance was killed by something else must say so rather than blame the canary).
   */
  constructor(private readonly onUnexpectedExit?: (name: string, code: number | string) => void) {}

  start(options: StartOptions): Started {
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (options.logFile) {
      const log = createWriteStream(options.logFile, { flags: 'a' });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
    } else {
      child.stdout?.resume();
      child.stderr?.resume();
    }
    const exited = new Promise<number | string>((resolve) => {
      child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
      child.on('error', (error) => resolve(`failed to start: ${error.message}`));
    });
    const entry = { name: options.name, child, exited };
    this.started.push(entry);
    this.history.push(entry);
    void exited.then((code) => {
      if (!this.stopping.has(entry)) this.onUnexpectedExit?.(options.name, code);
    });
    return entry;
  }

  /** Stops one process and its children (it runs in its own process group). */
  async stop(entry: Started, graceMs = 5000): Promise<void> {
    this.stopping.add(entry);
    if (entry.child.exitCode !== null || entry.child.signalCode !== null) return;
    signalGroup(entry.child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(entry.child, 'SIGKILL'), graceMs);
    await entry.exited;
    clearTimeout(timer);
  }

  /** Names of every process ever started here, and of those still running. */
  status(): { readonly started: readonly string[]; readonly running: readonly string[] } {
    const running = this.history.filter((e) => e.child.exitCode === null && e.child.signalCode === null);
    return { started: this.history.map((e) => e.name), running: running.map((e) => e.name) };
  }

  /** Stops everything started, most recent first (clients before servers, servers before their stores). */
  async stopAll(graceMs = 5000): Promise<void> {
    const all = this.started.splice(0).reverse();
    await Promise.all(all.map((entry) => this.stop(entry, graceMs)));
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
