package org.irpemu.irp;

/**
 * {@code IO_STACK_LOCATION}: one driver's view of an IRP. The C {@code Parameters} union is flattened
 * into named fields; each accessor's javadoc names the union member it stands for. Only the fields of
 * the location's major function are meaningful.
 */
public final class IoStackLocation {
    /** Control: the driver below returned STATUS_PENDING ({@code SL_PENDING_RETURNED}). */
    public static final int SL_PENDING_RETURNED = 0x01;
    public static final int SL_INVOKE_ON_CANCEL = 0x20;
    public static final int SL_INVOKE_ON_SUCCESS = 0x40;
    public static final int SL_INVOKE_ON_ERROR = 0x80;

    /** Flags of IRP_MJ_CREATE: case-sensitive open. */
    public static final int SL_CASE_SENSITIVE = 0x80;
    /** Flags of IRP_MJ_LOCK_CONTROL: fail rather than wait. */
    public static final int SL_FAIL_IMMEDIATELY = 0x01;
    /** Flags of IRP_MJ_LOCK_CONTROL: exclusive lock. */
    public static final int SL_EXCLUSIVE_LOCK = 0x02;
    /** Flags of IRP_MJ_SET_INFORMATION (rename/link): replace an existing target. */
    public static final int SL_REPLACE_IF_EXISTS = 0x01;

    int majorFunction;
    int minorFunction;
    int flags;
    int control;
    DeviceObject deviceObject;
    FileObject fileObject;
    IoCompletionRoutine completionRoutine;
    Object context;

    // Parameters.Create
    private int desiredAccess;
    private int options;
    private int shareAccess;
    private int fileAttributes;
    // Parameters.Read / Write / LockControl
    private long byteOffset;
    private long length;
    private int key;
    // Parameters.FileSystemControl / DeviceIoControl
    private int fsControlCode;
    private int inputBufferLength;
    private int outputBufferLength;
    // Parameters.QueryFile / SetFile
    private int fileInformationClass;
    private FileObject targetFileObject;

    /** Zeroes the location for reuse. */
    void clear() {
        majorFunction = 0;
        minorFunction = 0;
        flags = 0;
        control = 0;
        deviceObject = null;
        fileObject = null;
        completionRoutine = null;
        context = null;
        desiredAccess = 0;
        options = 0;
        shareAccess = 0;
        fileAttributes = 0;
        byteOffset = 0;
        length = 0;
        key = 0;
        fsControlCode = 0;
        inputBufferLength = 0;
        outputBufferLength = 0;
        fileInformationClass = 0;
        targetFileObject = null;
    }

    /**
     * Copies the function codes, flags, file object and parameters of another location; the completion
     * routine, its context, Control and DeviceObject stay (what {@code IoCopyCurrentIrpStackLocationToNext}
     * copies).
     */
    public void copyParametersFrom(IoStackLocation o) {
        majorFunction = o.majorFunction;
        minorFunction = o.minorFunction;
        flags = o.flags;
        fileObject = o.fileObject;
        desiredAccess = o.desiredAccess;
        options = o.options;
        shareAccess = o.shareAccess;
        fileAttributes = o.fileAttributes;
        byteOffset = o.byteOffset;
        length = o.length;
        key = o.key;
        fsControlCode = o.fsControlCode;
        inputBufferLength = o.inputBufferLength;
        outputBufferLength = o.outputBufferLength;
        fileInformationClass = o.fileInformationClass;
        targetFileObject = o.targetFileObject;
    }

    /**
     * @return whether the function codes, flags, file object and parameters equal another location's
     *     (what {@link #copyParametersFrom} copies); buffers are compared by identity
     */
    public boolean parametersEqual(IoStackLocation o) {
        return majorFunction == o.majorFunction && minorFunction == o.minorFunction && flags == o.flags
                && fileObject == o.fileObject && desiredAccess == o.desiredAccess && options == o.options
                && shareAccess == o.shareAccess && fileAttributes == o.fileAttributes && byteOffset == o.byteOffset
                && length == o.length && key == o.key && fsControlCode == o.fsControlCode
                && inputBufferLength == o.inputBufferLength && outputBufferLength == o.outputBufferLength
                && fileInformationClass == o.fileInformationClass && targetFileObject == o.targetFileObject;
    }

    /** @return MajorFunction, an {@code IRP_MJ_*} code */
    public int majorFunction() {
        return majorFunction;
    }

    public IoStackLocation majorFunction(int value) {
        majorFunction = value;
        return this;
    }

    /** @return MinorFunction, an {@code IRP_MN_*} code */
    public int minorFunction() {
        return minorFunction;
    }

    public IoStackLocation minorFunction(int value) {
        minorFunction = value;
        return this;
    }

    /** @return Flags, {@code SL_*} bits that depend on the major function */
    public int flags() {
        return flags;
    }

    public IoStackLocation flags(int value) {
        flags = value;
        return this;
    }

    /** @return Control, {@code SL_PENDING_RETURNED} and {@code SL_INVOKE_ON_*} bits */
    public int control() {
        return control;
    }

    /** @return DeviceObject: the device of the driver this location belongs to */
    public DeviceObject deviceObject() {
        return deviceObject;
    }

    /** @return FileObject */
    public FileObject fileObject() {
        return fileObject;
    }

    public IoStackLocation fileObject(FileObject value) {
        fileObject = value;
        return this;
    }

    /** @return {@code Parameters.Create.SecurityContext->DesiredAccess}, with generic rights already mapped */
    public int desiredAccess() {
        return desiredAccess;
    }

    public IoStackLocation desiredAccess(int value) {
        desiredAccess = value;
        return this;
    }

    /**
     * @return {@code Parameters.Create.Options}: the disposition in the high 8 bits, the create options
     *     in the low 24 (see {@link CreateOptions#disposition(int)} and {@link CreateOptions#options(int)})
     */
    public int options() {
        return options;
    }

    public IoStackLocation options(int value) {
        options = value;
        return this;
    }

    /** @return the disposition part of {@code Parameters.Create.Options} */
    public int createDisposition() {
        return CreateOptions.disposition(options);
    }

    /** @return the create-options part of {@code Parameters.Create.Options} */
    public int createOptions() {
        return CreateOptions.options(options);
    }

    /** @return {@code Parameters.Create.ShareAccess} */
    public int shareAccess() {
        return shareAccess;
    }

    public IoStackLocation shareAccess(int value) {
        shareAccess = value;
        return this;
    }

    /** @return {@code Parameters.Create.FileAttributes} */
    public int fileAttributes() {
        return fileAttributes;
    }

    public IoStackLocation fileAttributes(int value) {
        fileAttributes = value;
        return this;
    }

    /** @return {@code Parameters.Read/Write/LockControl.ByteOffset}, bytes from the start of the file */
    public long byteOffset() {
        return byteOffset;
    }

    public IoStackLocation byteOffset(long value) {
        byteOffset = value;
        return this;
    }

    /**
     * @return {@code Parameters.Read/Write.Length} or {@code Parameters.LockControl.Length} (a LARGE_INTEGER
     *     there), or {@code Parameters.QueryFile/SetFile.Length}, in bytes
     */
    public long length() {
        return length;
    }

    public IoStackLocation length(long value) {
        length = value;
        return this;
    }

    /** @return {@code Parameters.Read/Write/LockControl.Key} */
    public int key() {
        return key;
    }

    public IoStackLocation key(int value) {
        key = value;
        return this;
    }

    /** @return {@code Parameters.FileSystemControl.FsControlCode} */
    public int fsControlCode() {
        return fsControlCode;
    }

    public IoStackLocation fsControlCode(int value) {
        fsControlCode = value;
        return this;
    }

    /** @return {@code Parameters.FileSystemControl.InputBufferLength}, bytes */
    public int inputBufferLength() {
        return inputBufferLength;
    }

    public IoStackLocation inputBufferLength(int value) {
        inputBufferLength = value;
        return this;
    }

    /** @return {@code Parameters.FileSystemControl.OutputBufferLength}, bytes */
    public int outputBufferLength() {
        return outputBufferLength;
    }

    public IoStackLocation outputBufferLength(int value) {
        outputBufferLength = value;
        return this;
    }

    /** @return {@code Parameters.QueryFile/SetFile.FileInformationClass} */
    public int fileInformationClass() {
        return fileInformationClass;
    }

    public IoStackLocation fileInformationClass(int value) {
        fileInformationClass = value;
        return this;
    }

    /** @return {@code Parameters.SetFile.FileObject}: the target directory's file object of a rename or link */
    public FileObject targetFileObject() {
        return targetFileObject;
    }

    public IoStackLocation targetFileObject(FileObject value) {
        targetFileObject = value;
        return this;
    }
}
