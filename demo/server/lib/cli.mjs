// @ts-check
/** Tiny helpers for the demo CLIs: flags, env numbers, clean shutdown. */

/**
 * Value of `--name value` or `--name=value`.
 * @param {string[]} argv
 * @param {string} name
 */
export function flag(argv, name) {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/**
 * @param {string | undefined} value
 * @param {number} fallback
 * @param {string} what for the error message
 */
export function toInt(value, fallback, what) {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) {
    console.error(`Invalid ${what}: ${value}`);
    process.exit(2);
  }
  return number;
}

/**
 * Close the servers on SIGINT/SIGTERM and exit 0; a second signal exits at once.
 * @param {Array<{ close(): Promise<void> }>} servers
 */
export function closeOnSignals(servers) {
  let closing = false;
  const stop = async () => {
    if (closing) process.exit(1);
    closing = true;
    await Promise.allSettled(servers.map((server) => server.close()));
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
