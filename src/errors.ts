/** An error with a machine-readable code, shown to users as one clear line. */
export class WaymarkError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WaymarkError';
  }
}
