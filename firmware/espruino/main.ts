/**
 * The Espruino bundle's entry: join the network, then start the core with Espruino's IO, the
 * small MQTT client over `net`, Storage for the boot counter and the board's timers. The build
 * (build.ts) calls `startEspruino` with the plan and pin table it generated from the config.
 */

import type { ExtraCommands } from '../core/commands.js';
import type { DriverTable } from '../core/drivers/types.js';
import { startCore } from '../core/runtime.js';
import type { RuntimePlan } from '../core/types.js';
import type { EspruinoGlobals } from './espruino-globals.js';
import { createEspruinoIO } from './io.js';
import { createMqttTransport, type NetConnect } from './mqtt-client.js';

export interface EspruinoNetwork {
  /** `wifi`: require('Wifi') (ESP32, ESP8266); `espruino-wifi`: require('EspruinoWiFi'). */
  kind: 'wifi' | 'espruino-wifi' | 'none';
  /** The module that joins Wi-Fi (`Wifi`, `EspruinoWiFi`), or '' when kind is `none`. */
  module: string;
  ssid: string;
  password: string;
}

export interface EspruinoStart {
  plan: RuntimePlan;
  drivers: DriverTable;
  pins: Record<string, unknown>;
  i2c: { sda: string; scl: string } | null;
  network: EspruinoNetwork;
  broker: { host: string; port: number; username: string | null; password: string | null };
  g: EspruinoGlobals;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  now(): number;
  print(text: string): void;
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

  function run(): void {
    const net = g.require('net') as { connect: NetConnect };
    startCore({
      plan: start.plan,
      transport: createMqttTransport({
        host: start.broker.host,
        port: start.broker.port,
        connect: net.connect,
        setTimeout: start.setTimeout,
        clearTimeout: start.clearTimeout,
      }),
      // `start` has what the IO (g, pins, i2c, setTimeout) and the clock need: no copies.
      io: createEspruinoIO(start),
      clock: start,
      store: {
        nextBoot() {
          const boot = ((storage.readJSON(BOOT_FILE, true) as number | undefined) || 0) + 1;
          storage.writeJSON(BOOT_FILE, boot);
          return boot;
        },
      },
      log: {
        log(level, message, data) {
          if (level !== 'debug')
            start.print(`${level} ${message} ${data === null ? '' : JSON.stringify(data)}`);
        },
      },
      drivers: start.drivers,
      username: start.broker.username,
      password: start.broker.password,
      random: Math.random,
      extraCommands: start.extraCommands,
      birthAcknowledged: start.birthAcknowledged,
      reboot() {
        if (g.E.reboot) g.E.reboot();
        else if (g.load) g.load();
      },
    });
  }

  const network = start.network;
  if (network.kind === 'none') return run();
  const wifi = g.require(network.module) as WifiModule;
  wifi.connect(network.ssid, { password: network.password }, (error) => {
    if (error) start.print(`warn wifi ${error}`);
    // Telemetry carries ms since the epoch: take the time from NTP where the board can.
    if (wifi.setSNTP) wifi.setSNTP('pool.ntp.org', 0);
    run();
  });
}
