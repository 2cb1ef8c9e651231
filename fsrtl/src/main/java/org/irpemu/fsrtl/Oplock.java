package org.irpemu.fsrtl;

import java.util.Arrays;
import java.util.Objects;
import org.irpemu.irp.DeviceObject;
import org.irpemu.irp.DriverCancel;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.Irp;
import org.irpemu.irp.OplockBreakInformation;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;

/**
 * {@code OPLOCK}: the oplock state of one stream, the object {@code FsRtlInitializeOplock} creates.
 * File systems hold it opaquely and pass it to the {@link FsRtl} routines; everything inside is the
 * MS-FSA oplock state machine (2.1.1.10 Per Oplock) with the WDK's additions (Filter oplocks,
 * FILE_RESERVE_OPFILTER, FSCTL_OPBATCH_ACK_CLOSE_PENDING, FSCTL_OPLOCK_BREAK_NOTIFY).
 *
 * <p>Threading: an oplock is owned by the dispatcher thread of its stream; it is never locked.
 *
 * <p>Break notifications (completions of oplock request IRPs) and the release of parked operations are
 * queued while an algorithm runs and delivered when the {@link FsRtl} routine that ran it returns, so
 * that completion routines never observe a half-updated state.
 */
public final class Oplock {
    // State flags (MS-FSA 2.1.1.10), plus FILTER_OPLOCK for the WDK's Filter oplock.
    static final int NO_OPLOCK = 1;
    static final int LEVEL_ONE_OPLOCK = 1 << 1;
    static final int BATCH_OPLOCK = 1 << 2;
    static final int FILTER_OPLOCK = 1 << 3;
    static final int LEVEL_TWO_OPLOCK = 1 << 4;
    static final int EXCLUSIVE = 1 << 5;
    static final int BREAK_TO_TWO = 1 << 6;
    static final int BREAK_TO_NONE = 1 << 7;
    static final int BREAK_TO_TWO_TO_NONE = 1 << 8;
    static final int READ_CACHING = 1 << 9;
    static final int HANDLE_CACHING = 1 << 10;
    static final int WRITE_CACHING = 1 << 11;
    static final int MIXED_R_AND_RH = 1 << 12;
    static final int BREAK_TO_READ_CACHING = 1 << 13;
    static final int BREAK_TO_WRITE_CACHING = 1 << 14;
    static final int BREAK_TO_HANDLE_CACHING = 1 << 15;
    static final int BREAK_TO_NO_CACHING = 1 << 16;

    static final int R = READ_CACHING;
    static final int W = WRITE_CACHING;
    static final int H = HANDLE_CACHING;
    static final int CACHE_MASK = R | W | H;
    static final int ANY_BREAK = BREAK_TO_TWO | BREAK_TO_NONE | BREAK_TO_TWO_TO_NONE | BREAK_TO_READ_CACHING
            | BREAK_TO_WRITE_CACHING | BREAK_TO_HANDLE_CACHING | BREAK_TO_NO_CACHING;
    static final int BREAK_LEVEL_MASK = BREAK_TO_READ_CACHING | BREAK_TO_WRITE_CACHING | BREAK_TO_HANDLE_CACHING
            | BREAK_TO_NO_CACHING;
    static final int LEGACY_EXCLUSIVE = LEVEL_ONE_OPLOCK | BATCH_OPLOCK | FILTER_OPLOCK;

    /** NewOplockLevel of a legacy break to Level 2 (MS-FSA's LEVEL_TWO); not a cache level. */
    static final int NEW_LEVEL_TWO = 0x100;

    // Operations of MS-FSA 2.1.4.12.
    static final int OP_OPEN = 1;
    static final int OP_OPEN_BREAK_H = 2;
    static final int OP_CLOSE = 3;
    static final int OP_READ = 4;
    static final int OP_FLUSH_DATA = 5;
    static final int OP_LOCK_CONTROL = 6;
    static final int OP_WRITE = 7;
    static final int OP_SET_INFORMATION = 8;
    static final int OP_FS_CONTROL = 9;
    static final int OP_SET_SECURITY = 10;
    static final int OP_CLOSING_DELETE_ON_CLOSE = 11;
    static final int OP_BREAK_TO_NONE = 12;

    // Results of check().
    static final int CHECK_PROCEED = 0;
    static final int CHECK_WAIT = 1;

    // Acknowledgment types of MS-FSA 2.1.5.19.
    static final int ACK_LEVEL_NONE = 1;
    static final int ACK_LEVEL_TWO = 2;
    static final int ACK_LEVEL_GRANULAR = 3;

    int state = NO_OPLOCK;
    Grant exclusiveOpen;
    final OplockList<Grant> iiOplocks = new OplockList<>();
    final OplockList<Grant> rOplocks = new OplockList<>();
    final OplockList<Grant> rhOplocks = new OplockList<>();
    final OplockList<Grant> rhBreakQueue = new OplockList<>();
    final OplockList<Waiter> waitList = new OplockList<>();
    /** FSCTL_OPBATCH_ACK_CLOSE_PENDING was received for the break in progress. */
    boolean closePending;

    private OplockObserver observer;

    // Output of an acknowledgment that completes the acknowledging IRP itself (CANNOT_GRANT).
    int ackOutOriginal;
    int ackOutNew;
    int ackOutFlags;
    boolean ackOutValid;

    // The create being checked with OPEN_BREAK_H, whose modes a break reports (MODES_PROVIDED).
    private boolean modesValid;
    private int modesAccess;
    private int modesShare;

    // Deferred deliveries: IRPs to complete, waiters to release, in order.
    /**
     * While an {@code FsRtlOplockFsctrl} / {@code FltOplockFsctrl} call runs: how the IRPs it leaves with
     * the package are handed back ({@code null}: IoCompleteRequest).
     */
    OplockIrpCompleter completer;
    private Object[] deferred = new Object[8];
    private int deferredHead;
    private int deferredTail;
    private boolean flushing;

    private Grant[] grantPool = new Grant[4];
    private int grantPoolSize;
    private Waiter[] waiterPool = new Waiter[4];
    private int waiterPoolSize;

    Oplock(OplockObserver observer) {
        this.observer = observer;
    }

    void observer(OplockObserver observer) {
        this.observer = observer;
    }

    OplockObserver observer() {
        return observer;
    }

    // ---------------------------------------------------------------------------------------------
    // Queries
    // ---------------------------------------------------------------------------------------------

    /** @return the MS-FSA State, as flag names joined with {@code |} (for traces and tests) */
    public String stateName() {
        return describeState(state);
    }

    /** @return whether no oplock is granted and no break is in progress */
    public boolean isEmpty() {
        return state == NO_OPLOCK && exclusiveOpen == null && iiOplocks.isEmpty() && rOplocks.isEmpty()
                && rhOplocks.isEmpty() && rhBreakQueue.isEmpty();
    }

    /** @return the number of operations parked on the wait list (FSCTL_OPLOCK_BREAK_NOTIFY included) */
    public int waitingCount() {
        return waitList.size();
    }

    /** @return whether a break is in progress (not yet acknowledged) */
    public boolean isBreakInProgress() {
        return (state & ANY_BREAK) != 0 || !rhBreakQueue.isEmpty();
    }

    /**
     * @return whether {@code open} owes an acknowledgment for a break under way: it is the exclusive
     *     holder of an oplock being broken, or a Read-Handle holder on the break queue
     */
    public boolean owesAcknowledgment(FileObject open) {
        if (exclusiveOpen != null && exclusiveOpen.open == open && (state & ANY_BREAK) != 0) {
            return true;
        }
        for (Grant c = rhBreakQueue.first(); c != null; c = c.next) {
            if (c.open == open) {
                return true;
            }
        }
        return false;
    }

    /** @return the operations parked on the wait list (not break-notify requests), oldest first */
    public java.util.List<Irp> waitingOperations() {
        java.util.List<Irp> out = new java.util.ArrayList<>();
        for (Waiter w = waitList.first(); w != null; w = w.next) {
            if (!w.breakNotify) {
                out.add(w.irp);
            }
        }
        return out;
    }

    /** @return the number of granted oplocks whose request IRPs are still pending */
    public int grantedCount() {
        int n = iiOplocks.size() + rOplocks.size() + rhOplocks.size();
        if (exclusiveOpen != null && exclusiveOpen.irp != null) {
            n++;
        }
        return n;
    }

    /**
     * Checks the invariants the package keeps between calls, for tests and the verifier: an exclusive
     * holder excludes shared ones; Level 2 and Read-Handle never coexist; granted requests are pending
     * IRPs; the shared state equals its recomputation from the lists; nothing waits unless a break is in
     * progress.
     *
     * @return the violations, empty when all hold
     */
    public java.util.List<String> checkInvariants() {
        java.util.List<String> v = new java.util.ArrayList<>();
        if (exclusiveOpen != null) {
            if ((state & EXCLUSIVE) == 0) {
                v.add("an exclusive holder but state " + stateName());
            }
            if (!iiOplocks.isEmpty() || !rOplocks.isEmpty() || !rhOplocks.isEmpty() || !rhBreakQueue.isEmpty()) {
                v.add("an exclusive holder beside shared holders in state " + stateName());
            }
            boolean breaking = (state & ANY_BREAK) != 0;
            if (breaking == (exclusiveOpen.irp != null)) {
                v.add(breaking ? "a breaking exclusive oplock whose request IRP is still pending"
                        : "a granted exclusive oplock without a pending request IRP");
            }
        } else if ((state & EXCLUSIVE) != 0) {
            v.add("state " + stateName() + " without an exclusive holder");
        }
        if (!iiOplocks.isEmpty() && (!rhOplocks.isEmpty() || !rhBreakQueue.isEmpty())) {
            v.add("Level 2 and Read-Handle oplocks at once");
        }
        for (OplockList<Grant> list : java.util.List.of(iiOplocks, rOplocks, rhOplocks)) {
            for (Grant g = list.first(); g != null; g = g.next) {
                if (g.irp == null || g.irp.isCompleted()) {
                    v.add("a granted " + g.describe() + " oplock whose request is not pending");
                }
            }
        }
        for (Grant c = rhBreakQueue.first(); c != null; c = c.next) {
            if (c.irp != null) {
                v.add("a breaking Read-Handle oplock whose request is still pending");
            }
        }
        if (exclusiveOpen == null) {
            int saved = state;
            recomputeQuietly();
            int expected = state;
            state = saved;
            if (expected != saved && !(saved == NO_OPLOCK && expected == NO_OPLOCK)) {
                v.add("state " + stateName() + " but the lists say " + describeState(expected));
            }
        }
        if (!waitList.isEmpty() && !isBreakInProgress()) {
            v.add(waitList.size() + " operation(s) wait while no break is in progress");
        }
        return v;
    }

    /** MS-FSA 2.1.4.13's rules, setting {@link #state} without telling the observer. */
    private void recomputeQuietly() {
        int s;
        if (iiOplocks.isEmpty() && rOplocks.isEmpty() && rhOplocks.isEmpty() && rhBreakQueue.isEmpty()) {
            s = NO_OPLOCK;
        } else if (!rOplocks.isEmpty() && (!rhOplocks.isEmpty() || !rhBreakQueue.isEmpty())) {
            s = R | H | MIXED_R_AND_RH;
        } else if (rOplocks.isEmpty() && !rhOplocks.isEmpty()) {
            s = R | H;
        } else if (!rOplocks.isEmpty() && !iiOplocks.isEmpty()) {
            s = R | LEVEL_TWO_OPLOCK;
        } else if (!rOplocks.isEmpty()) {
            s = R;
        } else if (!iiOplocks.isEmpty()) {
            s = LEVEL_TWO_OPLOCK;
        } else {
            boolean allRead = true;
            boolean allNone = true;
            for (Grant c = rhBreakQueue.first(); c != null; c = c.next) {
                allRead &= c.breakingToRead;
                allNone &= !c.breakingToRead;
            }
            s = allRead ? R | H | BREAK_TO_READ_CACHING : allNone ? R | H | BREAK_TO_NO_CACHING : R | H;
        }
        state = s;
    }

    static String describeState(int state) {
        String[] names = {"NO_OPLOCK", "LEVEL_ONE_OPLOCK", "BATCH_OPLOCK", "FILTER_OPLOCK", "LEVEL_TWO_OPLOCK",
            "EXCLUSIVE", "BREAK_TO_TWO", "BREAK_TO_NONE", "BREAK_TO_TWO_TO_NONE", "READ_CACHING",
            "HANDLE_CACHING", "WRITE_CACHING", "MIXED_R_AND_RH", "BREAK_TO_READ_CACHING", "BREAK_TO_WRITE_CACHING",
            "BREAK_TO_HANDLE_CACHING", "BREAK_TO_NO_CACHING"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if ((state & (1 << i)) != 0) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(names[i]);
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // MS-FSA 2.1.5.18 Server Requests an Oplock
    // ---------------------------------------------------------------------------------------------

    /**
     * Requests an oplock. The caller (FsRtl) has validated buffers and levels.
     *
     * @param type a Grant.TYPE_* value
     * @param level for TYPE_GRANULAR, R, RH, RW or RWH (OPLOCK_LEVEL_CACHE_* bits); 0 is handled here
     * @param openCount FsRtlOplockFsctrl's OpenCount
     * @return STATUS_PENDING when granted (the IRP stays with the package), else the failure status
     */
    int request(Irp irp, FileObject open, int type, int level, int openCount, int fsctrlFlags) {
        if (type == Grant.TYPE_GRANULAR && level == 0) {
            event(OplockObserver.Kind.REFUSED, open, irp, "level NONE", OplockRule.LEVEL_ZERO);
            return NtStatus.STATUS_SUCCESS;
        }
        if (open.hasFlag(FileObject.FO_SYNCHRONOUS_IO)) {
            return refuse(open, irp, OplockRule.REFUSED_SYNCHRONOUS);
        }
        boolean exclusiveRequest = type == Grant.TYPE_LEVEL_1 || type == Grant.TYPE_BATCH
                || type == Grant.TYPE_FILTER || (type == Grant.TYPE_GRANULAR && (level & OplockLevel.OPLOCK_LEVEL_CACHE_WRITE) != 0);
        if (exclusiveRequest) {
            boolean allKeysMatch = type == Grant.TYPE_GRANULAR
                    && (fsctrlFlags & OplockFlags.OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH) != 0;
            if (openCount > 1 && !allKeysMatch) {
                return refuse(open, irp, OplockRule.REFUSED_OTHER_OPENS);
            }
            return requestExclusive(irp, open, type, level);
        }
        if (openCount != 0) {
            return refuse(open, irp, OplockRule.REFUSED_BYTE_RANGE_LOCKS);
        }
        return requestShared(irp, open, type, level, false);
    }

    /** MS-FSA 2.1.5.18.1 Algorithm to Request an Exclusive Oplock. */
    private int requestExclusive(Irp irp, FileObject open, int type, int level) {
        int requested = type == Grant.TYPE_GRANULAR ? cacheToState(level) : legacyFlag(type);
        boolean requestedCache = (requested & CACHE_MASK) != 0;
        if ((state & (LEVEL_TWO_OPLOCK | NO_OPLOCK)) != 0) {
            if ((state & LEVEL_TWO_OPLOCK) != 0 && requestedCache) {
                return refuse(open, irp, OplockRule.REFUSED_STATE);
            }
            if (state == LEVEL_TWO_OPLOCK) {
                // MS-FSA expects one Level 2 here; the open may have asked twice (the WDK allows several Level 2
                // oplocks on one handle), and with no other open every one of them is this open's: all break.
                Grant g;
                while ((g = iiOplocks.removeFirst()) != null) {
                    notify(g, 0, false, NtStatus.STATUS_SUCCESS, OplockRule.UPGRADE_BREAKS_LEVEL_2);
                    recycle(g);
                }
            }
        } else if ((state & CACHE_MASK) != 0 && (state & ANY_BREAK) == 0 && rhBreakQueue.isEmpty()) {
            if (!requestedCache) {
                return refuse(open, irp, OplockRule.REFUSED_STATE);
            }
            int rw = R | W;
            int rwh = R | W | H;
            switch (state) {
                case R:
                    if (requested != rw && requested != rwh) {
                        return refuse(open, irp, OplockRule.REFUSED_STATE);
                    }
                    for (Grant g = rOplocks.first(); g != null; g = g.next) {
                        if (!keysEqual(g.open, open)) {
                            return refuse(open, irp, OplockRule.REFUSED_KEY);
                        }
                    }
                    switchAll(rOplocks, level);
                    break;
                case R | H:
                    if (requested != rwh || !rhBreakQueue.isEmpty()) {
                        return refuse(open, irp, OplockRule.REFUSED_STATE);
                    }
                    for (Grant g = rhOplocks.first(); g != null; g = g.next) {
                        if (!keysEqual(g.open, open)) {
                            return refuse(open, irp, OplockRule.REFUSED_KEY);
                        }
                    }
                    switchAll(rhOplocks, level);
                    break;
                case R | W | H | EXCLUSIVE:
                case R | W | EXCLUSIVE:
                    if (state == (R | W | H | EXCLUSIVE) && requested != rwh) {
                        return refuse(open, irp, OplockRule.REFUSED_STATE);
                    }
                    if (requested != rwh && requested != rw) {
                        return refuse(open, irp, OplockRule.REFUSED_STATE);
                    }
                    if (!keysEqual(open, exclusiveOpen.open)) {
                        return refuse(open, irp, OplockRule.REFUSED_KEY);
                    }
                    Grant old = exclusiveOpen;
                    notify(old, level, false, NtStatus.STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE,
                            OplockRule.SWITCHED_TO_NEW_HANDLE);
                    exclusiveOpen = null;
                    recycle(old);
                    break;
                default:
                    return refuse(open, irp, OplockRule.REFUSED_STATE);
            }
        } else {
            return refuse(open, irp, OplockRule.REFUSED_STATE);
        }
        exclusiveOpen = newGrant(open, irp, type, level);
        setState(requested | EXCLUSIVE, OplockRule.GRANTED_EXCLUSIVE);
        return pendGrant(exclusiveOpen, OplockRule.GRANTED_EXCLUSIVE);
    }

    private void switchAll(OplockList<Grant> list, int newLevel) {
        Grant g;
        while ((g = list.removeFirst()) != null) {
            notify(g, newLevel, false, NtStatus.STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE, OplockRule.SWITCHED_TO_NEW_HANDLE);
            recycle(g);
        }
    }

    /** MS-FSA 2.1.5.18.2 Algorithm to Request a Shared Oplock. */
    private int requestShared(Irp irp, FileObject open, int type, int level, boolean grantingInAck) {
        if (!grantingInAck && (state & (ANY_BREAK | EXCLUSIVE)) != 0) {
            return refuse(open, irp, OplockRule.REFUSED_STATE);
        }
        boolean rh = type == Grant.TYPE_GRANULAR && level == OplockLevel.RH;
        if (!rh) {
            // LEVEL_TWO falls through to READ_CACHING.
            if (type == Grant.TYPE_LEVEL_2 && state != NO_OPLOCK && state != LEVEL_TWO_OPLOCK && state != R
                    && state != (LEVEL_TWO_OPLOCK | R)) {
                return refuse(open, irp, OplockRule.REFUSED_STATE);
            }
            if (!grantingInAck) {
                if (state != NO_OPLOCK && state != LEVEL_TWO_OPLOCK && state != R && state != (LEVEL_TWO_OPLOCK | R)
                        && state != (R | H) && state != (R | H | MIXED_R_AND_RH)
                        && state != (R | H | BREAK_TO_READ_CACHING) && state != (R | H | BREAK_TO_NO_CACHING)) {
                    return refuse(open, irp, OplockRule.REFUSED_STATE);
                }
                for (Grant g = rhOplocks.first(); g != null; g = g.next) {
                    if (keysEqual(g.open, open)) {
                        return refuse(open, irp, OplockRule.REFUSED_KEY);
                    }
                }
                for (Grant g = rhBreakQueue.first(); g != null; g = g.next) {
                    if (keysEqual(g.open, open)) {
                        return refuse(open, irp, OplockRule.REFUSED_KEY);
                    }
                }
                switchSameKey(rOplocks, open, OplockLevel.R);
            }
            Grant g = newGrant(open, irp, type, level);
            (type == Grant.TYPE_LEVEL_2 ? iiOplocks : rOplocks).add(g);
            recompute();
            return pendGrant(g, grantingInAck ? OplockRule.GRANTED_IN_ACK : OplockRule.GRANTED_SHARED);
        }
        if (!grantingInAck && state != NO_OPLOCK && state != R && state != (R | H) && state != (R | H | MIXED_R_AND_RH)
                && state != (R | H | BREAK_TO_READ_CACHING) && state != (R | H | BREAK_TO_NO_CACHING)) {
            return refuse(open, irp, OplockRule.REFUSED_STATE);
        }
        if (!grantingInAck) {
            switchSameKey(rOplocks, open, OplockLevel.RH);
            switchSameKey(rhOplocks, open, OplockLevel.RH);
        }
        Grant g = newGrant(open, irp, type, level);
        rhOplocks.add(g);
        recompute();
        return pendGrant(g, grantingInAck ? OplockRule.GRANTED_IN_ACK : OplockRule.GRANTED_SHARED);
    }

    private void switchSameKey(OplockList<Grant> list, FileObject open, int newLevel) {
        for (Grant g = list.first(); g != null; ) {
            Grant next = g.next;
            if (keysEqual(g.open, open)) {
                list.remove(g);
                notify(g, newLevel, false, NtStatus.STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE,
                        OplockRule.SWITCHED_TO_NEW_HANDLE);
                recycle(g);
            }
            g = next;
        }
    }

    private int refuse(FileObject open, Irp irp, OplockRule rule) {
        if (observer != null) { // the detail is built only for an observer
            event(OplockObserver.Kind.REFUSED, open, irp, "STATUS_OPLOCK_NOT_GRANTED in state " + stateName(), rule);
        }
        return NtStatus.STATUS_OPLOCK_NOT_GRANTED;
    }

    /** The request IRP becomes the grant: it stays pending, cancelable. */
    private int pendGrant(Grant g, OplockRule rule) {
        Irp irp = g.irp;
        if (observer != null) { // the detail is built only for an observer
            event(OplockObserver.Kind.GRANTED, g.open, irp, g.describe(), rule);
        }
        Io.markIrpPending(irp);
        irp.driverContext()[FsRtl.DRIVER_CONTEXT_OPLOCK] = this;
        irp.driverContext()[FsRtl.DRIVER_CONTEXT_ENTRY] = g;
        Io.setCancelRoutine(irp, CANCEL_GRANT);
        if (irp.isCancel() && Io.setCancelRoutine(irp, null) != null) {
            cancelGrant(g);
        }
        return NtStatus.STATUS_PENDING;
    }

    /** MS-FSA 2.1.4.13 Algorithm to Recompute the State of a Shared Oplock. */
    void recompute() {
        int old = state;
        recomputeQuietly();
        int s = state;
        state = old;
        setState(s, OplockRule.RECOMPUTE);
    }

    // ---------------------------------------------------------------------------------------------
    // MS-FSA 2.1.5.19 Server Acknowledges an Oplock Break (and the WDK's legacy acknowledgments)
    // ---------------------------------------------------------------------------------------------

    /**
     * @param ackType ACK_LEVEL_NONE (FSCTL_OPLOCK_BREAK_ACK_NO_2), ACK_LEVEL_TWO
     *     (FSCTL_OPLOCK_BREAK_ACKNOWLEDGE) or ACK_LEVEL_GRANULAR (FSCTL_REQUEST_OPLOCK with ACK)
     * @return STATUS_PENDING when the acknowledgment IRP became an oplock, else its final status; for
     *     STATUS_CANNOT_GRANT_REQUESTED_OPLOCK the ackOut* fields hold the output buffer
     */
    int acknowledge(Irp irp, FileObject open, int ackType, int level) {
        ackOutValid = false;
        if (isEmpty()) {
            return unexpectedAck(open, irp);
        }
        if (ackType != ACK_LEVEL_GRANULAR) {
            return acknowledgeLegacy(irp, open, ackType);
        }
        int rAndRhGranted = R | H | MIXED_R_AND_RH;
        int rhGranted = R | H;
        if (((state & BREAK_LEVEL_MASK) == 0 && state != rAndRhGranted && state != rhGranted)
                || ((state == rAndRhGranted || state == rhGranted) && rhBreakQueue.isEmpty())) {
            return unexpectedAck(open, irp);
        }
        if (state == rAndRhGranted || state == rhGranted || state == (R | H | BREAK_TO_READ_CACHING)
                || state == (R | H | BREAK_TO_NO_CACHING)) {
            return acknowledgeShared(irp, open, level);
        }
        if ((state & EXCLUSIVE) != 0 && (state & CACHE_MASK) != 0 && (state & BREAK_LEVEL_MASK) != 0) {
            return acknowledgeExclusive(irp, open, level);
        }
        return unexpectedAck(open, irp);
    }

    private int unexpectedAck(FileObject open, Irp irp) {
        event(OplockObserver.Kind.REFUSED, open, irp, "STATUS_INVALID_OPLOCK_PROTOCOL", OplockRule.ACK_UNEXPECTED);
        return NtStatus.STATUS_INVALID_OPLOCK_PROTOCOL;
    }

    private int acknowledgeLegacy(Irp irp, FileObject open, int ackType) {
        if (exclusiveOpen == null || exclusiveOpen.open != open) {
            return unexpectedAck(open, irp);
        }
        boolean newGranted = false;
        boolean returnBreakToNone = false;
        if (ackType == ACK_LEVEL_TWO && (state & BREAK_TO_TWO) != 0) {
            newGranted = true;
        } else if ((state & (BREAK_TO_TWO | BREAK_TO_NONE)) != 0) {
            // Goes to NO_OPLOCK below.
        } else if ((state & BREAK_TO_TWO_TO_NONE) != 0) {
            returnBreakToNone = true;
        } else {
            return unexpectedAck(open, irp);
        }
        OplockRule rule = newGranted ? OplockRule.ACK_LEVEL_TWO : OplockRule.ACK_NONE;
        event(OplockObserver.Kind.ACKNOWLEDGED, open, irp, newGranted ? "keeps Level 2" : "keeps none", rule);
        recycle(exclusiveOpen);
        exclusiveOpen = null;
        closePending = false;
        setState(NO_OPLOCK, rule);
        releaseAll(OplockRule.RELEASE_ACK);
        if (newGranted) {
            // MS-FSA sets State = LEVEL_TWO_OPLOCK without adding the open to IIOplocks; the WDK says the
            // acknowledgment becomes the Level 2 oplock, so it joins IIOplocks as a shared request does.
            Grant g = newGrant(open, irp, Grant.TYPE_LEVEL_2, 0);
            iiOplocks.add(g);
            recompute();
            return pendGrant(g, OplockRule.GRANTED_IN_ACK);
        }
        if (returnBreakToNone) {
            irp.ioStatus().information(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_NONE);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /** WDK FSCTL_OPBATCH_ACK_CLOSE_PENDING. */
    int acknowledgeClosePending(Irp irp, FileObject open) {
        if (exclusiveOpen == null || exclusiveOpen.open != open
                || (state & (BREAK_TO_TWO | BREAK_TO_NONE | BREAK_TO_TWO_TO_NONE)) == 0) {
            return unexpectedAck(open, irp);
        }
        if ((state & LEVEL_ONE_OPLOCK) != 0) {
            // Level 1: a complete acknowledgment that keeps nothing.
            return acknowledgeLegacy(irp, open, ACK_LEVEL_NONE);
        }
        closePending = true;
        event(OplockObserver.Kind.ACKNOWLEDGED, open, irp, "close pending", OplockRule.ACK_CLOSE_PENDING);
        return NtStatus.STATUS_SUCCESS;
    }

    private int acknowledgeShared(Irp irp, FileObject open, int level) {
        Grant context = null;
        for (Grant c = rhBreakQueue.first(); c != null; c = c.next) {
            if (c.open == open) {
                context = c;
                break;
            }
        }
        if (context == null) {
            return unexpectedAck(open, irp);
        }
        // Asking for more than the break offers while operations wait for it is refused with the level
        // still possible (oplock-reference "Acknowledging"; MS-FSA 2.1.5.19 names only some of the cases).
        int offered = context.breakingToRead ? OplockLevel.R : 0;
        if ((level & ~offered) != 0 && hasWaitingOperations()) {
            return cannotGrant(open, irp, context.level, offered);
        }
        boolean othersHold = !rOplocks.isEmpty() || !rhOplocks.isEmpty() || !iiOplocks.isEmpty()
                || rhBreakQueue.size() > 1;
        if ((level & OplockLevel.OPLOCK_LEVEL_CACHE_WRITE) != 0 && othersHold) {
            // MS-FSA 2.1.5.19 would make this an exclusive oplock beside other shared holders; refuse instead.
            return cannotGrant(open, irp, context.level, context.breakingToRead ? OplockLevel.R : 0);
        }
        if (observer != null) { // the detail is built only for an observer
            event(OplockObserver.Kind.ACKNOWLEDGED, open, irp, "keeps " + OplockLevel.format(level), OplockRule.ACK_GRANULAR);
        }
        rhBreakQueue.remove(context);
        recycle(context);
        releaseMatchingRhWaiters();
        if (level == 0) {
            recompute();
            return NtStatus.STATUS_SUCCESS;
        }
        if ((level & OplockLevel.OPLOCK_LEVEL_CACHE_WRITE) == 0) {
            return requestShared(irp, open, Grant.TYPE_GRANULAR, level, true);
        }
        exclusiveOpen = newGrant(open, irp, Grant.TYPE_GRANULAR, level);
        setState(cacheToState(level) | EXCLUSIVE, OplockRule.GRANTED_IN_ACK);
        return pendGrant(exclusiveOpen, OplockRule.GRANTED_IN_ACK);
    }

    private int acknowledgeExclusive(Irp irp, FileObject open, int level) {
        if (exclusiveOpen == null || exclusiveOpen.open != open) {
            return unexpectedAck(open, irp);
        }
        // The level the break offers; asking for more while operations wait is refused with it (MS-FSA
        // 2.1.5.19 for Handle caching, the reference's general rule for the rest).
        int offered;
        if ((state & BREAK_TO_NO_CACHING) != 0) {
            offered = 0;
        } else {
            offered = OplockLevel.R
                    | ((state & BREAK_TO_WRITE_CACHING) != 0 ? OplockLevel.OPLOCK_LEVEL_CACHE_WRITE : 0)
                    | ((state & BREAK_TO_HANDLE_CACHING) != 0 ? OplockLevel.OPLOCK_LEVEL_CACHE_HANDLE : 0);
        }
        if ((level & ~offered) != 0 && hasWaitingOperations()) {
            return cannotGrant(open, irp, exclusiveOpen.level, offered);
        }
        if (observer != null) { // the detail is built only for an observer
            event(OplockObserver.Kind.ACKNOWLEDGED, open, irp, "keeps " + OplockLevel.format(level), OplockRule.ACK_GRANULAR);
        }
        releaseAll(OplockRule.RELEASE_ACK);
        if ((level & OplockLevel.OPLOCK_LEVEL_CACHE_WRITE) == 0) {
            recycle(exclusiveOpen);
            exclusiveOpen = null;
        }
        if (level == 0) {
            setState(NO_OPLOCK, OplockRule.ACK_GRANULAR);
            return NtStatus.STATUS_SUCCESS;
        }
        if ((level & OplockLevel.OPLOCK_LEVEL_CACHE_WRITE) == 0) {
            // Recompute from the (empty) shared lists rather than from the old exclusive state.
            setState(NO_OPLOCK, OplockRule.ACK_GRANULAR);
            return requestShared(irp, open, Grant.TYPE_GRANULAR, level, true);
        }
        exclusiveOpen.irp = irp;
        exclusiveOpen.level = level;
        setState(cacheToState(level) | EXCLUSIVE, OplockRule.GRANTED_IN_ACK);
        return pendGrant(exclusiveOpen, OplockRule.GRANTED_IN_ACK);
    }

    private int cannotGrant(FileObject open, Irp irp, int original, int possible) {
        ackOutValid = true;
        ackOutOriginal = original;
        ackOutNew = possible;
        ackOutFlags = RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED;
        if (observer != null) { // the detail is built only for an observer
            event(OplockObserver.Kind.REFUSED, open, irp, "STATUS_CANNOT_GRANT_REQUESTED_OPLOCK, still possible "
                    + OplockLevel.format(possible), OplockRule.ACK_CANNOT_GRANT);
        }
        return NtStatus.STATUS_CANNOT_GRANT_REQUESTED_OPLOCK;
    }

    private boolean hasWaitingOperations() {
        for (Waiter w = waitList.first(); w != null; w = w.next) {
            if (!w.breakNotify) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // WDK FSCTL_OPLOCK_BREAK_NOTIFY
    // ---------------------------------------------------------------------------------------------

    /** @return whether the request must be parked until the break in progress ends */
    boolean breakNotifyMustWait(FileObject open, Irp irp) {
        if (!isBreakInProgress()) {
            event(OplockObserver.Kind.ACKNOWLEDGED, open, irp, "no break in progress", OplockRule.NOTIFY_NO_BREAK);
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // MS-FSA 2.1.4.12 Algorithm to Check for an Oplock Break
    // ---------------------------------------------------------------------------------------------

    /**
     * Runs the break check for an operation.
     *
     * @param op an OP_* operation
     * @param open the operation's file object
     * @param flags OPLOCK_FLAG_* (PARENT_OBJECT, IGNORE_OPLOCK_KEYS)
     * @param access for OP_OPEN: the desired access
     * @param toNone for OP_OPEN: a SUPERSEDE/OVERWRITE(_IF) disposition or FILE_RESERVE_OPFILTER
     * @param setInfoClass for OP_SET_INFORMATION: the FILE_INFORMATION_CLASS
     * @param deleteFile for OP_SET_INFORMATION disposition classes: DeleteFile is TRUE
     * @param zeroData for OP_FS_CONTROL: the FSCTL is FSCTL_SET_ZERO_DATA
     * @return CHECK_WAIT when the operation must wait for an acknowledgment, else CHECK_PROCEED
     */
    int check(int op, FileObject open, int flags, int access, boolean toNone, int setInfoClass, boolean deleteFile,
            boolean zeroData) {
        if (state == NO_OPLOCK) {
            return CHECK_PROCEED;
        }
        if ((flags & OplockFlags.OPLOCK_FLAG_PARENT_OBJECT) != 0) {
            breakParent(open);
            return CHECK_PROCEED;
        }
        boolean breakToTwo = false;
        boolean breakToNone = false;
        int breakCacheState = 0;
        boolean filter = (state & FILTER_OPLOCK) != 0;
        switch (op) {
            case OP_OPEN:
                if (!toNone && attributeOnly(access)) {
                    return CHECK_PROCEED;
                }
                if (filter) {
                    breakToNone = toNone || writable(access);
                } else if (toNone) {
                    breakToNone = true;
                    breakCacheState = R | W;
                } else {
                    breakToTwo = true;
                    breakCacheState = W;
                }
                break;
            case OP_OPEN_BREAK_H:
            case OP_SET_SECURITY:
            case OP_CLOSING_DELETE_ON_CLOSE:
                breakCacheState = H;
                break;
            case OP_CLOSE:
                close(open);
                return CHECK_PROCEED;
            case OP_READ:
            case OP_FLUSH_DATA:
                breakToTwo = !filter;
                breakCacheState = W;
                break;
            case OP_LOCK_CONTROL:
                breakToNone = !filter; // WDK: byte-range locks never break a Filter oplock.
                breakCacheState = R | W;
                break;
            case OP_WRITE:
                breakToNone = true;
                breakCacheState = R | W;
                break;
            case OP_BREAK_TO_NONE:
                breakToNone = true;
                breakCacheState = R | W | H;
                break;
            case OP_SET_INFORMATION:
                switch (setInfoClass) {
                    case org.irpemu.irp.FileInformationClass.FileEndOfFileInformation:
                    case org.irpemu.irp.FileInformationClass.FileAllocationInformation:
                    case org.irpemu.irp.FileInformationClass.FileValidDataLengthInformation:
                        breakToNone = true;
                        breakCacheState = R | W;
                        break;
                    case org.irpemu.irp.FileInformationClass.FileRenameInformation:
                    case org.irpemu.irp.FileInformationClass.FileRenameInformationEx:
                    case org.irpemu.irp.FileInformationClass.FileLinkInformation:
                    case org.irpemu.irp.FileInformationClass.FileLinkInformationEx:
                    case org.irpemu.irp.FileInformationClass.FileShortNameInformation:
                        breakCacheState = H;
                        breakToNone = (state & (BATCH_OPLOCK | FILTER_OPLOCK)) != 0;
                        break;
                    case org.irpemu.irp.FileInformationClass.FileDispositionInformation:
                    case org.irpemu.irp.FileInformationClass.FileDispositionInformationEx:
                        if (deleteFile) {
                            breakCacheState = H;
                        }
                        break;
                    default:
                        break;
                }
                break;
            case OP_FS_CONTROL:
                if (zeroData) {
                    breakToNone = true;
                    breakCacheState = R | W;
                }
                break;
            default:
                break;
        }
        if (breakToTwo) {
            if (checkBreakToTwo(open, flags)) {
                return CHECK_WAIT;
            }
        } else if (breakToNone) {
            if (checkBreakToNone(op, open, flags)) {
                return CHECK_WAIT;
            }
        }
        return checkCacheState(op, open, flags, breakCacheState) ? CHECK_WAIT : CHECK_PROCEED;
    }

    /** MS-FSA 2.1.4.12, "If BreakToTwo". @return whether the caller must wait */
    private boolean checkBreakToTwo(FileObject open, int flags) {
        if (state == LEVEL_TWO_OPLOCK || (exclusiveOpen != null && keysEqual(exclusiveOpen.open, open, flags))) {
            return false;
        }
        if ((state & EXCLUSIVE) == 0 || (state & CACHE_MASK) != 0) {
            return false;
        }
        if ((state & ANY_BREAK) == 0) {
            setState(state | BREAK_TO_TWO, OplockRule.BREAK_TO_TWO);
            notify(exclusiveOpen, NEW_LEVEL_TWO, true, NtStatus.STATUS_SUCCESS, OplockRule.BREAK_TO_TWO);
        }
        return true;
    }

    /** MS-FSA 2.1.4.12, "Else If BreakToNone" (with the WDK's Filter oplock). @return whether to wait */
    private boolean checkBreakToNone(int op, FileObject open, int flags) {
        if (!(state == LEVEL_TWO_OPLOCK || exclusiveOpen == null || !keysEqual(exclusiveOpen.open, open, flags))) {
            return false;
        }
        if (state == NO_OPLOCK || (state & (W | H)) != 0) {
            return false;
        }
        if ((state & (LEVEL_TWO_OPLOCK | ANY_BREAK)) == 0) {
            if ((state & R) != 0) {
                return false; // A Read-only shared oplock: broken with the cache state below.
            }
            OplockRule rule = (state & FILTER_OPLOCK) != 0 ? OplockRule.BREAK_FILTER_WRITABLE : OplockRule.BREAK_TO_NONE;
            setState(state | BREAK_TO_NONE, rule);
            notify(exclusiveOpen, 0, true, NtStatus.STATUS_SUCCESS, rule);
        } else if (state == LEVEL_TWO_OPLOCK || state == (LEVEL_TWO_OPLOCK | R)) {
            // MS-FSA breaks every Level 2 holder; the WDK IRP_MJ_CREATE page breaks Level 2 on a destructive
            // open only under another key (writes, locks and size changes break every holder).
            boolean otherKeysOnly = op == OP_OPEN;
            for (Grant g = iiOplocks.first(); g != null; ) {
                Grant next = g.next;
                if (!otherKeysOnly || !compareKeys(open, g.open, flags)) {
                    iiOplocks.remove(g);
                    notify(g, 0, false, NtStatus.STATUS_SUCCESS,
                            otherKeysOnly ? OplockRule.BREAK_LEVEL_TWO_OPEN : OplockRule.BREAK_LEVEL_TWO);
                    recycle(g);
                }
                g = next;
            }
            recompute();
            return false;
        } else if ((state & BREAK_TO_TWO) != 0) {
            setState((state & ~BREAK_TO_TWO) | BREAK_TO_TWO_TO_NONE, OplockRule.BREAK_TARGET_LOWERED);
        }
        return !(exclusiveOpen != null && keysEqual(exclusiveOpen.open, open, flags));
    }

    /** MS-FSA 2.1.4.12, label LeaveBreakToNone: the BreakCacheState processing. @return whether to wait */
    private boolean checkCacheState(int op, FileObject open, int flags, int bcs) {
        if (bcs == 0 || (state & bcs) == 0) {
            return false;
        }
        if (exclusiveOpen != null && compareKeys(open, exclusiveOpen.open, flags)) {
            return false;
        }
        boolean needToWait = false;
        int s = state;
        if (s == (R | H | MIXED_R_AND_RH) || s == R || s == (LEVEL_TWO_OPLOCK | R)) {
            if ((bcs & R) != 0) {
                for (Grant g = rOplocks.first(); g != null; ) {
                    Grant next = g.next;
                    if (!compareKeys(open, g.open, flags)) {
                        rOplocks.remove(g);
                        notify(g, 0, false, NtStatus.STATUS_SUCCESS, OplockRule.BREAK_READ);
                        recycle(g);
                    }
                    g = next;
                }
            }
            if (s != (R | H | MIXED_R_AND_RH)) {
                recompute();
                return false;
            }
            s = R | H; // fall through to the Read-Handle holders
        }
        if (s == (R | H)) {
            if (bcs == H) {
                for (Grant g = rhOplocks.first(); g != null; ) {
                    Grant next = g.next;
                    if (!compareKeys(open, g.open, flags)) {
                        rhOplocks.remove(g);
                        g.breakingToRead = true;
                        notify(g, OplockLevel.R, true, NtStatus.STATUS_SUCCESS, OplockRule.BREAK_RH_TO_R);
                        rhBreakQueue.add(g);
                        needToWait = true;
                    }
                    g = next;
                }
            } else if ((bcs & (R | W)) == (R | W)) {
                for (Grant c = rhBreakQueue.first(); c != null; c = c.next) {
                    if (!compareKeys(open, c.open, flags)) {
                        if (c.breakingToRead) {
                            c.breakingToRead = false;
                            event(OplockObserver.Kind.BREAK, c.open, null, "RH break target lowered to NONE",
                                    OplockRule.BREAK_TARGET_LOWERED);
                        }
                        needToWait |= (bcs & H) != 0;
                    }
                }
                for (Grant g = rhOplocks.first(); g != null; ) {
                    Grant next = g.next;
                    if (!compareKeys(open, g.open, flags)) {
                        rhOplocks.remove(g);
                        g.breakingToRead = false;
                        notify(g, 0, true, NtStatus.STATUS_SUCCESS,
                                op == OP_BREAK_TO_NONE ? OplockRule.BREAK_TO_NONE_ALL : OplockRule.BREAK_RH_TO_NONE);
                        rhBreakQueue.add(g);
                        needToWait |= (bcs & H) != 0;
                    }
                    g = next;
                }
            }
            if (!needToWait && !rhBreakQueue.isEmpty() && (bcs & H) != 0) {
                needToWait = anyBreakingUnderOtherKey(open, flags);
            }
            recompute();
        } else if (s == (R | H | BREAK_TO_READ_CACHING)) {
            if ((bcs & R) != 0) {
                for (Grant c = rhBreakQueue.first(); c != null; c = c.next) {
                    if (!compareKeys(open, c.open, flags)) {
                        c.breakingToRead = false;
                    }
                }
                recompute();
            }
            if ((bcs & H) != 0) {
                needToWait = anyBreakingUnderOtherKey(open, flags);
            }
        } else if (s == (R | H | BREAK_TO_NO_CACHING)) {
            if ((bcs & H) != 0) {
                needToWait = anyBreakingUnderOtherKey(open, flags);
            }
        } else if (s == (R | W | EXCLUSIVE)) {
            if ((bcs & (R | W)) == (R | W)) {
                notify(exclusiveOpen, 0, true, NtStatus.STATUS_SUCCESS, OplockRule.BREAK_RW_TO_NONE);
                setState(R | W | EXCLUSIVE | BREAK_TO_NO_CACHING, OplockRule.BREAK_RW_TO_NONE);
                needToWait = true;
            } else if ((bcs & W) != 0) {
                notify(exclusiveOpen, OplockLevel.R, true, NtStatus.STATUS_SUCCESS, OplockRule.BREAK_RW_TO_R);
                setState(R | W | EXCLUSIVE | BREAK_TO_READ_CACHING, OplockRule.BREAK_RW_TO_R);
                needToWait = true;
            }
        } else if (s == (R | W | H | EXCLUSIVE)) {
            if (bcs == W) {
                notify(exclusiveOpen, OplockLevel.RH, true, NtStatus.STATUS_SUCCESS, OplockRule.BREAK_RWH_TO_RH);
                setState(s | BREAK_TO_READ_CACHING | BREAK_TO_HANDLE_CACHING, OplockRule.BREAK_RWH_TO_RH);
                needToWait = true;
            } else if (bcs == H) {
                notify(exclusiveOpen, OplockLevel.RW, true, NtStatus.STATUS_SUCCESS, OplockRule.BREAK_RWH_TO_RW);
                setState(s | BREAK_TO_READ_CACHING | BREAK_TO_WRITE_CACHING, OplockRule.BREAK_RWH_TO_RW);
                needToWait = true;
            } else if ((bcs & (R | W)) == (R | W)) {
                notify(exclusiveOpen, 0, true, NtStatus.STATUS_SUCCESS, OplockRule.BREAK_RWH_TO_NONE);
                setState(s | BREAK_TO_NO_CACHING, OplockRule.BREAK_RWH_TO_NONE);
                needToWait = true;
            }
        } else if (s == (R | W | EXCLUSIVE | BREAK_TO_READ_CACHING)) {
            if ((bcs & R) != 0) {
                setState(R | W | EXCLUSIVE | BREAK_TO_NO_CACHING, OplockRule.BREAK_TARGET_LOWERED);
            }
            needToWait = (bcs & (R | W)) != 0;
        } else if (s == (R | W | EXCLUSIVE | BREAK_TO_NO_CACHING)) {
            needToWait = (bcs & (R | W)) != 0;
        } else if (s == (R | W | H | EXCLUSIVE | BREAK_TO_READ_CACHING | BREAK_TO_WRITE_CACHING)) {
            if (bcs == W) {
                setState(R | W | H | EXCLUSIVE | BREAK_TO_READ_CACHING, OplockRule.BREAK_TARGET_LOWERED);
            } else if ((bcs & (R | W)) == (R | W)) {
                setState(R | W | H | EXCLUSIVE | BREAK_TO_NO_CACHING, OplockRule.BREAK_TARGET_LOWERED);
            }
            needToWait = true;
        } else if (s == (R | W | H | EXCLUSIVE | BREAK_TO_READ_CACHING | BREAK_TO_HANDLE_CACHING)) {
            if (bcs == H) {
                setState(R | W | H | EXCLUSIVE | BREAK_TO_READ_CACHING, OplockRule.BREAK_TARGET_LOWERED);
            } else if ((bcs & R) != 0) {
                setState(R | W | H | EXCLUSIVE | BREAK_TO_NO_CACHING, OplockRule.BREAK_TARGET_LOWERED);
            }
            needToWait = true;
        } else if (s == (R | W | H | EXCLUSIVE | BREAK_TO_READ_CACHING)) {
            if ((bcs & R) != 0) {
                setState(R | W | H | EXCLUSIVE | BREAK_TO_NO_CACHING, OplockRule.BREAK_TARGET_LOWERED);
            }
            needToWait = true;
        } else if (s == (R | W | H | EXCLUSIVE | BREAK_TO_NO_CACHING)) {
            needToWait = true;
        }
        if (needToWait && op == OP_LOCK_CONTROL && (state & (R | W | H | EXCLUSIVE)) == (R | W | H | EXCLUSIVE)) {
            // WDK IRP_MJ_LOCK_CONTROL (2019): a lock breaking RWH does not wait for the acknowledgment.
            event(OplockObserver.Kind.BREAK, open, null, "lock goes on", OplockRule.LOCK_DOES_NOT_WAIT);
            return false;
        }
        return needToWait;
    }

    private boolean anyBreakingUnderOtherKey(FileObject open, int flags) {
        for (Grant c = rhBreakQueue.first(); c != null; c = c.next) {
            if (!compareKeys(open, c.open, flags)) {
                return true;
            }
        }
        return false;
    }

    /**
     * PARENT_OBJECT: the WDK's directory oplock rule. Read and Read-Handle holders whose key differs from
     * the operation's parent key break to none, advisory; a Read-Handle break already under way only
     * has its target lowered. Nothing waits.
     */
    private void breakParent(FileObject open) {
        int flags = OplockFlags.OPLOCK_FLAG_PARENT_OBJECT;
        boolean changed = breakParent(rOplocks, open, flags);
        changed |= breakParent(rhOplocks, open, flags);
        for (Grant c = rhBreakQueue.first(); c != null; c = c.next) {
            if (!compareKeys(open, c.open, flags) && c.breakingToRead) {
                c.breakingToRead = false;
                changed = true;
            }
        }
        if (changed) {
            recompute();
        }
    }

    private boolean breakParent(OplockList<Grant> list, FileObject open, int flags) {
        boolean changed = false;
        for (Grant g = list.first(); g != null; ) {
            Grant next = g.next;
            if (!compareKeys(open, g.open, flags)) {
                list.remove(g);
                notify(g, 0, false, NtStatus.STATUS_SUCCESS, OplockRule.BREAK_PARENT);
                recycle(g);
                changed = true;
            }
            g = next;
        }
        return changed;
    }

    /** The CLOSE case of MS-FSA 2.1.4.12: the cleaned-up handle's own oplocks end. */
    private void close(FileObject open) {
        boolean changed = closeIn(iiOplocks, open, NtStatus.STATUS_SUCCESS);
        changed |= closeIn(rOplocks, open, NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
        changed |= closeIn(rhOplocks, open, NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
        if (!rhBreakQueue.isEmpty()) {
            for (Grant c = rhBreakQueue.first(); c != null; ) {
                Grant next = c.next;
                if (c.open == open) {
                    rhBreakQueue.remove(c);
                    recycle(c);
                    changed = true;
                }
                c = next;
            }
            if (changed) {
                recompute();
                releaseMatchingRhWaiters();
            }
        } else if (changed) {
            recompute();
        }
        if (exclusiveOpen != null && exclusiveOpen.open == open) {
            if ((state & ANY_BREAK) == 0) {
                notify(exclusiveOpen, 0, false, (state & CACHE_MASK) != 0 ? NtStatus.STATUS_OPLOCK_HANDLE_CLOSED
                        : NtStatus.STATUS_SUCCESS, OplockRule.CLOSED_HOLDER);
            } else {
                event(OplockObserver.Kind.ACKNOWLEDGED, open, null, "handle closed during the break",
                        OplockRule.RELEASE_CLOSE);
            }
            recycle(exclusiveOpen);
            exclusiveOpen = null;
            closePending = false;
            setState(NO_OPLOCK, OplockRule.CLOSED_HOLDER);
            releaseAll(OplockRule.RELEASE_CLOSE);
        }
    }

    private boolean closeIn(OplockList<Grant> list, FileObject open, int status) {
        boolean changed = false;
        for (Grant g = list.first(); g != null; ) {
            Grant next = g.next;
            if (g.open == open) {
                list.remove(g);
                notify(g, 0, false, status, OplockRule.CLOSED_HOLDER);
                recycle(g);
                changed = true;
            }
            g = next;
        }
        return changed;
    }

    // ---------------------------------------------------------------------------------------------
    // FILE_OPEN_REQUIRING_OPLOCK
    // ---------------------------------------------------------------------------------------------

    /**
     * Whether an open with FILE_OPEN_REQUIRING_OPLOCK must fail with STATUS_CANNOT_BREAK_OPLOCK: the
     * stream holds an oplock other than R or RH under another key, or the open would break R/RH holders
     * under another key (an overwriting open or FILE_RESERVE_OPFILTER, or, for OPEN_BREAK_H, handle
     * caching under another key).
     */
    boolean cannotBreakForAtomicOpen(FileObject open, boolean toNone, boolean breakH) {
        if (state == NO_OPLOCK) {
            return false;
        }
        if (exclusiveOpen != null && !keysEqual(exclusiveOpen.open, open)) {
            return true;
        }
        for (Grant g = iiOplocks.first(); g != null; g = g.next) {
            if (!keysEqual(g.open, open)) {
                return true;
            }
        }
        if (toNone) {
            for (Grant g = rOplocks.first(); g != null; g = g.next) {
                if (!keysEqual(g.open, open)) {
                    return true;
                }
            }
        }
        if (toNone || breakH) {
            for (Grant g = rhOplocks.first(); g != null; g = g.next) {
                if (!keysEqual(g.open, open)) {
                    return true;
                }
            }
            for (Grant g = rhBreakQueue.first(); g != null; g = g.next) {
                if (!keysEqual(g.open, open)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // Waiting, releasing, cancelling
    // ---------------------------------------------------------------------------------------------

    /** Parks an operation (MS-FSA WaitForBreak). The caller has run the pre-post routine. */
    void park(Irp irp, FileObject open, OplockWaitCompleteRoutine routine, Object context, boolean breakNotify) {
        Waiter w = newWaiter(open, irp, routine, context, breakNotify);
        waitList.add(w);
        event(OplockObserver.Kind.PARKED, open, irp, breakNotify ? "break notify" : "waits for acknowledgment",
                breakNotify ? OplockRule.NOTIFY_WAIT : OplockRule.WAIT);
        irp.driverContext()[FsRtl.DRIVER_CONTEXT_OPLOCK] = this;
        irp.driverContext()[FsRtl.DRIVER_CONTEXT_ENTRY] = w;
        Io.setCancelRoutine(irp, CANCEL_WAITER);
        if (irp.isCancel() && Io.setCancelRoutine(irp, null) != null) {
            cancelWaiter(w);
        }
    }

    private void releaseAll(OplockRule rule) {
        Waiter w;
        while ((w = waitList.removeFirst()) != null) {
            release(w, rule);
        }
    }

    /** Releases waiters once no Read-Handle break under a key other than theirs is still pending. */
    private void releaseMatchingRhWaiters() {
        for (Waiter w = waitList.first(); w != null; ) {
            Waiter next = w.next;
            boolean go = true;
            for (Grant c = rhBreakQueue.first(); c != null; c = c.next) {
                if (!keysEqual(c.open, w.open)) {
                    go = false;
                    break;
                }
            }
            if (go) {
                waitList.remove(w);
                release(w, OplockRule.RELEASE_ACK);
            }
            w = next;
        }
    }

    private void release(Waiter w, OplockRule rule) {
        Io.setCancelRoutine(w.irp, null);
        w.irp.ioStatus().set(NtStatus.STATUS_SUCCESS, 0);
        event(OplockObserver.Kind.RELEASED, w.open, w.irp, w.breakNotify ? "break notify completes" : "goes on", rule);
        defer(w);
    }

    private static final DriverCancel CANCEL_GRANT = (DeviceObject device, Irp irp) -> {
        Oplock oplock = (Oplock) irp.driverContext()[FsRtl.DRIVER_CONTEXT_OPLOCK];
        oplock.cancelGrant((Grant) irp.driverContext()[FsRtl.DRIVER_CONTEXT_ENTRY]);
        oplock.flush();
    };

    private static final DriverCancel CANCEL_WAITER = (DeviceObject device, Irp irp) -> {
        Oplock oplock = (Oplock) irp.driverContext()[FsRtl.DRIVER_CONTEXT_OPLOCK];
        oplock.cancelWaiter((Waiter) irp.driverContext()[FsRtl.DRIVER_CONTEXT_ENTRY]);
        oplock.flush();
    };

    /** A granted request was cancelled: the oplock is given up (MS-FSA leaves this open; see docs). */
    private void cancelGrant(Grant g) {
        Irp irp = g.irp;
        g.irp = null;
        if (observer != null) { // the detail is built only for an observer
            event(OplockObserver.Kind.CANCELLED, g.open, irp, g.describe() + " given up", OplockRule.CANCEL_GRANT);
        }
        if (g == exclusiveOpen) {
            exclusiveOpen = null;
            setState(NO_OPLOCK, OplockRule.CANCEL_GRANT);
            releaseAll(OplockRule.RELEASE_ACK);
        } else if (g.list != null) {
            g.list.remove(g);
            recompute();
        }
        OplockIrpCompleter c = g.completer;
        recycle(g);
        irp.ioStatus().set(NtStatus.STATUS_CANCELLED, 0);
        deferCompletion(c, irp);
    }

    private void cancelWaiter(Waiter w) {
        waitList.remove(w);
        event(OplockObserver.Kind.CANCELLED, w.open, w.irp, "leaves the wait list", OplockRule.CANCEL_WAITER);
        w.irp.ioStatus().set(NtStatus.STATUS_CANCELLED, 0);
        defer(w);
    }

    /** FsRtlUninitializeOplock: every remaining request completes as broken to none, waiters go on. */
    void uninitialize() {
        uninitialize(iiOplocks);
        uninitialize(rOplocks);
        uninitialize(rhOplocks);
        Grant c;
        while ((c = rhBreakQueue.removeFirst()) != null) {
            recycle(c);
        }
        if (exclusiveOpen != null) {
            if (exclusiveOpen.irp != null) {
                notify(exclusiveOpen, 0, false, NtStatus.STATUS_SUCCESS, OplockRule.UNINITIALIZE);
            }
            recycle(exclusiveOpen);
            exclusiveOpen = null;
        }
        setState(NO_OPLOCK, OplockRule.UNINITIALIZE);
        releaseAll(OplockRule.UNINITIALIZE);
    }

    private void uninitialize(OplockList<Grant> list) {
        Grant g;
        while ((g = list.removeFirst()) != null) {
            notify(g, 0, false, NtStatus.STATUS_SUCCESS, OplockRule.UNINITIALIZE);
            recycle(g);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Notifications (MS-FSA 2.1.5.18.3) and deferred delivery
    // ---------------------------------------------------------------------------------------------

    /**
     * 2.1.5.18.3 Indicating an Oplock Break: completes the grant's pending request IRP with the break.
     *
     * @param newLevel OPLOCK_LEVEL_CACHE_* bits, 0 for none, or NEW_LEVEL_TWO (legacy only)
     */
    private void notify(Grant g, int newLevel, boolean ackRequired, int status, OplockRule rule) {
        Irp irp = g.irp;
        if (irp == null) {
            return; // already completed by an earlier break
        }
        g.irp = null;
        Io.setCancelRoutine(irp, null);
        long information;
        String detail = null;
        if (g.isLegacy()) {
            information = newLevel == NEW_LEVEL_TWO ? OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_LEVEL_2
                    : OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_NONE;
            if (observer != null) {
                detail = g.describe() + " -> " + (newLevel == NEW_LEVEL_TWO ? "Level 2" : "NONE")
                        + (ackRequired ? ", ack required" : ", no ack") + ", " + NtStatus.symbol(status);
            }
        } else {
            int outFlags = ackRequired ? RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED : 0;
            int access = 0;
            int share = 0;
            if (modesValid && ackRequired && (g.level & OplockLevel.OPLOCK_LEVEL_CACHE_HANDLE) != 0
                    && (newLevel & OplockLevel.OPLOCK_LEVEL_CACHE_HANDLE) == 0) {
                outFlags |= RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_MODES_PROVIDED;
                access = modesAccess;
                share = modesShare;
            }
            RequestOplockOutputBuffer.write(irp.systemBuffer(), 0, g.level, newLevel, outFlags, access, share);
            information = RequestOplockOutputBuffer.ENCODED_LENGTH;
            if (observer != null) {
                detail = OplockLevel.format(g.level) + " -> " + OplockLevel.format(newLevel)
                        + (ackRequired ? ", ack required" : ", no ack") + ", " + NtStatus.symbol(status);
            }
        }
        irp.ioStatus().set(status, information);
        event(OplockObserver.Kind.BREAK, g.open, irp, detail, rule);
        deferCompletion(g.completer, irp);
    }

    /** Queues the hand-back of a held IRP: two slots (completer, IRP) when it has its own completer. */
    private void deferCompletion(OplockIrpCompleter c, Irp irp) {
        if (c != null) {
            defer(c);
        }
        defer(irp);
    }

    private void defer(Object item) {
        if (deferredTail == deferred.length) {
            if (deferredHead > 0) {
                System.arraycopy(deferred, deferredHead, deferred, 0, deferredTail - deferredHead);
                Arrays.fill(deferred, deferredTail - deferredHead, deferredTail, null);
                deferredTail -= deferredHead;
                deferredHead = 0;
            } else {
                deferred = Arrays.copyOf(deferred, deferred.length * 2);
            }
        }
        deferred[deferredTail++] = item;
    }

    /** Delivers queued completions and releases, in order. Safe to call re-entrantly. */
    void flush() {
        if (flushing) {
            return;
        }
        flushing = true;
        try {
            while (deferredHead < deferredTail) {
                Object item = deferred[deferredHead];
                deferred[deferredHead++] = null;
                if (item instanceof Irp) {
                    Io.completeRequest((Irp) item);
                } else if (item instanceof OplockIrpCompleter) {
                    Irp irp = (Irp) deferred[deferredHead];
                    deferred[deferredHead++] = null;
                    ((OplockIrpCompleter) item).completeIrp(irp);
                } else {
                    Waiter w = (Waiter) item;
                    Irp irp = w.irp;
                    OplockWaitCompleteRoutine routine = w.routine;
                    Object context = w.context;
                    boolean notifyRequest = w.breakNotify;
                    OplockIrpCompleter c = w.completer;
                    recycle(w);
                    if (!notifyRequest) {
                        routine.complete(context, irp);
                    } else if (c != null) {
                        c.completeIrp(irp);
                    } else {
                        Io.completeRequest(irp);
                    }
                }
            }
            deferredHead = 0;
            deferredTail = 0;
        } finally {
            flushing = false;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    void modes(boolean valid, int access, int share) {
        this.modesValid = valid;
        this.modesAccess = access;
        this.modesShare = share;
    }

    /**
     * Key equality of two opens (MS-FSA 2.1.1.6): the same open, or both carry a target key and the keys
     * are equal; an empty key equals nothing but its own open.
     */
    static boolean keysEqual(FileObject a, FileObject b) {
        if (a == b) {
            return true;
        }
        return a.targetOplockKey() != null && b.targetOplockKey() != null
                && a.targetOplockKey().equals(b.targetOplockKey());
    }

    private static boolean keysEqual(FileObject a, FileObject b, int flags) {
        return (flags & OplockFlags.OPLOCK_FLAG_IGNORE_OPLOCK_KEYS) == 0 && keysEqual(a, b);
    }

    /** MS-FSA 2.1.4.12.2 Algorithm to Compare Oplock Keys. */
    static boolean compareKeys(FileObject operationOpen, FileObject oplockOpen, int flags) {
        if ((flags & OplockFlags.OPLOCK_FLAG_IGNORE_OPLOCK_KEYS) != 0) {
            return false;
        }
        if (operationOpen == oplockOpen) {
            return true;
        }
        boolean parent = (flags & OplockFlags.OPLOCK_FLAG_PARENT_OBJECT) != 0;
        if (oplockOpen.targetOplockKey() == null) {
            return false;
        }
        if (parent) {
            return operationOpen.parentOplockKey() != null
                    && operationOpen.parentOplockKey().equals(oplockOpen.targetOplockKey());
        }
        return operationOpen.targetOplockKey() != null
                && Objects.equals(operationOpen.targetOplockKey(), oplockOpen.targetOplockKey());
    }

    /** WDK IRP_MJ_CREATE: an open asking only for attributes or SYNCHRONIZE breaks nothing. */
    static boolean attributeOnly(int access) {
        return (access & ~(org.irpemu.irp.AccessMask.FILE_READ_ATTRIBUTES | org.irpemu.irp.AccessMask.FILE_WRITE_ATTRIBUTES
                | org.irpemu.irp.AccessMask.SYNCHRONIZE)) == 0;
    }

    /** WDK IRP_MJ_CREATE, Filter oplocks: access beyond the read-type rights is "writable". */
    static boolean writable(int access) {
        int readType = org.irpemu.irp.AccessMask.FILE_READ_ATTRIBUTES | org.irpemu.irp.AccessMask.FILE_WRITE_ATTRIBUTES
                | org.irpemu.irp.AccessMask.FILE_READ_DATA | org.irpemu.irp.AccessMask.FILE_READ_EA
                | org.irpemu.irp.AccessMask.FILE_EXECUTE | org.irpemu.irp.AccessMask.SYNCHRONIZE
                | org.irpemu.irp.AccessMask.READ_CONTROL;
        return (access & ~readType) != 0;
    }

    static int cacheToState(int level) {
        int s = 0;
        if ((level & OplockLevel.OPLOCK_LEVEL_CACHE_READ) != 0) {
            s |= R;
        }
        if ((level & OplockLevel.OPLOCK_LEVEL_CACHE_WRITE) != 0) {
            s |= W;
        }
        if ((level & OplockLevel.OPLOCK_LEVEL_CACHE_HANDLE) != 0) {
            s |= H;
        }
        return s;
    }

    private static int legacyFlag(int type) {
        switch (type) {
            case Grant.TYPE_LEVEL_1: return LEVEL_ONE_OPLOCK;
            case Grant.TYPE_BATCH: return BATCH_OPLOCK;
            case Grant.TYPE_FILTER: return FILTER_OPLOCK;
            default: throw new IllegalArgumentException("type " + type);
        }
    }

    private void setState(int newState, OplockRule rule) {
        int old = state;
        state = newState;
        if (observer != null && old != newState) {
            observer.onEvent(OplockObserver.Kind.STATE, this, null, null,
                    describeState(old) + " -> " + describeState(newState), rule);
        }
    }

    private void event(OplockObserver.Kind kind, FileObject open, Irp irp, String detail, OplockRule rule) {
        if (observer != null) {
            observer.onEvent(kind, this, open, irp, detail, rule);
        }
    }

    private Grant newGrant(FileObject open, Irp irp, int type, int level) {
        Grant g = grantPoolSize > 0 ? grantPool[--grantPoolSize] : new Grant();
        return g.set(this, open, irp, type, level, completer);
    }

    private void recycle(Grant g) {
        g.open = null;
        g.irp = null;
        g.completer = null;
        if (grantPoolSize == grantPool.length) {
            grantPool = Arrays.copyOf(grantPool, grantPoolSize * 2);
        }
        grantPool[grantPoolSize++] = g;
    }

    private Waiter newWaiter(FileObject open, Irp irp, OplockWaitCompleteRoutine routine, Object context,
            boolean notify) {
        Waiter w = waiterPoolSize > 0 ? waiterPool[--waiterPoolSize] : new Waiter();
        return w.set(this, open, irp, routine, context, notify, notify ? completer : null);
    }

    private void recycle(Waiter w) {
        w.open = null;
        w.irp = null;
        w.completer = null;
        w.routine = null;
        w.context = null;
        if (waiterPoolSize == waiterPool.length) {
            waiterPool = Arrays.copyOf(waiterPool, waiterPoolSize * 2);
        }
        waiterPool[waiterPoolSize++] = w;
    }

    @Override
    public String toString() {
        return "OPLOCK{" + stateName() + ", waiting=" + waitList.size() + '}';
    }
}
