/**
 * What `fullstack install` refuses before it prints or changes anything: a user name useradd
 * would reject, paths that cannot be written into a unit file or a shell line as they are, and
 * an installation the units' sandbox would hide from the service.
 */
import type { InstallPlan } from './systemd.js';

/**
 * A POSIX portable user name as useradd's default NAME_REGEX accepts it (lower case; 32
 * characters at most, the utmp limit). Anything else would be refused by useradd or need
 * quoting in `User=`.
 */
export const USER_NAME_PATTERN = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * Path characters that need neither shell quoting in the dry-run commands nor escaping in a
 * unit file: whitespace splits `WorkingDirectory=`/`ReadWritePaths=` lists and shell words, `%`
 * is a systemd specifier, `\`, quotes, `$`, `;` and the like are shell syntax. Refusing them
 * is simpler and clearer than escaping each for two languages.
 */
const SAFE_PATH = /^\/[A-Za-z0-9._/@+:-]*$/;

/**
 * Directories the units hide: `ProtectHome=yes` makes /home, /root and /run/user empty and
 * inaccessible; `PrivateTmp=yes` gives the service its own empty /tmp and /var/tmp.
 */
const HIDDEN_BY_SANDBOX: ReadonlyArray<{ dir: string; by: string }> = [
  { dir: '/home', by: 'ProtectHome=yes' },
  { dir: '/root', by: 'ProtectHome=yes' },
  { dir: '/run/user', by: 'ProtectHome=yes' },
  { dir: '/tmp', by: 'PrivateTmp=yes' },
  { dir: '/var/tmp', by: 'PrivateTmp=yes' },
];

export function userNameProblem(user: string): string | undefined {
  if (USER_NAME_PATTERN.test(user)) return undefined;
  return `--user ${JSON.stringify(user)} is not a valid system user name (allowed: a lower-case letter or _, then up to 31 of a-z, 0-9, _ and -; e.g. fullstack).`;
}

export function pathProblem(what: string, path: string): string | undefined {
  if (!path.startsWith('/')) return `${what} ${JSON.stringify(path)} must be an absolute path.`;
  if (SAFE_PATH.test(path)) return undefined;
  const bad = [...new Set([...path].filter((c) => !/[A-Za-z0-9._/@+:-]/.test(c)))]
    .map((c) => (/\s/.test(c) ? JSON.stringify(c) : `'${c}'`))
    .join(' ');
  return `${what} ${JSON.stringify(path)} contains ${bad}: systemd units and the printed commands need paths of letters, digits and . _ / @ + : - only (choose a path without spaces, e.g. /var/lib/fullstack).`;
}

function hiddenBy(path: string): { dir: string; by: string } | undefined {
  return HIDDEN_BY_SANDBOX.find(({ dir }) => path === dir || path.startsWith(`${dir}/`));
}

/** The user name and every path of the plan, as uninstall needs them too. */
export function nameAndPathProblems(plan: InstallPlan): string[] {
  const problems: string[] = [];
  const user = userNameProblem(plan.user);
  if (user) problems.push(user);
  const paths: Array<[string, string]> = [
    ['--data-dir', plan.dataDir],
    ['--config-dir', plan.configDir],
    ['--unit-dir', plan.unitDir],
    ['the FullStack installation', plan.root],
    ['the Node.js binary', plan.node],
  ];
  for (const [what, path] of paths) {
    const problem = pathProblem(what, path);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** What the units' sandbox would hide from the services (install only). */
export function sandboxProblems(plan: InstallPlan): string[] {
  const problems: string[] = [];
  const root = hiddenBy(plan.root);
  if (root) {
    problems.push(
      `FullStack is installed in ${plan.root}, which the services cannot see (${root.by} hides ${root.dir}; on Raspberry Pi OS home directories are also mode 700, closed to the "${plan.user}" user). Put a copy where services can read it and install from there: sudo mkdir -p /opt/fullstack && sudo cp -a ${plan.root}/. /opt/fullstack/ && cd /opt/fullstack && sudo node bin/fullstack.js install`,
    );
  }
  const node = hiddenBy(plan.node);
  if (node) {
    problems.push(
      `Node.js is ${plan.node}, which the services cannot run (${node.by} hides ${node.dir}; nvm installs Node there). Install Node.js system-wide (sudo apt install nodejs, or NodeSource's package, which put it in /usr/bin) and run the install with that node.`,
    );
  }
  for (const [what, path] of [
    ['--data-dir', plan.dataDir],
    ['--config-dir', plan.configDir],
  ] as const) {
    const hidden = hiddenBy(path);
    if (hidden) {
      problems.push(
        `${what} ${path} is hidden from the services (${hidden.by} hides ${hidden.dir}); use a directory outside it, e.g. ${what === '--data-dir' ? '/var/lib/fullstack' : '/etc/fullstack/devices'}.`,
      );
    }
  }
  return problems;
}

/** Every problem with the plan, each with its fix; empty when it can be installed. */
export function installPlanProblems(plan: InstallPlan): string[] {
  return [...nameAndPathProblems(plan), ...sandboxProblems(plan)];
}
