// The worker processes of one job (the --nproc launcher, the grid's worker pool): when one fails, or the
// parent gets Ctrl-C (SIGINT) or SIGTERM, every other one is stopped: SIGTERM first, SIGKILL after a grace
// period, so a worker stuck in a collective or a kernel cannot hang the parent.
import type { ChildProcess } from 'node:child_process';

export class ChildGroup {
  readonly children: ChildProcess[] = [];
  #stopping = false;
  #killTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #onSignal: (signal: NodeJS.Signals) => void;

  /** `onSignal` runs when the parent gets SIGINT or SIGTERM (every child is then stopped). */
  constructor(private readonly graceMs: number, onSignal: (signal: NodeJS.Signals) => void) {
    this.#onSignal = (signal) => {
      onSignal(signal);
      this.stopAll();
    };
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  add(child: ChildProcess): ChildProcess {
    this.children.push(child);
    return child;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Stops every running child: SIGTERM now, SIGKILL after the grace period. */
  stopAll(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    const running = () => this.children.filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of running()) c.kill('SIGTERM');
    this.#killTimer = setTimeout(() => {
      for (const c of running()) c.kill('SIGKILL');
    }, this.graceMs);
  }

  /** After every child exited: the timer and the signal handlers go. */
  dispose(): void {
    if (this.#killTimer) clearTimeout(this.#killTimer);
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}
