// The node flags the agent daemon runs with on the appliance (image/rootfs/etc/systemd/system/
// seatbox-agent.service) and in the demo (scripts/start-demo.sh). --max-semi-space-size=2: the
// young generation would otherwise grow to 3 x 16 MB after the start-up burst (schema
// compilation) and stay there; a daemon with a low allocation rate does not need it (~25 MB RSS).
// tests/integration/daemon.test.ts checks that the unit and this list agree.
export const APPLIANCE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
