package org.irpemu.bench;

import org.irpemu.emulator.Machine;
import org.irpemu.flt.samples.PassThrough;

/**
 * Stacks N {@link PassThrough} minifilters on a machine, named {@code PassThrough1} .. {@code PassThroughN}
 * at altitudes 370030, 370031, ... (the WDK passThrough sample's altitude and the ones above it), so that
 * every request crosses N pre- and N post-operation callbacks. Used by {@code irpemu bench --filters}
 * and by the JMH benchmarks.
 */
public final class PassThroughStack {
    /** The altitude of {@code PassThrough1}; filter {@code k} (1-based) sits at this plus k - 1. */
    public static final int FIRST_ALTITUDE = 370030;

    private PassThroughStack() {
    }

    /**
     * @param filters how many filters, 0 or more
     * @return {@code builder}
     */
    public static Machine.Builder attach(Machine.Builder builder, int filters) {
        for (int k = 1; k <= filters; k++) {
            builder.attach(PassThrough.registration(PassThrough.NAME + k), Integer.toString(FIRST_ALTITUDE + k - 1));
        }
        return builder;
    }
}
