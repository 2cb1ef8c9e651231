package org.irpemu.flt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.irpemu.irp.IrpMajorFunction;

/**
 * {@code FLT_REGISTRATION}: what a minifilter gives {@code FltRegisterFilter}: its name and the
 * callbacks of the operations it filters. Built with {@link #builder(String)}.
 */
public final class FltRegistration {
    private final String name;
    private final FltOperationRegistration[] byMajor;
    private final List<FltOperationRegistration> operations;

    private FltRegistration(String name, List<FltOperationRegistration> operations) {
        this.name = name;
        this.operations = Collections.unmodifiableList(new ArrayList<>(operations));
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

    /** Builds an {@link FltRegistration}. */
    public static final class Builder {
        private final String name;
        private final List<FltOperationRegistration> operations = new ArrayList<>();

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

        public FltRegistration build() {
            return new FltRegistration(name, operations);
        }
    }
}
