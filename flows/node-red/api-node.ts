/**
 * `fullstack api`: answers one REST route for an `http in` node; wire its output to an
 * `http response` node. The API keys file is re-read when it changes.
 */
import { API_ROUTES, type ApiContext, type ApiRoute, handleApi } from '../lib/api.js';
import { ApiKeyVerifier } from '../lib/api-keys.js';
import { backendOf } from './backend-of.js';
import type { Node, NodeAPI, NodeDef } from './types.js';

interface HttpRequest {
  method?: string;
  originalUrl?: string;
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  headers?: Record<string, string | string[] | undefined>;
  body?: unknown;
}

export default function register(RED: NodeAPI): void {
  RED.nodes.registerType('fullstack api', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const backend = backendOf(RED, this, def.backend);
    if (!backend) return;
    const route = String(def.route) as ApiRoute;
    if (!(API_ROUTES as readonly string[]).includes(route)) {
      this.status({ fill: 'red', shape: 'ring', text: `unknown route ${route}` });
      this.error(`route "${route}" is not one of ${API_ROUTES.join(', ')}`);
      return;
    }
    const keysFile = String(def.keys || process.env.FULLSTACK_API_KEYS || '');
    const verifier =
      def.auth === false || keysFile === '' ? undefined : new ApiKeyVerifier(keysFile);
    const context: ApiContext = {
      now: () => Date.now(),
      devices: () => backend.fleet.snapshot(),
      device: (id) => backend.fleet.snapshot().find((d) => d.device === id),
      storedDevices: () => (backend.hasDatabase() ? backend.readings().devices() : []),
      storedSensors: (id) => (backend.hasDatabase() ? backend.readings().sensors(id) : []),
      readings: (query) => backend.readings().query(query),
      command: (request) => backend.sendCommand(request),
    };
    if (verifier) context.checkKey = (authorization) => verifier.check(authorization);
    let served = 0;
    this.status({
      fill: 'grey',
      shape: 'ring',
      text: verifier ? route : `${route} (no key required)`,
    });
    this.on('input', async (msg, send, done) => {
      const req = (msg.req ?? {}) as HttpRequest;
      const response = await handleApi(
        route,
        {
          method: req.method,
          path: req.originalUrl?.split('?')[0],
          params: req.params ?? {},
          query: req.query ?? {},
          headers: req.headers ?? {},
          body: req.body,
        },
        context,
      );
      served += 1;
      this.status({
        fill: response.status < 400 ? 'green' : 'yellow',
        shape: 'dot',
        text: `${route}: ${served} · last ${response.status}`,
      });
      send({
        ...msg,
        statusCode: response.status,
        payload: response.body,
        headers: { ...response.headers, 'content-type': 'application/json' },
      });
      done();
    });
  });
}
