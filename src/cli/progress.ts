// The one progress reporter of the CLI: on a terminal a cli-progress bar (drawn on stderr, with an ETA);
// elsewhere (a pipe, CI, a log file) plain lines, so logs stay readable. Commands say what a step is
// (an epoch, a batch, a run) and what to print; this file says how.
import cliProgress from 'cli-progress';

export interface Progress {
  /** Moves the bar to `value` of `total` (starting it when it is not drawn); off a terminal writes `plain` when given. */
  update(total: number, value: number, payload: Record<string, unknown>, plain?: string): void;
  /** A line of its own (the bar, if drawn, ends first). */
  line(text: string): void;
  /** Ends the bar (idempotent). */
  stop(): void;
}

/** A reporter drawing `format` (cli-progress tokens: {bar}, {value}, {total}, {eta_formatted}, payload keys). */
export function progressReporter(format: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    return {
      update: (_total, _value, _payload, plain) => {
        if (plain !== undefined) stream.write(plain.endsWith('\n') ? plain : `${plain}\n`);
      },
      line: (text) => stream.write(text.endsWith('\n') ? text : `${text}\n`),
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar({ stream, format, hideCursor: true, fps: 10 }, cliProgress.Presets.shades_classic);
  let running = false;
  const stop = () => {
    if (running) bar.stop();
    running = false;
  };
  return {
    update: (total, value, payload) => {
      if (!running) {
        bar.start(total, Math.max(0, value - 1), payload);
        running = true;
      }
      bar.update(value, payload);
    },
    line: (text) => {
      stop();
      stream.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    stop,
  };
}
