package org.irpemu.irp;

import org.irpemu.status.NtStatus;

/**
 * {@code IO_STATUS_BLOCK}: the final status of a request and its request-dependent
 * {@code Information} (bytes transferred, a create action, an oplock break level, ...).
 */
public final class IoStatusBlock {
    private int status;
    private long information;

    /** @return Status, an NTSTATUS value */
    public int status() {
        return status;
    }

    public IoStatusBlock status(int status) {
        this.status = status;
        return this;
    }

    /** @return Information (ULONG_PTR), its meaning depending on the request */
    public long information() {
        return information;
    }

    public IoStatusBlock information(long information) {
        this.information = information;
        return this;
    }

    /** Sets both fields. */
    public IoStatusBlock set(int status, long information) {
        this.status = status;
        this.information = information;
        return this;
    }

    /** Copies both fields from {@code other}. */
    public void copyFrom(IoStatusBlock other) {
        this.status = other.status;
        this.information = other.information;
    }

    @Override
    public String toString() {
        return "{" + NtStatus.describe(status) + ", Information=" + information + '}';
    }
}
