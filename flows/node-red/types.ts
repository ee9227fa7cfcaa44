/**
 * The slice of Node-RED's runtime API that the FullStack nodes use (Node-RED ships no types).
 * Kept small on purpose: a node that needs more should say so here.
 */
export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export interface NodeMessage {
  _msgid?: string;
  topic?: string;
  payload?: unknown;
  [key: string]: unknown;
}

export type Send = (msg: NodeMessage | Array<NodeMessage | null> | null) => void;
export type Done = (error?: Error) => void;

export interface Node {
  id: string;
  name?: string;
  credentials?: Record<string, string | undefined>;
  status(status: NodeStatus): void;
  send(msg: NodeMessage | Array<NodeMessage | null> | null): void;
  warn(text: unknown): void;
  error(text: unknown, msg?: NodeMessage): void;
  log(text: unknown): void;
  on(
    event: 'input',
    handler: (msg: NodeMessage, send: Send, done: Done) => void | Promise<void>,
  ): void;
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
}

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  [key: string]: unknown;
}

export interface NodeAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    getNode(id: string): unknown;
    registerType(
      type: string,
      nodeConstructor: (this: Node, def: NodeDef) => void,
      options?: { credentials?: Record<string, { type: 'text' | 'password' }> },
    ): void;
  };
  util: {
    evaluateNodeProperty(value: string, type: string, node: Node, msg: NodeMessage): unknown;
  };
}
