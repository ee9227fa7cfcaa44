/**
 * Device contract v1: topic names. Dependency-free on purpose: the Espruino bundle imports
 * this file, and a board has no room for a schema library.
 */

/** A device id: lower-case letters, digits and dashes, 1 to 63 characters (fits a hostname label). */
export const DEVICE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** A sensor or actuator id inside one device. */
export const PART_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** A gateway id, used in the upstream topics. Same shape as a device id. */
export const GATEWAY_ID_PATTERN = DEVICE_ID_PATTERN;

export const DEVICE_TOPIC_ROOT = 'fs/v1';
export const UPSTREAM_TOPIC_ROOT = 'fs/gw/v1';

/** What a device publishes or receives, by the last topic level. */
export const DEVICE_TOPIC_KINDS = ['status', 'telemetry', 'cmd', 'ack', 'sys'] as const;
export type DeviceTopicKind = (typeof DEVICE_TOPIC_KINDS)[number];

/** The kinds a device may publish (everything except `cmd`, which only it may receive). */
export const DEVICE_PUBLISH_KINDS: readonly DeviceTopicKind[] = [
  'status',
  'telemetry',
  'ack',
  'sys',
];

export function deviceTopic(deviceId: string, kind: DeviceTopicKind): string {
  return `${DEVICE_TOPIC_ROOT}/${deviceId}/${kind}`;
}

export const statusTopic = (id: string): string => deviceTopic(id, 'status');
export const telemetryTopic = (id: string): string => deviceTopic(id, 'telemetry');
export const cmdTopic = (id: string): string => deviceTopic(id, 'cmd');
export const ackTopic = (id: string): string => deviceTopic(id, 'ack');
export const sysTopic = (id: string): string => deviceTopic(id, 'sys');

export type ParsedDeviceTopic =
  | { ok: true; deviceId: string; kind: DeviceTopicKind }
  | { ok: false; detail: string };

/** Splits `fs/v1/<id>/<kind>`; anything else is outside the contract, and says why. */
export function parseDeviceTopic(topic: string): ParsedDeviceTopic {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== DEVICE_TOPIC_ROOT) {
    return {
      ok: false,
      detail: `topic "${topic}" is not of the form ${DEVICE_TOPIC_ROOT}/<id>/<kind>`,
    };
  }
  const deviceId = parts[2] as string;
  const kind = parts[3] as string;
  if (!DEVICE_ID_PATTERN.test(deviceId)) {
    return {
      ok: false,
      detail: `device id "${deviceId}" does not match ${DEVICE_ID_PATTERN.source}`,
    };
  }
  if (!(DEVICE_TOPIC_KINDS as readonly string[]).includes(kind)) {
    return {
      ok: false,
      detail: `topic kind "${kind}" is not one of ${DEVICE_TOPIC_KINDS.join(', ')}`,
    };
  }
  return { ok: true, deviceId, kind: kind as DeviceTopicKind };
}

/** Gateway to backend (and back). The gateway's own topics; see docs/protocol.md. */
export const UPSTREAM_KINDS = ['telemetry', 'presence', 'devices', 'ack', 'cmd', 'events'] as const;
export type UpstreamKind = (typeof UPSTREAM_KINDS)[number];

export function upstreamTopic(gatewayId: string, kind: UpstreamKind): string {
  return `${UPSTREAM_TOPIC_ROOT}/${gatewayId}/${kind}`;
}

/** The subscription a backend uses to hear one kind from every gateway. */
export function upstreamWildcard(kind: UpstreamKind): string {
  return `${UPSTREAM_TOPIC_ROOT}/+/${kind}`;
}

/** Topics the backend (Node-RED) publishes for others: alerts as they are raised and cleared. */
export const BACKEND_TOPIC_ROOT = 'fs/backend/v1';
/** Each alert event (QoS 1). */
export const ALERT_EVENT_TOPIC = `${BACKEND_TOPIC_ROOT}/alerts/event`;
/** The list of active alerts (QoS 1, retained). */
export const ALERT_ACTIVE_TOPIC = `${BACKEND_TOPIC_ROOT}/alerts/active`;
