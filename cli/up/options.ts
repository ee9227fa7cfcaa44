/** The options of `fullstack up`, as the design fixes them. */
export interface UpOptions {
  mqttPort: number;
  uiPort: number;
  gatewayPort: number;
  dataDir: string;
  host: string;
  devices: number;
  /** Which of the ports were given on the command line (a taken explicit port is an error). */
  explicit: { mqttPort: boolean; uiPort: boolean; gatewayPort: boolean };
}

export const DEFAULT_PORTS = { mqttPort: 1883, uiPort: 1880, gatewayPort: 1881 } as const;
export const DEFAULT_DEVICES = 3;
export const MAX_DEVICES = 200;
