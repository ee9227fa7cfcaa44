/**
 * `fullstack build --target espruino`: one minified bundle for one device config. The plan,
 * the pin table and the network settings are generated as data; only the drivers the config
 * uses are included. esbuild bundles and minifies, then the whole bundle goes through the
 * Espruino syntax check, which fails the build with the location of any construct the
 * interpreter lacks (it parses lazily, so a late error would half-start a board).
 */
import { build, type Plugin } from 'esbuild';
import { findPin, getBoard } from '../../hardware/boards/index.js';
import type { BoardProfile, DeviceConfig } from '../../hardware/config/types.js';
import { repoPath } from '../../lib/paths.js';
import { buildPlan, partsBirthText } from '../core/plan.js';
import type { RuntimePlan } from '../core/types.js';
import { catalogPartFacts } from '../node/catalog-facts.js';
import { firmwareId } from '../node/profiles.js';
import { estimateVars, type VarsEstimate } from './budget.js';
import { bytesPerSource } from './bundle-bytes.js';
import type { EspruinoWifi } from './main.js';
import { squeeze } from './minify.js';
import { MANGLED_PROPERTIES } from './property-names.js';
import {
  checkDeclarationOrder,
  checkEspruinoSyntax,
  formatEspruinoSyntaxProblems,
} from './syntax-check.js';

/** Budgets (issue 4): a three-sensor bundle at most 8 KB minified; at most 900 vars in use. */
export const BUNDLE_BUDGET_BYTES = 8 * 1024;
export const VARS_BUDGET = 900;

/** Which module exports each driver. */
const DRIVER_MODULES: Record<string, string> = {
  tmp36: 'analog',
  lm35: 'analog',
  ntc: 'analog',
  photoresistor: 'analog',
  button: 'digital',
  pir: 'digital',
  ds18b20: 'ds18b20',
  bme280: 'bme280',
};

/** JavaScript source to put into a literal as it is (a pin: `D4`). */
export class RawCode {
  constructor(readonly code: string) {}
}

/** A value as a JavaScript literal with bare keys, so mangleProps renames them too. Undefined
 *  members are left out; RawCode goes in as code. */
export function planLiteral(value: unknown): string {
  if (value instanceof RawCode) return value.code;
  if (Array.isArray(value)) return `[${value.map(planLiteral).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => {
        const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
        return `${name}:${planLiteral(item)}`;
      });
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A string as the bytes of its UTF-8 encoding, one character per byte: what the bundle sends
 *  over a socket as it is (firmware/espruino/mqtt-client.ts). */
export function utf8Bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Telemetry messages in flight on a board: one at a time (a replay of 50 messages takes
 *  50 round trips, a few seconds on a LAN), since each one waiting costs variables
 *  (firmware/espruino/budget.ts). */
export const ESPRUINO_WINDOW = 1;

/** The parts whose driver reads the ADC in volts (the others use the ADC fraction). */
const VOLTAGE_PARTS = new Set(['tmp36', 'lm35']);

/**
 * The plan as the bundle carries it: only what the bundle reads (no fw, board, kinds or units:
 * those are in the birth), the pins themselves instead of their names, a smaller window, and
 * the birth as a function returning its UTF-8 bytes. Each member left out is a variable the
 * board keeps free.
 */
export function bundlePlan(plan: RuntimePlan, pins: Record<string, string>): unknown {
  const pin = (name: string | undefined) =>
    name === undefined ? undefined : new RawCode(pins[name] as string);
  return {
    id: plan.id,
    // Each sensor's driver itself rather than its part's name (PLAN_DRIVERS), and its part's
    // parameters on the sensor itself rather than in an object of their own (drivers/types.ts,
    // partParams), which needs them to have names no member of the plan has.
    sensors: plan.sensors.map((s) => {
      for (const key of Object.keys(s.params ?? {}))
        if (key in s) throw new Error(`sensors.${s.id}.params.${key}: the name of a plan's member`);
      return {
        ...s,
        ...s.params,
        params: undefined,
        // An on/off channel (flag) reports every change, as true or false: neither its deadband
        // nor its decimals are read (reporting.ts, runtime.ts).
        channels: s.channels.map((c) => (c.flag ? { id: c.id, flag: true } : c)),
        // The ADC's reference voltage only on the sensors read in volts (analog.ts).
        vref: VOLTAGE_PARTS.has(s.part) ? plan.vref : undefined,
        part: undefined,
        driver: new RawCode(s.part),
        pin: pin(s.pin),
      };
    }),
    // An actuator's part only for a servo: the bundle reads it nowhere else (actuators.ts).
    actuators: plan.actuators.map((a) => ({
      ...a,
      part: a.part === 'servo' ? a.part : undefined,
      pin: pin(a.pin),
    })),
    bufferSize: plan.bufferSize,
    window: plan.window,
    keepaliveS: plan.keepaliveS,
    sysIntervalMs: plan.sysIntervalMs,
    backoff: plan.backoff,
    // In catalog form (the gateway expands it), and a function: its text stays in flash until
    // a birth is published.
    birth: new RawCode(`()=>${JSON.stringify(utf8Bytes(partsBirthText(plan)))}`),
  };
}

/** esbuild settings shared by the build and the core's syntax test. */
export const ESPRUINO_ESBUILD = {
  target: 'es2019',
  // esbuild would turn Math.pow into ** and `catch (e)` into `catch {}`; keep both out.
  supported: { 'exponent-operator': false, 'optional-catch-binding': false },
} as const;

export interface EspruinoBuildOptions {
  config: DeviceConfig;
  /** Overrides the config's broker.url. */
  brokerUrl?: string;
  minify?: boolean;
  /** Include the OTA receiver (opt-in: it costs bytes and vars): the ota-* commands writing to
   *  Storage slots, a trial of `trialMs` for the next firmware, and fsConfirmBoot() (the
   *  flasher's loader) called on an acknowledged birth. For boards flashed with the loader. */
  ota?: { trialMs: number };
  /** Count the bundle's bytes per source file after minification (`inputs`); slower. */
  explain?: boolean;
}

export interface EspruinoBundle {
  code: string;
  bytes: number;
  plan: RuntimePlan;
  board: BoardProfile;
  /** How the bundle joins Wi-Fi; absent on a board with no network of its own. */
  wifi?: EspruinoWifi;
  /** Things the user must know (a board with no network of its own). */
  warnings: string[];
  /** Bytes each source file contributes to the minified bundle, with `explain` (else empty);
   *  the entry's file is the plan's data and the drivers table. */
  inputs: Record<string, number>;
  /** Variables in use at steady state, estimated (firmware/espruino/budget.ts). */
  vars: VarsEstimate;
}

/** The estimate's parts, as the build and the benchmark print them. */
export function describeVars(vars: VarsEstimate): string {
  const text = vars.text > 0 ? ` + code text in RAM ${vars.text}` : '';
  return `functions and scopes ${vars.code} (${vars.functions} functions)${text} + data ${vars.plan} + outbox ${vars.outbox} + running ${vars.running}`;
}

function parseBroker(url: string): { host: string; port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`broker: "${url}" is not a URL (allowed: mqtt://host:port)`);
  }
  if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'tcp:') {
    throw new Error(
      `broker: "${url}" uses ${parsed.protocol} (allowed on Espruino: mqtt://, plain TCP)`,
    );
  }
  return { host: parsed.hostname, port: parsed.port ? Number(parsed.port) : 1883 };
}

function espruinoPinId(board: BoardProfile, name: string, where: string): string {
  const pin = findPin(board, name);
  if (!pin) throw new Error(`${where}: pin "${name}" does not exist on ${board.name}`);
  const id = String(pin.id);
  if (!/^[A-Z][A-Z0-9_]*$/.test(id))
    throw new Error(`${where}: pin id "${id}" is not an Espruino pin name`);
  return id;
}

/**
 * The values of firmware/core/features.ts for one bundle: no host control (a board runs until
 * it is reset) and no logs, the extension points only with OTA, and only the IO the plan uses.
 */
export function espruinoFeatures(plan: RuntimePlan, ota: boolean): Record<string, boolean> {
  const parts = new Set(plan.sensors.map((s) => s.part));
  const kinds = new Set(plan.actuators.map((a) => a.part));
  return {
    CONTROL: false,
    LOGS: false,
    EXTRAS: ota,
    I2C: plan.sensors.some((s) => s.address !== undefined),
    ONEWIRE: parts.has('ds18b20'),
    PWM: kinds.has('pwm'),
    SERVO: kinds.has('servo'),
    WATCH: parts.has('button') || parts.has('pir'),
    // On a board every read but the DS18B20's answers before it returns (io.ts).
    ASYNC_READS: parts.has('ds18b20'),
    PLAN_DRIVERS: true,
    FLAGS: plan.sensors.some((s) => s.channels.some((c) => c.flag)),
  };
}

/** Replaces firmware/core/features.ts with `values` (esbuild plugin). */
function featuresPlugin(values: Record<string, boolean>): Plugin {
  return {
    name: 'fullstack-features',
    setup(b) {
      b.onLoad({ filter: /[\\/]firmware[\\/]core[\\/]features\.ts$/ }, () => ({
        contents: Object.entries(values)
          .map(([name, value]) => `export const ${name} = ${value};`)
          .join('\n'),
        loader: 'ts',
      }));
    },
  };
}

/** Bytes per source file (bundle-bytes.ts); the declarations hoistEarlyVars added after the
 *  map was made are counted apart. */
function explainBytes(
  mapped: { code: string; map: string },
  bytes: number,
): Record<string, number> {
  const perSource = bytesPerSource(mapped.code, mapped.map, repoPath());
  if (bytes > mapped.code.length)
    perSource['(declarations hoisted, hoist-vars.ts)'] = bytes - mapped.code.length;
  return perSource;
}

export async function buildEspruinoBundle(options: EspruinoBuildOptions): Promise<EspruinoBundle> {
  const config = options.config;
  const board = getBoard(config.board);
  if (board.target !== 'espruino') {
    throw new Error(
      `board "${board.id}" runs ${board.target}; --target espruino needs an Espruino board`,
    );
  }
  const brokerUrl = options.brokerUrl ?? config.broker?.url;
  if (!brokerUrl) throw new Error('no broker: give --broker URL or set broker.url in the config');
  const broker = parseBroker(brokerUrl);
  const plan = buildPlan({
    config,
    board,
    parts: catalogPartFacts(),
    fw: firmwareId(),
    id: null,
    sysIntervalMs: null,
  });
  plan.window = ESPRUINO_WINDOW;
  const warnings: string[] = [];

  const pins: Record<string, string> = {};
  for (const s of config.sensors)
    if (s.pin) pins[s.pin] = espruinoPinId(board, s.pin, `sensors.${s.id}.pin`);
  for (const a of config.actuators)
    pins[a.pin] = espruinoPinId(board, a.pin, `actuators.${a.id}.pin`);
  // The plan's addresses: a BME280 the config gives no address has the catalog's (plan.ts).
  const usesI2c = plan.sensors.some((s) => s.address !== undefined);
  const bus = board.i2c?.[0];
  if (usesI2c && !bus) throw new Error(`${board.name} has no I2C bus for the config's I2C sensors`);
  const i2c =
    usesI2c && bus
      ? {
          sda: new RawCode(espruinoPinId(board, bus.sda, 'i2c.sda')),
          scl: new RawCode(espruinoPinId(board, bus.scl, 'i2c.scl')),
        }
      : undefined;

  const wifiConfig = config.network?.wifi;
  let wifi: EspruinoWifi | undefined;
  if (board.wifi) {
    if (!wifiConfig)
      throw new Error(
        `network.wifi: ${board.name} joins Wi-Fi itself and needs { ssid, password }`,
      );
    wifi = {
      module: board.id === 'espruino-wifi' ? 'EspruinoWiFi' : 'Wifi',
      ssid: utf8Bytes(wifiConfig.ssid),
      password: utf8Bytes(wifiConfig.password),
    };
  } else {
    warnings.push(
      `${board.name} has no network interface of its own: the bundle expects require("net") to work (e.g. an ESP8266 set up before it runs)`,
    );
  }

  const parts = [...new Set(plan.sensors.map((s) => s.part))];
  const imports = parts.map((part) => {
    const module = DRIVER_MODULES[part];
    if (!module) throw new Error(`no Espruino driver for part "${part}"`);
    return `import { ${part} } from ${JSON.stringify(repoPath('firmware', 'core', 'drivers', `${module}.ts`))};`;
  });
  const ota = options.ota;
  if (ota) {
    imports.push(
      `import { espruinoOtaCommands } from ${JSON.stringify(repoPath('firmware', 'ota', 'espruino-device.ts'))};`,
    );
  }
  const otaMembers = ota
    ? `extraCommands: espruinoOtaCommands(global, ${Math.round(ota.trialMs)}),
  birthAcknowledged: () => { if (global.fsConfirmBoot) global.fsConfirmBoot(); },`
    : '';
  const credential = (value: string | undefined) => (value === undefined ? null : utf8Bytes(value));
  /** The start object's data, as the entry writes it and as the board will hold it. */
  const data: Record<string, unknown> = {
    plan: bundlePlan(plan, pins),
    i2c,
    wifi,
    host: broker.host,
    port: broker.port,
    username: credential(config.broker?.username),
    password: credential(config.broker?.password),
  };
  const entry = `
import { startEspruino } from ${JSON.stringify(repoPath('firmware', 'espruino', 'main.ts'))};
${imports.join('\n')}
startEspruino({
  ${Object.entries(data)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${planLiteral(value)},`)
    .join('\n  ')}
  g: global,
  ${otaMembers}
});
`;
  const result = await build({
    stdin: {
      contents: entry,
      resolveDir: repoPath(),
      loader: 'ts',
      sourcefile: `${config.id}.entry.ts`,
    },
    bundle: true,
    minify: options.minify ?? true,
    format: 'iife',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
    // The map only for --explain: it costs time, and the bundle is the same.
    sourcemap: options.explain ? 'external' : false,
    outfile: options.explain ? `${config.id}.bundle.js` : undefined,
    mangleProps: MANGLED_PROPERTIES,
    // Only what the config uses is built (firmware/core/features.ts).
    plugins: [featuresPlugin(espruinoFeatures(plan, Boolean(ota)))],
    ...ESPRUINO_ESBUILD,
  });
  const output = (suffix: string) => result.outputFiles.find((f) => f.path.endsWith(suffix));
  // Without --explain there is one output, written nowhere (its path is <stdout>).
  let code = (options.explain ? output('.js') : result.outputFiles[0])?.text ?? '';
  let mapped = options.explain ? { code, map: output('.js.map')?.text ?? '' } : undefined;
  if (options.minify ?? true) {
    const squeezed = await squeeze(code, config.id, mapped?.map);
    code = squeezed.code;
    mapped = squeezed.mapped;
  }
  const problems = checkEspruinoSyntax(code, `${config.id}.bundle.js`);
  if (problems.length === 0)
    problems.push(...checkDeclarationOrder(code, `${config.id}.bundle.js`));
  if (problems.length > 0) {
    throw new Error(
      `the bundle for ${config.id} uses what Espruino lacks:\n${formatEspruinoSyntaxProblems(problems)}`,
    );
  }
  const inputs = mapped === undefined ? {} : explainBytes(mapped, code.length);
  // The global object is a member of the start object too; the Wi-Fi credentials are let go
  // once the board joined (main.ts).
  const vars = estimateVars(
    code,
    { ...data, wifi: undefined, g: 0 },
    plan,
    board.id,
    MANGLED_PROPERTIES,
  );
  const memory = board.espruinoVars;
  if (memory !== undefined && vars.total > memory) {
    throw new Error(
      `${config.id}: the bundle needs about ${vars.total} variables at steady state (${describeVars(vars)}), more than the ${board.name} has (${memory}). Give it a smaller bufferSize (${plan.bufferSize} messages cost ${vars.outbox}) or fewer sensors.`,
    );
  }
  if (vars.total > VARS_BUDGET) {
    warnings.push(
      `about ${vars.total} variables at steady state, over the ${VARS_BUDGET}-variable budget (the ${board.name} has ${memory ?? 'an unknown number'})`,
    );
  }
  return { code, bytes: Buffer.byteLength(code), plan, board, wifi, warnings, inputs, vars };
}
