// The appliance image tests: qemu (TCG here) boots of dist/image/seatbox.img. Slow (tens of
// minutes on 2 cores): not part of `npm test`; run with `npm run test:image`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/image/**/*.image.ts'],
    pool: 'forks',
    maxWorkers: 1,
    minWorkers: 1,
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
  },
});
