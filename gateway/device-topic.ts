/**
 * `parseDeviceTopic` for the hot path: the same answer, without splitting the topic into an
 * array of four strings (a topic is parsed for every message; the split was a tenth of what
 * the gateway allocated under load). Anything that is not a well-formed device topic is left
 * to parseDeviceTopic itself, so the reasons stay its own.
 */
import {
  DEVICE_ID_PATTERN,
  DEVICE_TOPIC_KINDS,
  DEVICE_TOPIC_ROOT,
  type DeviceTopicKind,
  type ParsedDeviceTopic,
  parseDeviceTopic,
} from '../contract/index.js';

const PREFIX = `${DEVICE_TOPIC_ROOT}/`;
/** One shared answer per (device, kind): the same object every time, nothing allocated. */
const cache = new Map<string, ParsedDeviceTopic>();
const CACHE_MAX = 50_000;

export function parseDeviceTopicFast(topic: string): ParsedDeviceTopic {
  const hit = cache.get(topic);
  if (hit) return hit;
  const parsed = parse(topic);
  // Only good topics are kept (bounded by the devices there are); a bad one says why each time.
  if (parsed.ok) {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(topic, parsed);
  }
  return parsed;
}

function parse(topic: string): ParsedDeviceTopic {
  if (!topic.startsWith(PREFIX)) return parseDeviceTopic(topic);
  const slash = topic.indexOf('/', PREFIX.length);
  if (slash < 0 || topic.indexOf('/', slash + 1) >= 0) return parseDeviceTopic(topic);
  const deviceId = topic.slice(PREFIX.length, slash);
  const kind = topic.slice(slash + 1);
  if (
    !DEVICE_ID_PATTERN.test(deviceId) ||
    !(DEVICE_TOPIC_KINDS as readonly string[]).includes(kind)
  )
    return parseDeviceTopic(topic);
  return Object.freeze({ ok: true as const, deviceId, kind: kind as DeviceTopicKind });
}
