package org.irpemu.irp;

/**
 * IRP major function codes ({@code IRP_MJ_*}, {@code wdm.h}), the value of
 * {@code IO_STACK_LOCATION.MajorFunction}.
 */
public final class IrpMajorFunction {
    public static final int IRP_MJ_CREATE = 0x00;
    public static final int IRP_MJ_CREATE_NAMED_PIPE = 0x01;
    public static final int IRP_MJ_CLOSE = 0x02;
    public static final int IRP_MJ_READ = 0x03;
    public static final int IRP_MJ_WRITE = 0x04;
    public static final int IRP_MJ_QUERY_INFORMATION = 0x05;
    public static final int IRP_MJ_SET_INFORMATION = 0x06;
    public static final int IRP_MJ_QUERY_EA = 0x07;
    public static final int IRP_MJ_SET_EA = 0x08;
    public static final int IRP_MJ_FLUSH_BUFFERS = 0x09;
    public static final int IRP_MJ_QUERY_VOLUME_INFORMATION = 0x0a;
    public static final int IRP_MJ_SET_VOLUME_INFORMATION = 0x0b;
    public static final int IRP_MJ_DIRECTORY_CONTROL = 0x0c;
    public static final int IRP_MJ_FILE_SYSTEM_CONTROL = 0x0d;
    public static final int IRP_MJ_DEVICE_CONTROL = 0x0e;
    public static final int IRP_MJ_INTERNAL_DEVICE_CONTROL = 0x0f;
    public static final int IRP_MJ_SHUTDOWN = 0x10;
    public static final int IRP_MJ_LOCK_CONTROL = 0x11;
    public static final int IRP_MJ_CLEANUP = 0x12;
    public static final int IRP_MJ_CREATE_MAILSLOT = 0x13;
    public static final int IRP_MJ_QUERY_SECURITY = 0x14;
    public static final int IRP_MJ_SET_SECURITY = 0x15;
    public static final int IRP_MJ_POWER = 0x16;
    public static final int IRP_MJ_SYSTEM_CONTROL = 0x17;
    public static final int IRP_MJ_DEVICE_CHANGE = 0x18;
    public static final int IRP_MJ_QUERY_QUOTA = 0x19;
    public static final int IRP_MJ_SET_QUOTA = 0x1a;
    public static final int IRP_MJ_PNP = 0x1b;
    /** The highest major function code; dispatch tables have {@code IRP_MJ_MAXIMUM_FUNCTION + 1} entries. */
    public static final int IRP_MJ_MAXIMUM_FUNCTION = 0x1b;

    private static final SymbolTable NAMES = SymbolTable.of(IrpMajorFunction.class, "IRP_MJ_");

    private IrpMajorFunction() {
    }

    /** @return {@code IRP_MJ_CREATE} and so on, or hex for an unknown code */
    public static String name(int majorFunction) {
        return NAMES.nameOrHex(majorFunction);
    }

    /** @return the symbol table of the major function codes */
    public static SymbolTable symbols() {
        return NAMES;
    }
}
