package org.irpemu.flt;

import java.math.BigDecimal;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.irpemu.irp.DeviceObject;

/**
 * An instance of a minifilter on a volume ({@code PFLT_INSTANCE}) at an altitude. Altitudes are decimal
 * strings compared numerically ("370030" is above "320000"; "385100.5" is valid); the higher one sees
 * pre-operation callbacks first.
 */
public final class FltInstance implements Comparable<FltInstance> {
    static final int ATTACHED = 0;
    static final int TEARING_DOWN = 1;
    static final int DETACHED = 2;

    private final FltFilter filter;
    private final DeviceObject volume;
    private final String altitude;
    private final BigDecimal altitudeValue;
    private final String name;
    final FilterManager frame;
    volatile int state = ATTACHED;
    /** The instance context, guarded by the frame's context lock. */
    FltContext instanceContext;
    /** Every context set for this instance (instance, stream and stream handle ones), to delete at teardown. */
    final Set<FltContext> linkedContexts = ConcurrentHashMap.newKeySet();
    /** Filter-initiated operations in flight, and the file objects the filter opened and has not closed. */
    final AtomicInteger generatedOutstanding = new AtomicInteger();
    final Set<org.irpemu.irp.FileObject> openedFiles = ConcurrentHashMap.newKeySet();

    FltInstance(FilterManager frame, FltFilter filter, DeviceObject volume, String altitude, String name) {
        this.frame = frame;
        this.filter = filter;
        this.volume = volume;
        this.altitude = altitude;
        this.altitudeValue = parseAltitude(altitude);
        this.name = name;
    }

    /**
     * @return the altitude as a number
     * @throws IllegalArgumentException when the text is not a non-negative decimal number
     */
    static BigDecimal parseAltitude(String altitude) {
        try {
            BigDecimal v = new BigDecimal(altitude);
            if (v.signum() < 0 || !altitude.matches("[0-9]+(\\.[0-9]+)?")) {
                throw new IllegalArgumentException("altitude must be a non-negative decimal number: " + altitude);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("altitude must be a non-negative decimal number: " + altitude, e);
        }
    }

    /** @return the filter */
    public FltFilter filter() {
        return filter;
    }

    /** @return the volume's file system device */
    public DeviceObject volume() {
        return volume;
    }

    /** @return the altitude as given */
    public String altitude() {
        return altitude;
    }

    /** @return the instance name */
    public String name() {
        return name;
    }

    /** @return whether the instance is attached and not being torn down */
    public boolean isAttached() {
        return state == ATTACHED;
    }

    /** @return whether this instance sits below {@code other} (its altitude is lower) */
    boolean isBelow(FltInstance other) {
        return altitudeValue.compareTo(other.altitudeValue) < 0;
    }

    /** Orders by altitude, highest first. */
    @Override
    public int compareTo(FltInstance o) {
        return o.altitudeValue.compareTo(altitudeValue);
    }

    @Override
    public String toString() {
        return name + "@" + altitude;
    }
}
