package org.irpemu.bench;

import org.irpemu.emulator.Machine;
import org.irpemu.io.DispatcherWaitStrategy;

/**
 * The machine every latency benchmark runs on: one busy-spinning dispatcher (the JMH thread has the other
 * core of a two-core machine), {@code filters} PassThrough minifilters ({@link PassThroughStack}), and the
 * given files, each {@code size} bytes. Closed handles' file objects are reused, as Windows reuses handle
 * values, so that the steady state allocates nothing.
 */
final class BenchMachine {
    private BenchMachine() {
    }

    static Machine start(int filters, long size, String... files) {
        Machine m = PassThroughStack.attach(
                Machine.builder().waitStrategy(DispatcherWaitStrategy.BUSY_SPIN).recycleFileObjects(true), filters)
                .build();
        for (String f : files) {
            m.fileSystem().createFile(f, size, 0);
        }
        return m;
    }
}
