/**
 * A progress bar for long CLI commands, on stderr (stdout may carry the command's output): drawn in
 * place on a terminal, at most every 100 ms; silent when stderr is not a terminal (logs, pipes),
 * unless MCRIT_PROGRESS=1 asks for it.
 */
const WIDTH = 30;
const REDRAW_MS = 100;

export class ProgressBar {
  private drawnAt = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = stream.isTTY === true || process.env['MCRIT_PROGRESS'] === '1';
  }

  /** `fraction` 0..1 of the work done; `detail` says what (e.g. "120 of 4,000 samples"). */
  update(fraction: number, detail = ''): void {
    const now = Date.now();
    if (!this.enabled || now - this.drawnAt < REDRAW_MS) return;
    this.drawnAt = now;
    this.draw(fraction, detail);
  }

  /** Draws the full bar and ends its line. */
  done(detail = ''): void {
    if (!this.enabled) return;
    this.draw(1, detail);
    this.stream.write('\n');
  }

  private draw(fraction: number, detail: string): void {
    const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const filled = Math.round(clamped * WIDTH);
    const percent = `${Math.floor(clamped * 100)}%`.padStart(4);
    this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${percent}${detail ? ` ${detail}` : ''}\x1b[K`);
  }
}
