// Progress for long work: a cli-progress bar with rate and ETA on a TTY, plain periodic lines otherwise
// (logs, CI). Everything goes to stderr so stdout stays clean for results.
import cliProgress from 'cli-progress';

export interface Progress {
  /** `n` more items done */
  tick(n?: number): void;
  /** a message that must not be torn by the bar (warnings) */
  log(line: string): void;
  /** finish: leave the bar / print the last line (`ok` false: after a failure, no summary line) */
  stop(ok?: boolean): void;
}

export interface ProgressOptions {
  /** default process.stderr */
  stream?: NodeJS.WriteStream;
  /** force the bar (true) or plain lines (false); default: bar when the stream is a TTY */
  tty?: boolean;
  /** plain mode: at most one line per interval (default 5000 ms) */
  intervalMs?: number;
  /** unit for the rate (default 'it') */
  unit?: string;
  /** no output at all */
  quiet?: boolean;
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export function createProgress(label: string, total: number, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const unit = opts.unit ?? 'it';
  const t0 = Date.now();
  let done = 0;
  const rate = () => { const s = (Date.now() - t0) / 1000; return s > 0 ? done / s : 0; };
  if (opts.quiet) return { tick: (n = 1) => { done += n; }, log: (l) => { stream.write(l + '\n'); }, stop: () => {} };

  if (opts.tty ?? stream.isTTY === true) {
    const bar = new cliProgress.SingleBar({
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate} ${unit}/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 64,
      fps: 10,
      clearOnComplete: false,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { rate: '0.0' });
    let stopped = false;
    return {
      tick: (n = 1) => { done += n; bar.update(done, { rate: rate().toFixed(1) }); },
      log: (line) => {
        // cli-progress redraws on the current line: clear it, print, redraw.
        stream.write('\r\x1b[K' + line + '\n');
        bar.render();
      },
      stop: () => { if (!stopped) { stopped = true; bar.update(done, { rate: rate().toFixed(1) }); bar.stop(); } },
    };
  }

  const interval = opts.intervalMs ?? 5000;
  let last = t0;
  const line = () => {
    const r = rate();
    const pct = total > 0 ? ((100 * done) / total).toFixed(1) : '100.0';
    const eta = r > 0 ? formatDuration((total - done) / r) : '?';
    stream.write(`${label}: ${done}/${total} (${pct}%), ${r.toFixed(1)} ${unit}/s, ETA ${eta}\n`);
  };
  let stopped = false;
  return {
    tick: (n = 1) => {
      done += n;
      const now = Date.now();
      if (now - last >= interval) { last = now; line(); }
    },
    log: (l) => { stream.write(l + '\n'); },
    stop: (ok = true) => {
      if (stopped) return;
      stopped = true;
      if (!ok) return;
      const s = (Date.now() - t0) / 1000;
      stream.write(`${label}: ${done}/${total} done in ${formatDuration(s)} (${rate().toFixed(1)} ${unit}/s)\n`);
    },
  };
}
