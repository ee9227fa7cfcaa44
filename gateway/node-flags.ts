/**
 * Node.js options the gateway process starts with, wherever FullStack starts it as a process
 * of its own (the systemd unit, the benchmark).
 *
 * `--max-semi-space-size=64`: V8's young generation, 16 MB semi-spaces by default. Under load
 * every message in flight survives one scavenge, and scavenges were the largest cost of the
 * gateway (about a fifth of its event loop at full load): with 64 MB semi-spaces the gateway
 * used 67–69 % of a core at 10,000 messages/s instead of 77–80 %, for up to about 100 MB more
 * RSS under load (docs/gateway.md, "Performance"). It must be given on the command line: the
 * heap is sized before any code runs, and `v8.setFlagsFromString` has no effect on it then.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
