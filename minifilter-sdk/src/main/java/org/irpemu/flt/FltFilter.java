package org.irpemu.flt;

/** A registered minifilter ({@code PFLT_FILTER}), returned by {@link FilterManager#registerFilter}. */
public final class FltFilter {
    private final FltRegistration registration;
    private volatile boolean filtering;

    FltFilter(FltRegistration registration) {
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
