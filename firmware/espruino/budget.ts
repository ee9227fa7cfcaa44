/**
 * How many variables a bundle keeps in use at steady state on the board: the 900-variable
 * budget (issue 4; an ESP8266 has 1,700). Espruino has no heap profiler we can run here, so the
 * figure is computed the way the interpreter stores things (Espruino's src/jsparse.c,
 * src/jsvar.c, src/jsflash.c, src/jsutils.h; a variable is 13 bytes on these boards):
 *
 * - Function code. The flasher writes the bundle to Storage and the loader evals it from there
 *   (firmware/flash/layout.ts). On these boards Storage is memory-mapped flash, so
 *   `Storage.read` returns a native string and every function parsed from it keeps its code as
 *   a native string pointing into flash: one variable, whatever its length. A board not known
 *   to map its flash (FLASH_RESIDENT_CODE) is counted as if the text were copied into RAM.
 * - Functions: each one alive costs its function variable, the code's name and value, one per
 *   parameter, the name it is stored under (a method's; a declared one's is a local of its
 *   scope), and its scope chain: nothing at the top level, a reference one level down, an
 *   array of the chain deeper down (jspeiGetScopesAsVar).
 *   Counted from the bundle itself (acorn): every function declared or stored, once; callbacks
 *   passed to a call live only while it runs (Espruino's IO answers at once) and are counted
 *   below where they wait (timers, messages in flight).
 * - Scopes: a function whose closures outlive it keeps its call's scope: one variable, plus
 *   one per parameter and local (a number lives inside its name; objects are counted apart).
 * - Data: the plan and the rest of the bundle's start data (not the Wi-Fi credentials, let go
 *   once the board joined), counted value by value (`dataVars`): a key is a name variable, an
 *   integer lives inside it, any other value is a variable (a string more, by its length), an
 *   object or array one plus its members.
 * - The outbox: its typed arrays, (8 + 4 x channels) bytes per message at 13 bytes a
 *   variable, allocated once at start, so full or empty it costs the same.
 * - What exists only at run time, derived from what the code creates (RUNNING below): the
 *   objects the runtime builds at start, one state per sensor and per channel, a watch per
 *   watched pin, the pending timers, the socket, and the telemetry messages in flight with
 *   their PUBACK callbacks.
 */
import { type Node, parse } from 'acorn';
import type { RuntimePlan } from '../core/types.js';

/**
 * A variable is 13 bytes on these boards (up to 8,191 variables: 13-bit references; 14 on an
 * ESP32, counted as 13): a string holds 8 characters in its first variable and 9 in each
 * more, or, from 18 characters, is a flat string of 13 bytes a variable after a header; a
 * name holds 4 characters, then 9 a variable (Espruino's src/jsutils.h, JSVAR_DATA_STRING_*).
 */
const VAR_BYTES = 13;

function stringVars(length: number): number {
  if (length <= 8) return 1;
  if (length <= 17) return 2;
  return 1 + Math.ceil(length / VAR_BYTES);
}

function nameVars(length: number): number {
  return 1 + Math.ceil(Math.max(0, length - 4) / 9);
}

/**
 * Boards whose Storage is memory-mapped, so that code evaluated from it stays in flash
 * (docs/firmware.md, "Variables"): STM32 internal flash (Pico, Espruino WiFi), the ESP32's
 * js_code partition mapped by its MMU (targets/esp32/jshardware.c), the ESP8266's first MB
 * mapped at 0x40200000 and read with 32-bit loads (READ_FLASH_UINT8, src/jsutils.h).
 */
export const FLASH_RESIDENT_CODE = new Set(['pico', 'espruino-wifi', 'esp32', 'esp8266']);

/**
 * Variables of what only exists at run time (see the module comment), per item, counted from
 * firmware/core and firmware/espruino as they are written. Functions and the scopes they keep
 * are counted from the bundle (codeVars); these are the objects and values:
 * - base, whatever the config: the members main.ts adds to the start object (10, six of them
 *   the board's own functions), the transport (3 members), the IO (5 to 11), the sampler (2)
 *   and its four typed arrays (three variables each), the drivers' shared context (the IO, and
 *   `wake` where inputs are watched), the outbox's record (9), the
 *   channel list, the topic prefix, the connection's event handlers (3), the Storage and Wifi
 *   modules, the MQTT client's buffer, pending table and flags;
 * - perSensor: its driver, its place in the driver list, its slots in the sampler's arrays;
 * - perChannel: its last report and time (two floats in typed arrays), its place in the
 *   channel list;
 * - perWatch: a watched input (button, PIR): its driver's flag and the interpreter's watch
 *   entry;
 * - perExtraDriver: a part used by a second sensor: another driver closure and its scope
 *   (the bundle's code counts each once);
 * - timers: three pending timeouts (sampler, sys report, keepalive ping), each an entry of
 *   the interpreter's timer list with its time and callback;
 * - socket: the net socket and its three listeners;
 * - inFlight: a QoS 1 message waiting for its PUBACK: its entry in the pending table, the
 *   callback (a closure two functions deep) and the call that made it; the plan's window of
 *   telemetry messages, plus an ack or birth that may be waiting too.
 */
export const RUNNING = {
  // 79 before the third size round: one start-object member (the boot store), one of the
  // sampler's typed arrays (a sensor's first channel) and the shared context's vref went.
  base: 74,
  perSensor: 5,
  perChannel: 3,
  perWatch: 8,
  perExtraDriver: 11,
  timers: 3 * 6,
  socket: 11,
  inFlight: 12,
};

export interface VarsEstimate {
  /** Functions alive and the scopes they keep. */
  code: number;
  /** Code text held in RAM (0 where the board keeps code in flash). */
  text: number;
  /** The plan and the other start data. */
  plan: number;
  outbox: number;
  running: number;
  total: number;
  /** Functions counted in `code`. */
  functions: number;
}

type AnyNode = Node & Record<string, unknown>;

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) out.push(item);
    } else if (isNode(value)) out.push(value);
  }
  return out;
}

function isFunction(node: AnyNode): boolean {
  return (
    node.type === 'FunctionDeclaration' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression'
  );
}

/** Calls whose callback argument is kept until it runs (pending timers, event listeners). */
const KEEPING_CALLEES = new Set(['setTimeout', 'setInterval', 'setWatch', 'on']);

function calleeName(call: AnyNode): string {
  const callee = call.callee as AnyNode;
  if (callee.type === 'Identifier') return String(callee.name);
  if (callee.type === 'MemberExpression' && (callee.property as AnyNode).type === 'Identifier')
    return String((callee.property as AnyNode).name);
  return '';
}

/** Names declared directly in a function body (not in the functions inside it). */
function localNames(body: AnyNode): number {
  let count = 0;
  const visit = (node: AnyNode) => {
    if (node.type === 'VariableDeclarator') count++;
    if (node.type === 'CatchClause' && node.param) count++;
    if (node.type === 'FunctionDeclaration') {
      count++;
      return;
    }
    if (isFunction(node)) return;
    for (const child of children(node)) visit(child);
  };
  visit(body);
  return count;
}

interface CodeCount {
  functions: number;
  vars: number;
  /** Characters of the functions' code, each function once (nested text again inside it). */
  text: number;
}

/** The functions of `code` alive at steady state and the scopes they keep (see above). */
export function codeVars(code: string): CodeCount {
  const program = parse(code, { ecmaVersion: 2020 }) as unknown as AnyNode;
  const count: CodeCount = { functions: 0, vars: localNames(program), text: 0 };
  /** Returns whether `node` contains a function that stays alive. */
  const visit = (node: AnyNode, parent: AnyNode | null, depth: number): boolean => {
    if (!isFunction(node)) {
      let alive = false;
      for (const child of children(node)) if (visit(child, node, depth)) alive = true;
      return alive;
    }
    const called = parent !== null && parent.type === 'CallExpression';
    const transient =
      called && (parent.callee === node || !KEEPING_CALLEES.has(calleeName(parent)));
    let keepsScope = false;
    for (const child of children(node)) if (visit(child, node, depth + 1)) keepsScope = true;
    const params = (node.params as AnyNode[]).length;
    if (keepsScope) count.vars += 1 + params + localNames(node.body as AnyNode);
    if (transient) return keepsScope;
    const scope = depth === 0 ? 0 : depth === 1 ? 1 : 2 + depth;
    // A declared function's name, or the variable it is assigned to, is a local of its scope
    // (counted there); a method or a stored callback has a name of its own.
    const named = node.type === 'FunctionDeclaration' || parent?.type === 'VariableDeclarator';
    count.functions++;
    count.vars += 1 + 2 + params + scope + (named ? 0 : 1);
    count.text += node.end - node.start;
    return true;
  };
  visit(program, null, 0);
  return count;
}

/** Variables of a value held in RAM, as Espruino stores it (see the module comment). Keys
 *  matching `mangled` are counted at the two characters the minifier shortens them to. */
export function dataVars(value: unknown, mangled?: RegExp): number {
  if (Array.isArray(value)) {
    let total = 1;
    for (const item of value) total += 1 + memberVars(item, mangled);
    return total;
  }
  if (typeof value === 'object' && value !== null) {
    // Not a plain object: a value the board makes itself (a pin), one variable.
    if (Object.getPrototypeOf(value) !== Object.prototype) return 1;
    let total = 1;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const length = mangled?.test(key) ? 2 : key.length;
      total += nameVars(length) + memberVars(item, mangled);
    }
    return total;
  }
  if (typeof value === 'string') return stringVars(value.length);
  return 1;
}

/** A member's value beyond its name: an integer lives inside the name (a boolean or null is
 *  a variable of its own). */
function memberVars(value: unknown, mangled?: RegExp): number {
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 2 ** 31) return 0;
  return dataVars(value, mangled);
}

/** Bytes of the outbox's typed arrays: time and one float per channel, per message. */
export function outboxVars(plan: RuntimePlan): number {
  let channels = 0;
  for (const sensor of plan.sensors) channels += sensor.channels.length;
  const bytes = plan.bufferSize * (8 + 4 * Math.max(channels, 1));
  // Two typed arrays, each a view, a buffer and the flat string that holds the bytes.
  return 6 + Math.ceil(bytes / VAR_BYTES);
}

export function runningVars(plan: RuntimePlan): number {
  let channels = 0;
  let watched = 0;
  const parts = new Set<string>();
  for (const sensor of plan.sensors) {
    channels += sensor.channels.length;
    if (sensor.part === 'button' || sensor.part === 'pir') watched++;
    parts.add(sensor.part);
  }
  return (
    RUNNING.base +
    RUNNING.timers +
    RUNNING.socket +
    RUNNING.inFlight * (plan.window + 1) +
    RUNNING.perSensor * plan.sensors.length +
    RUNNING.perChannel * channels +
    RUNNING.perWatch * watched +
    RUNNING.perExtraDriver * (plan.sensors.length - parts.size)
  );
}

/**
 * The estimate for a bundle: its code, the data it starts with (`data`: the plan and the other
 * members of its start object, as the build put them in), and the plan it runs.
 */
export function estimateVars(
  code: string,
  data: unknown,
  plan: RuntimePlan,
  boardId: string,
  mangled?: RegExp,
): VarsEstimate {
  const counted = codeVars(code);
  const text = FLASH_RESIDENT_CODE.has(boardId) ? 0 : Math.ceil(counted.text / VAR_BYTES);
  const planVars = dataVars(data, mangled);
  const outbox = outboxVars(plan);
  const running = runningVars(plan);
  return {
    code: counted.vars,
    text,
    plan: planVars,
    outbox,
    running,
    total: counted.vars + text + planVars + outbox + running,
    functions: counted.functions,
  };
}
