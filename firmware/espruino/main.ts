/**
 * The Espruino bundle's entry: join the network, then start the core with Espruino's IO, the
 * small MQTT client over `net`, Storage for the boot counter and the board's timers. The build
 * (build.ts) calls `startEspruino` with the plan it generated from the config.
 */

import type { ExtraCommands } from '../core/commands.js';
import type { DriverTable } from '../core/drivers/types.js';
import { EXTRAS } from '../core/features.js';
import { type CoreContext, startCore } from '../core/runtime.js';
import type { RuntimePlan } from '../core/types.js';
import { createEspruinoIO } from './io.js';
import { createMqttTransport, type NetConnect } from './mqtt-client.js';

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
  /** The plan, with the pins themselves where a config names them (`pin: D4`). */
  plan: RuntimePlan;
  drivers: DriverTable;
  /** The I2C1 pins, or null when the config has no I2C sensor. */
  i2c: { sda: unknown; scl: unknown } | null;
  /** Absent on a board without a network of its own (a Pico): `net` must already work. */
  wifi?: EspruinoWifi;
  broker: { host: string; port: number; username: string | null; password: string | null };
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

export function startEspruino(start: EspruinoStart) {
  const g = start.g;
  const storage = g.require('Storage') as StorageModule;
  const broker = start.broker;

  function run(): void {
    // One object is the clock of the core and the context of the MQTT client.
    const board = {
      host: broker.host,
      port: broker.port,
      connect: (g.require('net') as { connect: NetConnect }).connect,
      now: Date.now,
      setTimeout: setTimeout,
      clearTimeout: clearTimeout,
    };
    const context: CoreContext = {
      plan: start.plan,
      transport: createMqttTransport(board),
      io: createEspruinoIO(start),
      clock: board,
      store: {
        nextBoot() {
          const boot = ((storage.readJSON(BOOT_FILE, true) as number | undefined) || 0) + 1;
          storage.writeJSON(BOOT_FILE, boot);
          return boot;
        },
      },
      drivers: start.drivers,
      username: broker.username,
      password: broker.password,
      random: Math.random,
      reboot: E.reboot || load,
    };
    if (EXTRAS) {
      context.extraCommands = start.extraCommands;
      context.birthAcknowledged = start.birthAcknowledged;
    }
    startCore(context);
  }

  const wifi = start.wifi;
  if (wifi === undefined) return run();
  const module = g.require(wifi.module) as WifiModule;
  module.connect(wifi.ssid, { password: wifi.password }, (error) => {
    if (error) console.log(`wifi: ${error}`);
    // Telemetry carries ms since the epoch: take the time from NTP where the board can.
    if (module.setSNTP) module.setSNTP('pool.ntp.org', 0);
    run();
  });
}
