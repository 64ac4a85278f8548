import cliProgress from 'cli-progress';
import { log } from '../log.js';

/** Progress of a long job: a bar per step on a terminal, structured log lines otherwise. */
export interface Progress {
  update(step: string, done: number, total: number): void;
  stop(): void;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? new BarProgress(label, stream) : new LogProgress(label);
}

class BarProgress implements Progress {
  private bar: cliProgress.SingleBar | undefined;
  private step = '';

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream,
  ) {}

  update(step: string, done: number, total: number): void {
    if (step !== this.step || !this.bar) {
      this.bar?.stop();
      this.step = step;
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: `${this.label} ${step.padEnd(10)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(Math.max(total, 1), 0);
    }
    this.bar.setTotal(Math.max(total, 1));
    this.bar.update(done);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

class LogProgress implements Progress {
  private step = '';
  private lastDecile = -1;
  private readonly started = Date.now();

  constructor(private readonly label: string) {}

  update(step: string, done: number, total: number): void {
    const decile = total > 0 ? Math.floor((done / total) * 10) : 0;
    if (step === this.step && decile === this.lastDecile) return;
    this.step = step;
    this.lastDecile = decile;
    log.info(
      { job: this.label, step, done, total, percent: total > 0 ? Math.round((done / total) * 100) : null, elapsedS: (Date.now() - this.started) / 1000 },
      'progress',
    );
  }

  stop(): void {}
}
