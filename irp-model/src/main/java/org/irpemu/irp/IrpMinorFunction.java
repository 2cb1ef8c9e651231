package org.irpemu.irp;

/**
 * IRP minor function codes ({@code IRP_MN_*}, {@code wdm.h} / {@code ntifs.h}) used with the file
 * system major functions. The same number means different things under different majors, so names are
 * looked up per major with {@link #name(int, int)}.
 */
public final class IrpMinorFunction {
    /** Under {@code IRP_MJ_FILE_SYSTEM_CONTROL}: an FSCTL sent by a caller. */
    public static final int IRP_MN_USER_FS_REQUEST = 0x00;
    public static final int IRP_MN_MOUNT_VOLUME = 0x01;
    public static final int IRP_MN_VERIFY_VOLUME = 0x02;
    public static final int IRP_MN_LOAD_FILE_SYSTEM = 0x03;
    public static final int IRP_MN_KERNEL_CALL = 0x04;

    /** Under {@code IRP_MJ_LOCK_CONTROL}. */
    public static final int IRP_MN_LOCK = 0x01;
    public static final int IRP_MN_UNLOCK_SINGLE = 0x02;
    public static final int IRP_MN_UNLOCK_ALL = 0x03;
    public static final int IRP_MN_UNLOCK_ALL_BY_KEY = 0x04;

    /** Under {@code IRP_MJ_DIRECTORY_CONTROL}. */
    public static final int IRP_MN_QUERY_DIRECTORY = 0x01;
    public static final int IRP_MN_NOTIFY_CHANGE_DIRECTORY = 0x02;

    private IrpMinorFunction() {
    }

    /**
     * @return the minor function's name under {@code majorFunction}, or {@code null} when the major has
     *     no minor functions of interest or the value is unknown
     */
    public static String name(int majorFunction, int minorFunction) {
        switch (majorFunction) {
            case IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL:
                switch (minorFunction) {
                    case IRP_MN_USER_FS_REQUEST: return "IRP_MN_USER_FS_REQUEST";
                    case IRP_MN_MOUNT_VOLUME: return "IRP_MN_MOUNT_VOLUME";
                    case IRP_MN_VERIFY_VOLUME: return "IRP_MN_VERIFY_VOLUME";
                    case IRP_MN_LOAD_FILE_SYSTEM: return "IRP_MN_LOAD_FILE_SYSTEM";
                    case IRP_MN_KERNEL_CALL: return "IRP_MN_KERNEL_CALL";
                    default: return null;
                }
            case IrpMajorFunction.IRP_MJ_LOCK_CONTROL:
                switch (minorFunction) {
                    case IRP_MN_LOCK: return "IRP_MN_LOCK";
                    case IRP_MN_UNLOCK_SINGLE: return "IRP_MN_UNLOCK_SINGLE";
                    case IRP_MN_UNLOCK_ALL: return "IRP_MN_UNLOCK_ALL";
                    case IRP_MN_UNLOCK_ALL_BY_KEY: return "IRP_MN_UNLOCK_ALL_BY_KEY";
                    default: return null;
                }
            case IrpMajorFunction.IRP_MJ_DIRECTORY_CONTROL:
                switch (minorFunction) {
                    case IRP_MN_QUERY_DIRECTORY: return "IRP_MN_QUERY_DIRECTORY";
                    case IRP_MN_NOTIFY_CHANGE_DIRECTORY: return "IRP_MN_NOTIFY_CHANGE_DIRECTORY";
                    default: return null;
                }
            default:
                return null;
        }
    }
}
