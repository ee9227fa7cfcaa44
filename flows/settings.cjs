// Node-RED settings for FullStack. Node-RED loads this file with require(), so it is CommonJS
// (the rest of the project is ESM). Everything that varies per run arrives through environment
// variables set by flows/launch.ts; nothing here hard-codes a port, a host or a path.
//   FULLSTACK_NR_HOST, FULLSTACK_NR_PORT  where the editor, dashboard and API listen
//   FULLSTACK_NR_AUTH_FILE                JSON {"username","passwordHash"} (bcrypt) for adminAuth
//   FULLSTACK_NR_PROTECT_UI=1             the dashboard and /api/ need the same login too
//   FULLSTACK_NODES_DIR                   the built FullStack node package (dist/flows/nodes)
//   FULLSTACK_NR_LOG_LEVEL                Node-RED's console log level (default info)
//   FULLSTACK_NR_CREDENTIAL_SECRET        key for the flow credentials file (default: none)
const fs = require('node:fs');
const { apiJsonBody } = require('./api-body.cjs');

const env = process.env;

function readAuth(file) {
  if (!file || !fs.existsSync(file)) return undefined;
  const auth = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (typeof auth.username !== 'string' || typeof auth.passwordHash !== 'string') {
    throw new Error(`${file}: expected {"username": string, "passwordHash": string}`);
  }
  return auth;
}

const auth = readAuth(env.FULLSTACK_NR_AUTH_FILE);

module.exports = {
  uiHost: env.FULLSTACK_NR_HOST || '127.0.0.1',
  uiPort: Number(env.FULLSTACK_NR_PORT || 1880),
  flowFile: 'flows.json',
  flowFilePretty: true,
  // Unset: Node-RED generates a key and keeps it in the user dir (.config.runtime.json).
  credentialSecret: env.FULLSTACK_NR_CREDENTIAL_SECRET || undefined,
  nodesDir: env.FULLSTACK_NODES_DIR ? [env.FULLSTACK_NODES_DIR] : [],
  adminAuth: auth
    ? {
        type: 'credentials',
        users: [{ username: auth.username, password: auth.passwordHash, permissions: '*' }],
      }
    : undefined,
  httpNodeAuth:
    auth && env.FULLSTACK_NR_PROTECT_UI === '1'
      ? { user: auth.username, pass: auth.passwordHash }
      : undefined,
  // /api/ bodies are parsed here so that a body that is not JSON gets a JSON 400 (api-body.cjs).
  // Both: with the editor and the nodes on one root, the editor's app (and its body parser)
  // sees every request first; httpAdminMiddleware runs before that parser.
  httpAdminMiddleware: apiJsonBody,
  httpNodeMiddleware: apiJsonBody,
  // No network: no update check, no diagnostics endpoint, no palette catalogue fetch.
  diagnostics: { enabled: false, ui: false },
  runtimeState: { enabled: false, ui: false },
  telemetry: { enabled: false, updateNotification: false },
  externalModules: { palette: { allowInstall: true, allowUpload: true } },
  editorTheme: {
    page: { title: 'FullStack · Node-RED' },
    header: { title: 'FullStack' },
    tours: false,
  },
  logging: {
    console: { level: env.FULLSTACK_NR_LOG_LEVEL || 'info', metrics: false, audit: false },
  },
  exportGlobalContextKeys: false,
  functionExternalModules: false,
};
