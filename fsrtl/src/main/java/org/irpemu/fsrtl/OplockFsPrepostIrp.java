package org.irpemu.fsrtl;

import org.irpemu.irp.Irp;

/**
 * {@code OPLOCK_FS_PREPOST_IRP}: called just before the oplock package parks an IRP on its wait list,
 * so that the file system can prepare it for later processing (FastFAT's {@code FatPrePostIrp} locks
 * buffers and calls {@code IoMarkIrpPending}).
 */
@FunctionalInterface
public interface OplockFsPrepostIrp {
    void prepost(Object context, Irp irp);
}
