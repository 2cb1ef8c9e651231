package org.irpemu.flt;

import java.math.BigDecimal;
import org.irpemu.irp.DeviceObject;

/**
 * An instance of a minifilter on a volume ({@code PFLT_INSTANCE}) at an altitude. Altitudes are decimal
 * strings compared numerically ("370030" is above "320000"; "385100.5" is valid); the higher one sees
 * pre-operation callbacks first.
 */
public final class FltInstance implements Comparable<FltInstance> {
    private final FltFilter filter;
    private final DeviceObject volume;
    private final String altitude;
    private final BigDecimal altitudeValue;
    private final String name;

    FltInstance(FltFilter filter, DeviceObject volume, String altitude, String name) {
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
