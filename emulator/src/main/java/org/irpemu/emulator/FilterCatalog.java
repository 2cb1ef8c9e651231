package org.irpemu.emulator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.irpemu.flt.FltRegistration;
import org.irpemu.flt.samples.ActivityMonitor;
import org.irpemu.flt.samples.AntivirusScanner;
import org.irpemu.flt.samples.CancelSafe;
import org.irpemu.flt.samples.PassThrough;
import org.irpemu.flt.samples.VirtualFile;

/**
 * The minifilters the command line and scenarios can attach by name, each with its default altitude.
 */
public final class FilterCatalog {
    /** A filter that can be attached: how to make its registration and where it sits by default. */
    public static final class Entry {
        private final String name;
        private final String defaultAltitude;
        private final String description;
        private final Supplier<FltRegistration> factory;

        Entry(String name, String defaultAltitude, String description, Supplier<FltRegistration> factory) {
            this.name = name;
            this.defaultAltitude = defaultAltitude;
            this.description = description;
            this.factory = factory;
        }

        public String name() {
            return name;
        }

        public String defaultAltitude() {
            return defaultAltitude;
        }

        public String description() {
            return description;
        }

        /** @return a new registration (a new filter instance with its own state) */
        public FltRegistration newRegistration() {
            return factory.get();
        }
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        add(new Entry(ActivityMonitor.NAME, ActivityMonitor.DEFAULT_ALTITUDE,
                "records every operation it sees, like the WDK's minispy", () -> new ActivityMonitor().registration()));
        add(new Entry(PassThrough.NAME, PassThrough.DEFAULT_ALTITUDE,
                "passes every operation down and back up unchanged, like the WDK's passThrough",
                PassThrough::registration));
        add(new Entry(CancelSafe.NAME, CancelSafe.DEFAULT_ALTITUDE,
                "pends creates of *" + CancelSafe.DEFAULT_SUFFIX + " files in a cancel-safe queue, resumes them 20 ms later",
                () -> new CancelSafe().registration()));
        add(new Entry(AntivirusScanner.NAME, AntivirusScanner.DEFAULT_ALTITUDE,
                "scans opened files under a Read-Handle oplock of its own (FILE_OPEN_REQUIRING_OPLOCK), backs out on a break",
                () -> new AntivirusScanner().registration()));
        add(new Entry(VirtualFile.NAME, VirtualFile.DEFAULT_ALTITUDE,
                "presents " + VirtualFile.DEFAULT_PATH + " itself and runs its own oplock on it (Flt oplock routines)",
                () -> new VirtualFile().registration()));
    }

    private FilterCatalog() {
    }

    private static void add(Entry e) {
        ENTRIES.put(e.name().toLowerCase(java.util.Locale.ROOT), e);
    }

    /** @return the entry of a filter name (case-insensitive), or {@code null} */
    public static Entry find(String name) {
        return ENTRIES.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** @return every filter, in catalog order */
    public static Map<String, Entry> all() {
        return Collections.unmodifiableMap(ENTRIES);
    }
}
