package org.irpemu.flt.samples;

import org.irpemu.flt.FltPostOperationCallback;
import org.irpemu.flt.FltPostopCallbackStatus;
import org.irpemu.flt.FltPreOperationCallback;
import org.irpemu.flt.FltPreopCallbackStatus;
import org.irpemu.flt.FltRegistration;
import org.irpemu.irp.IrpMajorFunction;

/**
 * The smallest useful minifilter, in the spirit of the WDK's passThrough sample: it registers a pre- and
 * a post-operation callback for every major function, asks for the post-operation callback and changes
 * nothing. It is the skeleton to start a filter from, and the filter the benchmarks stack to measure
 * what the Filter Manager frame costs per instance.
 *
 * <p>Its callbacks neither allocate nor capture: one instance serves any number of operations.
 */
public final class PassThrough {
    /** The filter's name. */
    public static final String NAME = "PassThrough";
    /** The WDK passThrough sample's altitude (FSFilter Activity Monitor group). */
    public static final String DEFAULT_ALTITUDE = "370030";

    private static final FltPreOperationCallback PRE =
            (data, fltObjects, completionContext) -> FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
    private static final FltPostOperationCallback POST =
            (data, fltObjects, completionContext, flags) -> FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;

    private PassThrough() {
    }

    /** @return the registration, named {@value #NAME} */
    public static FltRegistration registration() {
        return registration(NAME);
    }

    /**
     * @param name the filter's name; several pass-through filters can be stacked under different names
     * @return a registration with a pre- and a post-operation callback for IRP_MJ_CREATE through
     *     IRP_MJ_MAXIMUM_FUNCTION
     */
    public static FltRegistration registration(String name) {
        FltRegistration.Builder b = FltRegistration.builder(name);
        for (int major = 0; major <= IrpMajorFunction.IRP_MJ_MAXIMUM_FUNCTION; major++) {
            b.operation(major, PRE, POST);
        }
        return b.build();
    }
}
