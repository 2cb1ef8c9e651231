package org.irpemu.fsrtl;

/**
 * Every decision the oplock package makes, with the source it follows and the condition that held.
 * Traces print these with {@code --explain}, so that "why did this break?" is answered by the output.
 */
public enum OplockRule {
    LEVEL_ZERO("MS-FSA 2.1.5.18", "RequestedOplockLevel is 0: nothing is granted and the request completes at once"),
    GRANTED_EXCLUSIVE("MS-FSA 2.1.5.18.1; WDK Granting Oplocks",
            "no other open of the stream (Read-Write levels: every open shares the requester's key) and no oplock held"
                    + ": the exclusive oplock is granted and its request stays pending until it breaks"),
    GRANTED_SHARED("MS-FSA 2.1.5.18.2; WDK Granting Oplocks",
            "no exclusive oplock and no break in progress: the shared oplock is granted and its request stays pending"),
    GRANTED_IN_ACK("MS-FSA 2.1.5.19", "the acknowledgment asks for a level the break allows: the acknowledgment IRP"
            + " becomes the oplock at that level and stays pending"),
    UPGRADE_BREAKS_LEVEL_2("MS-FSA 2.1.5.18.1",
            "the only open upgrades its Level 2: the Level 2 request breaks to none and the exclusive oplock is granted"),
    SWITCHED_TO_NEW_HANDLE("MS-FSA 2.1.5.18.1 / 2.1.5.18.2",
            "the same oplock key requests again on another request: the previous oplock request completes with"
                    + " STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE, no acknowledgment"),
    REFUSED_SYNCHRONOUS("WDK Granting Oplocks; MS-FSA 2.1.5.18",
            "the handle was opened for synchronous I/O: an oplock request could never pend on it"),
    REFUSED_OTHER_OPENS("WDK Granting Oplocks; MS-FSA 2.1.5.18",
            "an exclusive oplock needs the stream to have no other open (Read-Write levels: all opens under the"
                    + " requester's key)"),
    REFUSED_BYTE_RANGE_LOCKS("WDK Granting Oplocks; MS-FSA 2.1.5.18",
            "shared oplocks are not granted while byte-range locks exist on the stream"),
    REFUSED_STATE("MS-FSA 2.1.5.18.1 / 2.1.5.18.2; WDK Granting Oplocks table",
            "the oplock already held (or the break in progress) does not allow this level"),
    REFUSED_KEY("MS-FSA 2.1.5.18.1 / 2.1.5.18.2",
            "the held oplock belongs to another oplock key (or Read is asked where the same key holds Read-Handle)"),
    BREAK_TO_TWO("MS-FSA 2.1.4.12 (BreakToTwo); WDK IRP_MJ_CREATE and IRP_MJ_READ tables",
            "a Level 1 or Batch oplock held under another key meets an open with data access, a read or a flush:"
                    + " broken to Level 2, acknowledgment required"),
    BREAK_TO_NONE("MS-FSA 2.1.4.12 (BreakToNone); WDK per-IRP tables",
            "a Level 1, Batch or Filter oplock held under another key meets a write, lock, size change, overwrite,"
                    + " rename or superseding link: broken to none, acknowledgment required"),
    BREAK_FILTER_WRITABLE("WDK IRP_MJ_CREATE oplock table",
            "a Filter oplock breaks to none when an open asks for writable access (or overwrites)"),
    BREAK_TARGET_LOWERED("MS-FSA 2.1.4.12",
            "a break is already under way: its target level only moves down, no second notification"),
    BREAK_LEVEL_TWO("MS-FSA 2.1.4.12 (BreakToNone); WDK IRP_MJ_WRITE / LOCK_CONTROL / SET_INFORMATION tables",
            "Level 2 breaks to none without acknowledgment on a write, lock or size change, from any handle"
                    + " including the holder's own"),
    BREAK_LEVEL_TWO_OPEN("WDK IRP_MJ_CREATE oplock table (MS-FSA 2.1.4.12 has no key test here)",
            "Level 2 breaks to none without acknowledgment on an overwriting, superseding or"
                    + " FILE_RESERVE_OPFILTER open under another oplock key"),
    BREAK_READ("MS-FSA 2.1.4.12 (BreakCacheState contains R)",
            "Read oplocks under other keys break to none without acknowledgment"),
    BREAK_RH_TO_R("MS-FSA 2.1.4.12 (BreakCacheState = H); WDK FsRtlOplockBreakH and IRP_MJ_SET_INFORMATION",
            "handle caching must go (an open would fail with a sharing violation, a rename, a superseding link,"
                    + " a delete or set security): Read-Handle breaks to Read, acknowledgment required"),
    BREAK_RH_TO_NONE("MS-FSA 2.1.4.12 (BreakCacheState contains R and W)",
            "a write, lock, size change or overwrite under another key: Read-Handle breaks to none, acknowledgment"
                    + " required, the operation does not wait for it"),
    BREAK_RW_TO_R("MS-FSA 2.1.4.12 (R|W|EXCLUSIVE, BreakCacheState = W); WDK IRP_MJ_CREATE / READ tables",
            "an open or read under another key: Read-Write breaks to Read, acknowledgment required"),
    BREAK_RW_TO_NONE("MS-FSA 2.1.4.12 (R|W|EXCLUSIVE, BreakCacheState contains R and W)",
            "a write, lock, size change or overwrite under another key: Read-Write breaks to none"),
    BREAK_RWH_TO_RH("MS-FSA 2.1.4.12 (R|W|H|EXCLUSIVE, BreakCacheState = W); WDK IRP_MJ_CREATE / READ tables",
            "an open or read under another key: Read-Write-Handle breaks to Read-Handle, acknowledgment required"),
    BREAK_RWH_TO_RW("MS-FSA 2.1.4.12 (R|W|H|EXCLUSIVE, BreakCacheState = H); WDK FsRtlOplockBreakH",
            "handle caching must go (sharing violation, rename, superseding link, delete, set security): Read-Write-Handle"
                    + " breaks to Read-Write"),
    BREAK_RWH_TO_NONE("MS-FSA 2.1.4.12 (R|W|H|EXCLUSIVE, BreakCacheState contains R and W)",
            "a write, lock, size change or overwrite under another key: Read-Write-Handle breaks to none"),
    BREAK_PARENT("WDK FSCTL_REQUEST_OPLOCK (directory oplocks); MS-FSA 2.1.4.12 PARENT_OBJECT",
            "a child was created, deleted, renamed or changed through a handle whose parent key differs: the"
                    + " directory's oplock breaks to none, advisory (WDK: no acknowledgment; MS-FSA asks one for RH)"),
    BREAK_TO_NONE_ALL("WDK FsRtlOplockBreakToNoneEx", "every oplock is broken to none, whatever its key"),
    WAIT("MS-FSA 2.1.4.12 WaitForBreak; WDK Breaking Oplocks",
            "the operation is parked on the wait list until the break is acknowledged, the holder's handle"
                    + " closes, or the operation is cancelled"),
    LOCK_DOES_NOT_WAIT("WDK IRP_MJ_LOCK_CONTROL (2019 page; MS-FSA would wait)",
            "a byte-range lock that breaks Read-Write-Handle goes on without waiting for the acknowledgment"),
    COMPLETE_IF_OPLOCKED("WDK FsRtlCheckOplock(Ex); FILE_COMPLETE_IF_OPLOCKED",
            "the operation would wait for a break: it goes on at once with STATUS_OPLOCK_BREAK_IN_PROGRESS"),
    CANNOT_BREAK("WDK FsRtlCheckOplockEx / FsRtlOplockBreakH; FILE_OPEN_REQUIRING_OPLOCK",
            "the open may not break oplocks and the stream holds one it cannot share under another key:"
                    + " STATUS_CANNOT_BREAK_OPLOCK"),
    RESERVE_OPFILTER_REFUSED("WDK Granting Oplocks (FILE_RESERVE_OPFILTER)",
            "the create reserves a Filter oplock but the stream has other opens: STATUS_OPLOCK_NOT_GRANTED"),
    ACK_LEVEL_TWO("MS-FSA 2.1.5.19; WDK FSCTL_OPLOCK_BREAK_ACKNOWLEDGE",
            "the holder accepts the break to Level 2: the acknowledgment IRP becomes the Level 2 oplock"),
    ACK_NONE("MS-FSA 2.1.5.19; WDK FSCTL_OPLOCK_BREAK_ACK_NO_2 / FSCTL_OPLOCK_BREAK_ACKNOWLEDGE",
            "the holder acknowledges and keeps no oplock"),
    ACK_CLOSE_PENDING("WDK FSCTL_OPBATCH_ACK_CLOSE_PENDING",
            "the Batch or Filter holder will close its handle: waiting operations keep waiting until it does"),
    ACK_GRANULAR("MS-FSA 2.1.5.19", "the holder acknowledges the break of its Windows 7 oplock"),
    ACK_CANNOT_GRANT("MS-FSA 2.1.5.19",
            "operations are waiting and the acknowledgment asks for more than the break allows:"
                    + " STATUS_CANNOT_GRANT_REQUESTED_OPLOCK with the level still possible; acknowledge again"),
    ACK_UNEXPECTED("MS-FSA 2.1.5.19; WDK Acknowledging Oplock Breaks",
            "no break of an oplock of this handle is in progress: STATUS_INVALID_OPLOCK_PROTOCOL"),
    RELEASE_ACK("MS-FSA 2.1.5.19 / 2.1.4.12.1",
            "the acknowledgment ends the break: the operations waiting for it go on"),
    RELEASE_CLOSE("MS-FSA 2.1.4.12 (CLOSE); WDK IRP_MJ_CLEANUP",
            "closing the holder's handle counts as the acknowledgment: waiting operations go on"),
    CLOSED_HOLDER("MS-FSA 2.1.4.12 (CLOSE); WDK IRP_MJ_CLEANUP",
            "the holder's handle was cleaned up: its oplock request completes without acknowledgment"
                    + " (STATUS_OPLOCK_HANDLE_CLOSED for R/RH/RW/RWH, STATUS_SUCCESS and FILE_OPLOCK_BROKEN_TO_NONE"
                    + " for legacy types)"),
    NOTIFY_NO_BREAK("WDK FSCTL_OPLOCK_BREAK_NOTIFY", "no break is in progress: the request completes at once"),
    NOTIFY_WAIT("WDK FSCTL_OPLOCK_BREAK_NOTIFY",
            "a break is in progress: the request is parked until the break completes"),
    CANCEL_GRANT("WDK Granting Oplocks; MS-FSA 2.1.5.20",
            "the pending oplock request was cancelled: the oplock is given up and the request completes with"
                    + " STATUS_CANCELLED"),
    CANCEL_WAITER("MS-FSA 2.1.5.20", "the parked operation was cancelled: it leaves the wait list with STATUS_CANCELLED"),
    RECOMPUTE("MS-FSA 2.1.4.13", "the state of the shared oplock is recomputed from its lists"),
    UNINITIALIZE("WDK FsRtlUninitializeOplock", "the oplock is torn down: remaining requests and waiters complete");

    private final String source;
    private final String condition;

    OplockRule(String source, String condition) {
        this.source = source;
        this.condition = condition;
    }

    /** @return the MS-FSA section or WDK page the rule follows */
    public String source() {
        return source;
    }

    /** @return the condition that held, in plain words */
    public String condition() {
        return condition;
    }
}
