package org.irpemu.irp;

/**
 * {@code IO_COMPLETION_ROUTINE}: called by {@link Io#completeRequest(Irp)} as the IRP travels back up
 * the device stack, with the stack location of the driver that set it current.
 *
 * <p>Return {@link Io#STATUS_CONTINUE_COMPLETION} to let completion go on, or
 * {@code STATUS_MORE_PROCESSING_REQUIRED} to keep the IRP; the driver must then complete it again
 * later with {@link Io#completeRequest(Irp)}.
 */
@FunctionalInterface
public interface IoCompletionRoutine {
    /**
     * @param deviceObject the device of the driver that set the routine; {@code null} when the I/O
     *     manager itself set it on the top location
     * @param irp the IRP being completed
     * @param context the context given to {@link Io#setCompletionRoutine}
     * @return {@link Io#STATUS_CONTINUE_COMPLETION} or {@code STATUS_MORE_PROCESSING_REQUIRED}
     */
    int complete(DeviceObject deviceObject, Irp irp, Object context);
}
