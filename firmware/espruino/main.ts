/**
 * The Espruino bundle's entry: join the network, then start the core with Espruino's IO, the
 * small MQTT client over `net`, Storage for the boot counter and the board's timers. The build
 * (build.ts) calls `startEspruino` with the plan it generated from the config.
 */

import type { ExtraCommands } from '../core/commands.js';
import { LOGS } from '../core/features.js';
import { type CoreContext, startCore } from '../core/runtime.js';
import type { RuntimeClock, RuntimePlan } from '../core/types.js';
import { createEspruinoIO } from './io.js';
import { createMqttTransport, type MqttClientContext, type NetConnect } from './mqtt-client.js';

declare const E: { reboot?: () => void };
declare function load(): void;

/** How the board joins Wi-Fi: `Wifi` on the ESP32 and ESP8266, `EspruinoWiFi` on the
 *  Espruino WiFi (the uploader adds that module, as the Espruino IDE does). */
export interface EspruinoWifi {
  module: string;
  ssid: string;
  password: string;
}

export interface EspruinoStart {
  /** The plan, with the pins themselves where a config names them (`pin: D4`), and each
   *  sensor's driver (PLAN_DRIVERS: the bundle has no table of drivers). */
  plan: RuntimePlan;
  /** The I2C1 pins, absent when the config has no I2C sensor. */
  i2c?: { sda: unknown; scl: unknown };
  /** Absent on a board without a network of its own (a Pico): `net` must already work. */
  wifi?: EspruinoWifi;
  /** The broker and the credentials (or null). */
  host: string;
  port: number;
  username: string | null;
  password: string | null;
  /** The board's global object, for require(): esbuild would try to bundle a bare require. */
  g: { require(name: string): unknown };
  /** A bundle built with OTA (build option `ota`): the ota-* commands and the loader's
   *  fsConfirmBoot() on an acknowledged birth. Absent otherwise. */
  extraCommands?: ExtraCommands;
  birthAcknowledged?: () => void;
}

interface StorageModule {
  readJSON(name: string, noExceptions: boolean): unknown;
  writeJSON(name: string, value: unknown): void;
}

interface WifiModule {
  connect(ssid: string, options: { password: string }, done: (error: unknown) => void): void;
  setSNTP?: (server: string, zone: number) => void;
}

const BOOT_FILE = 'fsboot';

/** Everything the bundle starts from, in one object. */
type Board = EspruinoStart & CoreContext & MqttClientContext & RuntimeClock;

export function startEspruino(start: EspruinoStart) {
  const g = start.g;
  const storage = g.require('Storage') as StorageModule;

  function run(): void {
    // The start object becomes the core's context, its clock and boot store, and the MQTT
    // client's and the IO's context: on a board each object and member costs variables.
    const board = start as Board;
    board.netConnect = (g.require('net') as { connect: NetConnect }).connect;
    board.now = Date.now;
    board.setTimeout = setTimeout;
    board.clearTimeout = clearTimeout;
    board.clock = board;
    board.nextBoot = () => {
      const boot = ((storage.readJSON(BOOT_FILE, true) as number | undefined) || 0) + 1;
      storage.writeJSON(BOOT_FILE, boot);
      return boot;
    };
    board.jitterRandom = Math.random;
    board.reboot = E.reboot || load;
    board.transport = createMqttTransport(board);
    board.io = createEspruinoIO(board);
    startCore(board);
  }

  const wifi = start.wifi;
  if (wifi) {
    const module = g.require(wifi.module) as WifiModule;
    module.connect(wifi.ssid, { password: wifi.password }, (error) => {
      // The module keeps what it needs: the credentials need not stay in RAM.
      delete start.wifi;
      // The core starts either way; the text is a log's, which a board does not carry
      // (features.ts).
      if (LOGS && error) console.log(`wifi: ${error}`);
      // Telemetry carries ms since the epoch: take the time from NTP where the board can.
      if (module.setSNTP) module.setSNTP('pool.ntp.org', 0);
      run();
    });
  } else run();
}
