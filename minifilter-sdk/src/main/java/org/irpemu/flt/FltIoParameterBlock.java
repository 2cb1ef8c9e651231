package org.irpemu.flt;

import org.irpemu.irp.FileObject;
import org.irpemu.irp.IoStackLocation;

/**
 * {@code FLT_IO_PARAMETER_BLOCK} ({@code Data->Iopb}): the operation's function codes, target and
 * parameters. {@link #parameters()} is the {@code FLT_PARAMETERS} union, which mirrors the IRP stack
 * location's {@code Parameters}; a filter that changes anything here must call
 * {@code Flt.setCallbackDataDirty} so that the instances below and the file system see the change.
 */
public final class FltIoParameterBlock {
    private final IoStackLocation parameters = new IoStackLocation();
    private FltInstance targetInstance;

    /** @return MajorFunction */
    public int majorFunction() {
        return parameters.majorFunction();
    }

    /** @return MinorFunction */
    public int minorFunction() {
        return parameters.minorFunction();
    }

    public FltIoParameterBlock minorFunction(int minor) {
        parameters.minorFunction(minor);
        return this;
    }

    /** @return OperationFlags (the IRP stack location's Flags, SL_*) */
    public int operationFlags() {
        return parameters.flags();
    }

    /** @return TargetFileObject */
    public FileObject targetFileObject() {
        return parameters.fileObject();
    }

    public FltIoParameterBlock targetFileObject(FileObject fileObject) {
        parameters.fileObject(fileObject);
        return this;
    }

    /** @return TargetInstance: the instance the operation is currently at */
    public FltInstance targetInstance() {
        return targetInstance;
    }

    void targetInstance(FltInstance instance) {
        this.targetInstance = instance;
    }

    /** @return Parameters: the operation's parameters, in the IO_STACK_LOCATION layout */
    public IoStackLocation parameters() {
        return parameters;
    }
}
