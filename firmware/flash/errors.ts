/**
 * Every way a flash can fail, as one closed set of kinds. Each error says what happened and
 * what to do about it; the CLI prints `message` and then `hint`.
 */
export type FlashErrorKind =
  | 'no-port'
  | 'several-ports'
  | 'port-missing'
  | 'busy-port'
  | 'permission-denied'
  | 'not-espruino'
  | 'no-bootloader'
  | 'board-stopped'
  | 'rejected-bundle'
  | 'too-big'
  | 'verify-failed'
  | 'board-error'
  /** The config's board is not an Espruino: it is not flashed with a bundle. */
  | 'not-espruino-config';

export class FlashError extends Error {
  override readonly name = 'FlashError';

  constructor(
    readonly kind: FlashErrorKind,
    message: string,
    /** What the user should do next. */
    readonly hint: string,
  ) {
    super(message);
  }

  /** Message and hint, as the CLI prints them. */
  describe(): string {
    return `${this.message}\n${this.hint}`;
  }
}

/** Turns a serial port open error into what it means for the user. */
export function portOpenError(path: string, error: Error): FlashError {
  const text = error.message;
  if (/locked|Cannot lock port|Resource temporarily unavailable|EBUSY/i.test(text)) {
    return new FlashError(
      'busy-port',
      `Serial port ${path} is busy: another program has it open (${text}).`,
      'Close the other program using it (a serial monitor, the Espruino Web IDE, a running ' +
        '`fullstack up` gateway, screen or minicom), then try again. `fuser ' +
        `${path}\` shows which process holds it.`,
    );
  }
  if (/Permission denied|EACCES/i.test(text)) {
    return new FlashError(
      'permission-denied',
      `Not allowed to open serial port ${path} (${text}).`,
      'Add your user to the group that owns the port (usually `dialout`: ' +
        '`sudo usermod -aG dialout $USER`, then log in again), or run with sudo.',
    );
  }
  if (/does not exist|No such file|ENOENT|cannot open/i.test(text)) {
    return new FlashError(
      'port-missing',
      `Serial port ${path} does not exist (${text}).`,
      'Check the cable and run `fullstack ports` to see the ports present now.',
    );
  }
  return new FlashError(
    'port-missing',
    `Could not open serial port ${path}: ${text}.`,
    'Run `fullstack ports` to check the port, replug the board, and try again.',
  );
}
