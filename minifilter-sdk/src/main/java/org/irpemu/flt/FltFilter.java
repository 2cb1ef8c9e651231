package org.irpemu.flt;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A registered minifilter ({@code PFLT_FILTER}), returned by {@link FilterManager#registerFilter}. */
public final class FltFilter {
    private final FltRegistration registration;
    final FilterManager frame;
    private volatile boolean filtering;
    volatile boolean unregistering;
    /** Contexts allocated and not yet freed, for leak reports at unload. */
    final Set<FltContext> liveContexts = ConcurrentHashMap.newKeySet();

    FltFilter(FilterManager frame, FltRegistration registration) {
        this.frame = frame;
        this.registration = registration;
    }

    /** @return the registration the filter was registered with */
    public FltRegistration registration() {
        return registration;
    }

    /** @return the filter's name */
    public String name() {
        return registration.name();
    }

    /** @return whether {@code FltStartFiltering} was called */
    public boolean isFiltering() {
        return filtering;
    }

    void startFiltering() {
        filtering = true;
    }

    @Override
    public String toString() {
        return registration.name();
    }
}
