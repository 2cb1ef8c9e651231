package org.irpemu.fsrtl;

import org.irpemu.irp.FileObject;
import org.irpemu.irp.Irp;

/**
 * An open that holds (or held, while its break is being acknowledged) an oplock: MS-FSA's Open on
 * {@code IIOplocks}, {@code ROplocks}, {@code RHOplocks}, the {@code ExclusiveOpen}, or an
 * {@code RHOpContext} on {@code RHBreakQueue}. {@link #irp} is the pending request IRP that a break
 * completes; it is {@code null} once completed.
 */
final class Grant extends OplockList.Node<Grant> {
    static final int TYPE_LEVEL_1 = 1;
    static final int TYPE_BATCH = 2;
    static final int TYPE_FILTER = 3;
    static final int TYPE_LEVEL_2 = 4;
    static final int TYPE_GRANULAR = 5;

    FileObject open;
    Irp irp;
    int type;
    /** For TYPE_GRANULAR: the OPLOCK_LEVEL_CACHE_* bits the request holds. */
    int level;
    /** RHOpContext.BreakingToRead. */
    boolean breakingToRead;
    Oplock oplock;
    /** Hands {@link #irp} back when the grant ends; {@code null}: IoCompleteRequest. */
    OplockIrpCompleter completer;

    Grant set(Oplock oplock, FileObject open, Irp irp, int type, int level, OplockIrpCompleter completer) {
        this.oplock = oplock;
        this.completer = completer;
        this.open = open;
        this.irp = irp;
        this.type = type;
        this.level = level;
        this.breakingToRead = false;
        return this;
    }

    boolean isLegacy() {
        return type != TYPE_GRANULAR;
    }

    /** @return "Level 1", "Batch", "Filter", "Level 2" or the letters of the level */
    String describe() {
        switch (type) {
            case TYPE_LEVEL_1: return "Level 1";
            case TYPE_BATCH: return "Batch";
            case TYPE_FILTER: return "Filter";
            case TYPE_LEVEL_2: return "Level 2";
            default: return org.irpemu.irp.OplockLevel.format(level);
        }
    }
}
