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

export async function chooseUpPorts(options: UpOptions): Promise<UpPorts> {
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
