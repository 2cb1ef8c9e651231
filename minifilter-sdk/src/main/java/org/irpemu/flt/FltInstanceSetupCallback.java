package org.irpemu.flt;

/**
 * {@code PFLT_INSTANCE_SETUP_CALLBACK}: may the filter attach to this volume? STATUS_SUCCESS attaches;
 * STATUS_FLT_DO_NOT_ATTACH (or any error) does not. A filter without one always attaches.
 */
@FunctionalInterface
public interface FltInstanceSetupCallback {
    int FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT = 0x00000001;
    int FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT = 0x00000002;
    int FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME = 0x00000004;
    int FLTFL_INSTANCE_SETUP_DETACHED_VOLUME = 0x00000008;

    /** VolumeDeviceType of a disk volume ({@code FILE_DEVICE_DISK_FILE_SYSTEM}). */
    int FILE_DEVICE_DISK_FILE_SYSTEM = 0x00000008;
    /** VolumeFilesystemType of an NTFS volume ({@code FLT_FSTYPE_NTFS}), which the reference file system models. */
    int FLT_FSTYPE_NTFS = 2;

    /**
     * @param fltObjects the filter, the new instance and the volume
     * @param flags FLTFL_INSTANCE_SETUP_*
     * @param volumeDeviceType FILE_DEVICE_*_FILE_SYSTEM
     * @param volumeFilesystemType FLT_FSTYPE_*
     * @return an NTSTATUS
     */
    int setup(FltRelatedObjects fltObjects, int flags, int volumeDeviceType, int volumeFilesystemType);
}
