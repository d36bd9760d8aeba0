// The node flags the agent daemon runs with on the appliance (image/rootfs/etc/systemd/system/
// seatbox-agent.service) and in the demo (scripts/start-demo.sh). --max-semi-space-size=2: the
// young generation would otherwise grow to 3 x 16 MB after the start-up burst (schema
// compilation) and stay there; a daemon with a low allocation rate does not need it (~25 MB RSS).
// --optimize-for-size: V8 keeps a smaller heap (~20 MB less RSS after start with the desk, SMS,
// reports and wallboard modules); the agent's CPU use stays far under its budget (capacity bench).
// tests/integration/daemon.test.ts checks that the unit and this list agree.
export const APPLIANCE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--optimize-for-size'];
