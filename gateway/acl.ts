/**
 * Who may publish and subscribe where. Devices are confined to their own topics; the
 * backend service to the upstream topics; an anonymous loopback client (Mosquitto 2.0's
 * `allow_anonymous` on a local listener) is treated as one device, bound by its first publish.
 */
import {
  BACKEND_TOPIC_ROOT,
  cmdTopic,
  DEVICE_PUBLISH_KINDS,
  type ParsedDeviceTopic,
  parseDeviceTopic,
  UPSTREAM_TOPIC_ROOT,
} from '../contract/index.js';
import type { Identity } from './credentials.js';

export type AclDecision = { ok: true } | { ok: false; detail: string };

const ALLOWED: AclDecision = { ok: true };

/**
 * `boundDevice`: the device an anonymous client is bound to, once it has published;
 * `parsed`: the topic already split by the caller (saves doing it twice per message).
 */
export function mayPublish(
  identity: Identity,
  topic: string,
  gatewayId: string,
  boundDevice?: string,
  parsed: ParsedDeviceTopic = parseDeviceTopic(topic),
): AclDecision {
  if (identity.kind === 'service') {
    if (topic.startsWith(`${UPSTREAM_TOPIC_ROOT}/${gatewayId}/`)) return ALLOWED;
    // The backend's own topics (alerts) are for other backend clients to hear.
    if (topic.startsWith(`${BACKEND_TOPIC_ROOT}/`)) return ALLOWED;
    if (topic.startsWith('fs/')) {
      return {
        ok: false,
        detail: `service ${identity.name} may publish under ${UPSTREAM_TOPIC_ROOT}/${gatewayId}/ and ${BACKEND_TOPIC_ROOT}/, not to "${topic}"`,
      };
    }
    return ALLOWED;
  }
  // Topics outside the contract are an ingest matter (reason `topic`), not an ACL one.
  if (!parsed.ok) return ALLOWED;
  const own = identity.kind === 'device' ? identity.deviceId : boundDevice;
  if (own !== undefined && parsed.deviceId !== own) {
    return {
      ok: false,
      detail: `device ${own} may not publish as device ${parsed.deviceId} ("${topic}")`,
    };
  }
  if (!DEVICE_PUBLISH_KINDS.includes(parsed.kind)) {
    return {
      ok: false,
      detail: `devices may not publish to "${topic}" (allowed kinds: ${DEVICE_PUBLISH_KINDS.join(', ')})`,
    };
  }
  return ALLOWED;
}

export function maySubscribe(identity: Identity, filter: string): AclDecision {
  if (identity.kind === 'service') return ALLOWED;
  if (identity.kind === 'device') {
    const own = cmdTopic(identity.deviceId);
    if (filter === own) return ALLOWED;
    return {
      ok: false,
      detail: `device ${identity.deviceId} may subscribe only to "${own}", not "${filter}"`,
    };
  }
  // Anonymous clients exist only on a loopback listener, where Mosquitto 2.0 trusts them too.
  return ALLOWED;
}
