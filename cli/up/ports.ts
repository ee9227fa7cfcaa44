/**
 * Picks the three ports of `fullstack up`. A default that is taken (Mosquitto on 1883 is common)
 * is replaced by a free port and reported; an explicit port that is taken is an error naming it.
 */
import { choosePort, type PortChoice } from '../../lib/ports.js';
import type { UpOptions } from './options.js';

export interface UpPorts {
  mqtt: PortChoice;
  ui: PortChoice;
  gateway: PortChoice;
}

const OPTION_NAMES = {
  mqttPort: 'mqtt-port',
  uiPort: 'ui-port',
  gatewayPort: 'gateway-port',
} as const;

/** Two options given the same port on the command line: no choice can satisfy both. */
export class PortClashError extends Error {
  constructor(
    readonly port: number,
    readonly options: readonly string[],
  ) {
    super(
      `port ${port} is given to ${options.map((o) => `--${o}`).join(' and ')}; each needs a port of its own`,
    );
    this.name = 'PortClashError';
  }
}

function checkExplicitClashes(options: UpOptions): void {
  const byPort = new Map<number, string[]>();
  for (const key of Object.keys(OPTION_NAMES) as Array<keyof typeof OPTION_NAMES>) {
    if (!options.explicit[key]) continue;
    const names = byPort.get(options[key]) ?? [];
    names.push(OPTION_NAMES[key]);
    byPort.set(options[key], names);
  }
  for (const [port, names] of byPort) if (names.length > 1) throw new PortClashError(port, names);
}

export async function chooseUpPorts(options: UpOptions): Promise<UpPorts> {
  checkExplicitClashes(options);
  const taken = new Set<number>();
  const pick = async (key: keyof typeof OPTION_NAMES): Promise<PortChoice> => {
    const choice = await choosePort({
      option: OPTION_NAMES[key],
      requested: options[key],
      explicit: options.explicit[key],
      host: options.host,
      taken,
    });
    taken.add(choice.port);
    return choice;
  };
  // Explicit ports first, so that a fallback never steals a port the user asked for.
  const order = (Object.keys(OPTION_NAMES) as Array<keyof typeof OPTION_NAMES>).sort(
    (a, b) => Number(options.explicit[b]) - Number(options.explicit[a]),
  );
  for (const key of order) if (options.explicit[key]) taken.add(options[key]);
  const chosen: Partial<Record<keyof typeof OPTION_NAMES, PortChoice>> = {};
  for (const key of order) {
    if (options.explicit[key]) taken.delete(options[key]);
    chosen[key] = await pick(key);
  }
  return { mqtt: chosen.mqttPort!, ui: chosen.uiPort!, gateway: chosen.gatewayPort! };
}

export function describeFallbacks(ports: UpPorts): string[] {
  const lines: string[] = [];
  const entries: Array<[string, PortChoice]> = [
    ['MQTT', ports.mqtt],
    ['Node-RED', ports.ui],
    ['gateway HTTP', ports.gateway],
  ];
  for (const [what, choice] of entries) {
    if (choice.fellBack) {
      lines.push(`port ${choice.requested} (${what}) is in use; using ${choice.port} instead`);
    }
  }
  return lines;
}
