/**
 * The core's PinIO on a Firmata board (an Arduino running StandardFirmata, or the virtual one),
 * driven by johnny-five with firmata-io over a serialport 13 port. johnny-five owns the board's
 * lifecycle (handshake, ready, timeout); the IO plugin (firmata-io) carries the pin traffic.
 *
 * Firmata reports inputs as they change (digital) or every sampling interval (analog), so reads
 * answer from the last report; a pin that never reported is an error, not a zero.
 */
import type { EventEmitter } from 'node:events';
import firmataIo, { type Firmata } from 'firmata-io';
import five from 'johnny-five';
import type { BoardProfile } from '../../hardware/config/types.js';
import type { PinIO } from '../core/types.js';
import { createPluginPinIO } from './plugin-pin-io.js';

/** What firmata-io needs of a port: a duplex stream with open/close events (a SerialPort). */
export interface SerialLike extends EventEmitter {
  write(data: Buffer | number[]): boolean;
  close(callback?: (error?: Error | null) => void): void;
  isOpen: boolean;
}

export interface FirmataIOOptions {
  port: SerialLike;
  board: BoardProfile;
  /** How long to wait for the board's handshake, ms (johnny-five's timeout). */
  timeoutMs?: number;
  /** Firmata analog sampling interval, ms (StandardFirmata's default is 19). */
  samplingMs?: number;
  /** Called when the board goes away (unplugged, port closed). */
  onDisconnect?: (reason: string) => void;
}

export interface FirmataConnection {
  io: PinIO;
  firmata: Firmata;
  close(): Promise<void>;
}

export function openFirmataIO(options: FirmataIOOptions): Promise<FirmataConnection> {
  const firmata = new firmataIo.Firmata(options.port, { reportVersionTimeout: 2000 });
  const board = new five.Board({
    io: firmata,
    repl: false,
    debug: false,
    sigint: false,
    timeout: options.timeoutMs ?? 10_000,
  });
  return new Promise((resolve, reject) => {
    const fail = (error: Error) =>
      reject(new Error(`Firmata board on the serial port: ${error.message}`));
    board.once('error', fail);
    board.once('ready', () => {
      board.off('error', fail);
      if (options.samplingMs) firmata.setSamplingInterval(options.samplingMs);
      const onGone = (reason: string) => () => options.onDisconnect?.(reason);
      firmata.on('disconnect', onGone('unplugged'));
      firmata.on('close', onGone('port closed'));
      // An 'error' with no listener would throw and take the whole process (the gateway) down:
      // a serial error after the handshake means the board is gone for us.
      const onError = (error: Error) => options.onDisconnect?.(`serial error: ${error.message}`);
      board.on('error', onError);
      firmata.on('error', onError);
      resolve({
        io: createPluginPinIO(firmata, options.board, { pinKey: (pin) => Number(pin.id) }),
        firmata,
        close: () =>
          new Promise<void>((done) => {
            if (!options.port.isOpen) return done();
            options.port.close(() => done());
          }),
      });
    });
  });
}
