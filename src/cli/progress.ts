/**
 * A progress bar for long CLI jobs: redrawn in place on a terminal, a plain line per step of 10 %
 * otherwise (logs and CI keep a readable record instead of carriage returns).
 */
export class ProgressBar {
  private lastLabel = '';
  private lastTenth = -1;
  private readonly startedAt = performance.now();

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(label: string, done: number, total: number): void {
    const share = total > 0 ? Math.min(1, done / total) : 1;
    if (this.out.isTTY) {
      const width = 30;
      const filled = Math.round(share * width);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
      const secs = ((performance.now() - this.startedAt) / 1000).toFixed(1);
      this.out.write(`\r${label.padEnd(13)} [${bar}] ${String(Math.round(share * 100)).padStart(3)}% ${done}/${total}  ${secs}s\x1b[K`);
      if (label !== this.lastLabel && this.lastLabel !== '') this.lastTenth = -1;
      this.lastLabel = label;
      if (share >= 1) this.out.write('\n');
      return;
    }
    if (label !== this.lastLabel) {
      this.lastLabel = label;
      this.lastTenth = -1;
    }
    const tenth = Math.floor(share * 10);
    if (tenth !== this.lastTenth) {
      this.lastTenth = tenth;
      this.out.write(`${label}: ${done}/${total} (${tenth * 10}%)\n`);
    }
  }
}
