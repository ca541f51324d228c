// A one-line progress display: redrawn in place on a terminal, one line per epoch otherwise
// (logs and CI output stay readable).

/** Where progress goes: a terminal-aware writer, or a function receiving finished lines. */
export interface ProgressSink {
  /** Shows the current state of an epoch (throttled; terminal only). */
  readonly update: (line: string) => void;
  /** Prints a finished line. */
  readonly done: (line: string) => void;
}

/** Progress on standard output: redrawn with a carriage return on a TTY, finished lines only otherwise. */
export function stdoutProgress(): ProgressSink {
  const out = typeof process === "undefined" ? undefined : process.stdout;
  const tty = out?.isTTY === true;
  let last = 0;
  return {
    update: (line) => {
      if (!tty || !out) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      out.write(`\r${line.slice(0, (out.columns ?? 100) - 1)}\x1b[K`);
    },
    done: (line) => {
      if (out) out.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
      else console.log(line);
    },
  };
}

/** A sink that passes finished lines to `log` (and ignores updates). */
export const lineProgress = (log: (line: string) => void): ProgressSink => ({ update: () => undefined, done: log });

/** `[#####-----]` for a fraction in [0, 1]. */
export function bar(fraction: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}
