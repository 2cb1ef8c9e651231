package org.irpemu.cli;

import java.util.concurrent.Callable;
import org.irpemu.emulator.FilterCatalog;
import picocli.CommandLine.Command;

/** {@code irpemu filters}: the minifilters that scenarios and {@code run --attach} can attach. */
@Command(name = "filters", mixinStandardHelpOptions = true,
        description = "Lists the minifilters that can be attached, with their default altitudes.")
public final class FiltersCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.printf("%-22s %-10s %s%n", "NAME", "ALTITUDE", "DESCRIPTION");
        for (FilterCatalog.Entry e : FilterCatalog.all().values()) {
            System.out.printf("%-22s %-10s %s%n", e.name(), e.defaultAltitude(), e.description());
        }
        return 0;
    }
}
