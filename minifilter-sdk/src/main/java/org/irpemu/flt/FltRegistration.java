package org.irpemu.flt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.irpemu.irp.IrpMajorFunction;

/**
 * {@code FLT_REGISTRATION}: what a minifilter gives {@code FltRegisterFilter}: its name, the callbacks of
 * the operations it filters, the context types it uses, and its unload, instance setup and teardown
 * callbacks (each optional, with the WDK's meaning when absent). Built with {@link #builder(String)}.
 */
public final class FltRegistration {
    private final String name;
    private final FltOperationRegistration[] byMajor;
    private final List<FltOperationRegistration> operations;
    private final List<FltContextRegistration> contexts;
    private final FltFilterUnloadCallback filterUnload;
    private final FltInstanceSetupCallback instanceSetup;
    private final FltInstanceQueryTeardownCallback instanceQueryTeardown;
    private final FltInstanceTeardownCallback instanceTeardownStart;
    private final FltInstanceTeardownCallback instanceTeardownComplete;

    private FltRegistration(Builder b) {
        this.name = b.name;
        this.operations = Collections.unmodifiableList(new ArrayList<>(b.operations));
        this.contexts = Collections.unmodifiableList(new ArrayList<>(b.contexts));
        this.filterUnload = b.filterUnload;
        this.instanceSetup = b.instanceSetup;
        this.instanceQueryTeardown = b.instanceQueryTeardown;
        this.instanceTeardownStart = b.instanceTeardownStart;
        this.instanceTeardownComplete = b.instanceTeardownComplete;
        this.byMajor = new FltOperationRegistration[IrpMajorFunction.IRP_MJ_MAXIMUM_FUNCTION + 1];
        for (FltOperationRegistration op : operations) {
            if (byMajor[op.majorFunction()] != null) {
                throw new IllegalArgumentException("two registrations for "
                        + IrpMajorFunction.name(op.majorFunction()));
            }
            byMajor[op.majorFunction()] = op;
        }
    }

    /** @param name the filter's name, as {@code fltmc filters} would show it */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** @return the filter's name */
    public String name() {
        return name;
    }

    /** @return OperationRegistration, in registration order */
    public List<FltOperationRegistration> operations() {
        return operations;
    }

    /** @return the registration for a major function, or {@code null} */
    public FltOperationRegistration operation(int majorFunction) {
        return byMajor[majorFunction];
    }

    /** @return ContextRegistration, in registration order */
    public List<FltContextRegistration> contexts() {
        return contexts;
    }

    /**
     * @return the first registration of a context type (the WDK: duplicates, the first wins), or
     *     {@code null}
     */
    public FltContextRegistration context(int contextType) {
        for (FltContextRegistration c : contexts) {
            if (c.contextType() == contextType) {
                return c;
            }
        }
        return null;
    }

    /** @return FilterUnloadCallback, or {@code null} (the filter cannot be unloaded) */
    public FltFilterUnloadCallback filterUnload() {
        return filterUnload;
    }

    /** @return InstanceSetupCallback, or {@code null} (always attach) */
    public FltInstanceSetupCallback instanceSetup() {
        return instanceSetup;
    }

    /** @return InstanceQueryTeardownCallback, or {@code null} (no detaching by hand) */
    public FltInstanceQueryTeardownCallback instanceQueryTeardown() {
        return instanceQueryTeardown;
    }

    /** @return InstanceTeardownStartCallback, or {@code null} */
    public FltInstanceTeardownCallback instanceTeardownStart() {
        return instanceTeardownStart;
    }

    /** @return InstanceTeardownCompleteCallback, or {@code null} */
    public FltInstanceTeardownCallback instanceTeardownComplete() {
        return instanceTeardownComplete;
    }

    /** Builds an {@link FltRegistration}. */
    public static final class Builder {
        private final String name;
        private final List<FltOperationRegistration> operations = new ArrayList<>();
        private final List<FltContextRegistration> contexts = new ArrayList<>();
        private FltFilterUnloadCallback filterUnload;
        private FltInstanceSetupCallback instanceSetup;
        private FltInstanceQueryTeardownCallback instanceQueryTeardown;
        private FltInstanceTeardownCallback instanceTeardownStart;
        private FltInstanceTeardownCallback instanceTeardownComplete;

        private Builder(String name) {
            this.name = name;
        }

        /** Adds an operation registration with no flags. */
        public Builder operation(int majorFunction, FltPreOperationCallback pre, FltPostOperationCallback post) {
            return operation(new FltOperationRegistration(majorFunction, 0, pre, post));
        }

        public Builder operation(FltOperationRegistration registration) {
            operations.add(registration);
            return this;
        }

        /** Adds a context registration. */
        public Builder context(FltContextRegistration registration) {
            contexts.add(registration);
            return this;
        }

        /** Adds a context registration ({@code FltContextRegistration(type, size, cleanup)}). */
        public Builder context(int contextType, int size, FltContextCleanupCallback cleanup) {
            return context(new FltContextRegistration(contextType, size, cleanup));
        }

        public Builder filterUnload(FltFilterUnloadCallback callback) {
            this.filterUnload = callback;
            return this;
        }

        public Builder instanceSetup(FltInstanceSetupCallback callback) {
            this.instanceSetup = callback;
            return this;
        }

        public Builder instanceQueryTeardown(FltInstanceQueryTeardownCallback callback) {
            this.instanceQueryTeardown = callback;
            return this;
        }

        public Builder instanceTeardownStart(FltInstanceTeardownCallback callback) {
            this.instanceTeardownStart = callback;
            return this;
        }

        public Builder instanceTeardownComplete(FltInstanceTeardownCallback callback) {
            this.instanceTeardownComplete = callback;
            return this;
        }

        public FltRegistration build() {
            return new FltRegistration(this);
        }
    }
}
