package org.irpemu.io;

import org.irpemu.irp.Irp;

/**
 * A dispatcher's stack of spare IRP objects. IRPs that stay pending leave their ring slot and are
 * replaced from here; they come back when they complete. Confined to one dispatcher thread.
 */
final class IrpPool {
    private Irp[] spare;
    private int size;
    private long allocated;

    IrpPool(int initial) {
        spare = new Irp[Math.max(16, initial)];
        for (int i = 0; i < initial; i++) {
            spare[size++] = new Irp();
        }
        allocated = initial;
    }

    Irp take() {
        if (size == 0) {
            allocated++;
            return new Irp();
        }
        Irp irp = spare[--size];
        spare[size] = null;
        return irp;
    }

    void give(Irp irp) {
        if (size == spare.length) {
            spare = java.util.Arrays.copyOf(spare, size * 2);
        }
        spare[size++] = irp;
    }

    /** @return IRP objects ever created by this pool */
    long allocated() {
        return allocated;
    }

    /** @return IRP objects held here now */
    int available() {
        return size;
    }
}
