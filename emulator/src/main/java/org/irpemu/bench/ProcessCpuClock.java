package org.irpemu.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The CPU time the whole JVM process has used, ns: dispatchers, clients, JIT compiler and GC together,
 * which is what a wait strategy costs the machine (a busy-spinning dispatcher burns its core while idle,
 * a blocking one does not). Read from {@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime},
 * available on HotSpot JVMs.
 */
final class ProcessCpuClock {
    /** Returned when the JVM does not report its process CPU time. */
    static final long UNAVAILABLE = -1;

    private ProcessCpuClock() {
    }

    /** @return the process's CPU time so far, ns, or {@link #UNAVAILABLE} */
    static long nanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            long t = ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
            return t < 0 ? UNAVAILABLE : t;
        }
        return UNAVAILABLE;
    }
}
