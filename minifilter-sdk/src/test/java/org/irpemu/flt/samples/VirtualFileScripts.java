package org.irpemu.flt.samples;

import static org.irpemu.irp.FsControlCode.FSCTL_OPBATCH_ACK_CLOSE_PENDING;
import static org.irpemu.irp.FsControlCode.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE;
import static org.irpemu.irp.FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2;
import static org.irpemu.irp.FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY;
import static org.irpemu.irp.FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK;
import static org.irpemu.irp.FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK;
import static org.irpemu.irp.FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1;
import static org.irpemu.irp.FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2;
import static org.irpemu.irp.OplockLevel.R;
import static org.irpemu.irp.OplockLevel.RH;
import static org.irpemu.irp.OplockLevel.RW;
import static org.irpemu.irp.OplockLevel.RWH;

import java.util.List;
import java.util.UUID;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.ShareAccessFlags;

/**
 * Request sequences that only read (the virtual file is read-only), after the public conformance suite
 * and the oplock reference (oplock-reference.md: granting, the break table rows that reads, opens and
 * closes reach, acknowledging, FSCTL_OPLOCK_BREAK_NOTIFY, cancellation).
 */
final class VirtualFileScripts {
    static final int READ = AccessMask.FILE_READ_DATA;
    static final int ATTRIBUTES = AccessMask.FILE_READ_ATTRIBUTES;
    static final int ALL = ShareAccessFlags.FILE_SHARE_READ | ShareAccessFlags.FILE_SHARE_WRITE
            | ShareAccessFlags.FILE_SHARE_DELETE;
    static final int NONE = 0;
    static final int REQUEST = RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST;
    static final int ACK = RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK;
    static final UUID K1 = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    static final UUID K2 = UUID.fromString("00000000-0000-0000-0000-0000000000a2");

    private VirtualFileScripts() {
    }

    private static OplockTranscript.Script script(String name) {
        return new OplockTranscript.Script(name);
    }

    static List<OplockTranscript.Script> all() {
        return List.of(
                script("each level granted on a lone handle, closed: STATUS_OPLOCK_HANDLE_CLOSED")
                        .open("c1", READ, ALL, 0, null)
                        .request("o1", "c1", R, false)
                        .close("x1", "c1")
                        .open("c2", READ, ALL, 0, null)
                        .request("o2", "c2", RH, false)
                        .close("x2", "c2")
                        .open("c3", READ, ALL, 0, null)
                        .request("o3", "c3", RW, false)
                        .close("x3", "c3")
                        .open("c4", READ, ALL, 0, null)
                        .request("o4", "c4", RWH, false)
                        .close("x4", "c4")
                        .open("c5", READ, ALL, 0, null)
                        .fsctl("o5", "c5", FSCTL_REQUEST_OPLOCK_LEVEL_1)
                        .close("x5", "c5")
                        .open("c6", READ, ALL, 0, null)
                        .fsctl("o6", "c6", FSCTL_REQUEST_BATCH_OPLOCK)
                        .close("x6", "c6")
                        .open("c7", READ, ALL, 0, null)
                        .fsctl("o7", "c7", FSCTL_REQUEST_OPLOCK_LEVEL_2)
                        .close("x7", "c7"),
                script("exclusive oplocks need a single open; shared ones do not")
                        .open("c1", READ, ALL, 0, null)
                        .open("c2", READ, ALL, 0, null)
                        .fsctl("o1", "c1", FSCTL_REQUEST_OPLOCK_LEVEL_1)
                        .fsctl("o2", "c1", FSCTL_REQUEST_BATCH_OPLOCK)
                        .fsctl("o3", "c1", FSCTL_REQUEST_FILTER_OPLOCK)
                        .request("o4", "c1", RW, false)
                        .request("o5", "c1", RWH, false)
                        .request("o6", "c1", RH, false)
                        .request("o7", "c2", R, false)
                        .close("x1", "c1")
                        .close("x2", "c2"),
                script("RW and RWH with every open under the same key (OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH)")
                        .open("c1", READ, ALL, 0, K1)
                        .open("c2", READ, ALL, 0, K1)
                        .request("o1", "c1", RWH, false)
                        .open("c3", READ, ALL, 0, K1)
                        .open("c4", READ, ALL, 0, K2)
                        .request("a1", "c1", RH, true)
                        .close("x3", "c3")
                        .close("x4", "c4")
                        .close("x2", "c2")
                        .close("x1", "c1"),
                script("a synchronous handle is never granted an oplock")
                        .open("c1", READ | AccessMask.SYNCHRONIZE, ALL, CreateOptions.FILE_SYNCHRONOUS_IO_NONALERT, null)
                        .request("o1", "c1", RH, false)
                        .fsctl("o2", "c1", FSCTL_REQUEST_OPLOCK_LEVEL_2)
                        .fsctl("o3", "c1", FSCTL_REQUEST_BATCH_OPLOCK)
                        .read("r1", "c1", 0, 16)
                        .close("x1", "c1"),
                script("unexpected acknowledgments: STATUS_INVALID_OPLOCK_PROTOCOL")
                        .open("c1", READ, ALL, 0, null)
                        .request("a1", "c1", R, true)
                        .fsctl("a2", "c1", FSCTL_OPLOCK_BREAK_ACKNOWLEDGE)
                        .fsctl("a3", "c1", FSCTL_OPLOCK_BREAK_ACK_NO_2)
                        .fsctl("a4", "c1", FSCTL_OPBATCH_ACK_CLOSE_PENDING)
                        .request("o1", "c1", RH, false)
                        .request("a5", "c1", R, true)
                        .close("x1", "c1"),
                script("request buffer validation")
                        .open("c1", READ, ALL, 0, null)
                        .rawRequest("b1", "c1", 1, 12, RH, REQUEST, 11, 24)
                        .rawRequest("b2", "c1", 1, 12, RH, REQUEST, 12, 23)
                        .rawRequest("b3", "c1", 2, 12, RH, REQUEST, 12, 24)
                        .rawRequest("b4", "c1", 1, 16, RH, REQUEST, 12, 24)
                        .rawRequest("b5", "c1", 1, 12, RH, REQUEST | ACK, 12, 24)
                        .rawRequest("b6", "c1", 1, 12, RH, 0, 12, 24)
                        .rawRequest("b7", "c1", 1, 12, 4, REQUEST, 12, 24)
                        .rawRequest("b8", "c1", 1, 12, 0, REQUEST, 12, 24)
                        .rawRequest("b9", "c1", 1, 12, RH, REQUEST, 12, 24)
                        .close("x1", "c1"),
                script("Read-Handle broken to Read by an open that would hit a sharing violation; resumed by the ack")
                        .open("c1", READ, ALL, 0, null)
                        .request("o1", "c1", RH, false)
                        .open("c2", READ, NONE, 0, null)
                        .request("a1", "c1", R, true)
                        .close("x1", "c1")
                        .open("c3", READ, NONE, 0, null),
                script("Read-Handle broken to Read by an open that would hit a sharing violation; resumed by the close")
                        .open("c1", READ, ShareAccessFlags.FILE_SHARE_READ, 0, null)
                        .request("o1", "c1", RH, false)
                        .open("c2", READ, NONE, 0, null)
                        .read("r1", "c1", 0, 8)
                        .close("x1", "c1")
                        .read("r2", "c2", 4, 8)
                        .close("x2", "c2"),
                script("Read and Read-Handle survive other opens and reads")
                        .open("c1", READ, ALL, 0, null)
                        .open("c2", READ, ALL, 0, null)
                        .request("o1", "c1", R, false)
                        .request("o2", "c2", RH, false)
                        .open("c3", READ, ALL, 0, null)
                        .read("r1", "c3", 0, 64)
                        .close("x3", "c3")
                        .close("x1", "c1")
                        .close("x2", "c2"),
                script("Read-Write-Handle broken to Read-Handle by a reader; the ack keeps RH")
                        .open("c1", READ, ALL, 0, null)
                        .request("o1", "c1", RWH, false)
                        .open("c2", READ, ALL, 0, null)
                        .request("a1", "c1", RH, true)
                        .read("r1", "c2", 0, 10)
                        .close("x2", "c2")
                        .close("x1", "c1"),
                script("Read-Write broken to Read by an open; asking for more than offered while the open waits")
                        .open("c1", READ, ALL, 0, null)
                        .request("o1", "c1", RW, false)
                        .open("c2", READ, ALL, 0, null)
                        .request("a1", "c1", RW, true)
                        .request("a2", "c1", R, true)
                        .close("x2", "c2")
                        .close("x1", "c1"),
                script("Level 1 broken to Level 2 by an open; FSCTL_OPLOCK_BREAK_ACKNOWLEDGE becomes Level 2")
                        .open("c1", READ, ALL, 0, null)
                        .fsctl("o1", "c1", FSCTL_REQUEST_OPLOCK_LEVEL_1)
                        .open("c2", READ, ALL, 0, null)
                        .fsctl("a1", "c1", FSCTL_OPLOCK_BREAK_ACKNOWLEDGE)
                        .read("r1", "c2", 0, 5)
                        .close("x2", "c2")
                        .close("x1", "c1"),
                script("Level 1 broken, FSCTL_OPLOCK_BREAK_ACK_NO_2 gives it up")
                        .open("c1", READ, ALL, 0, null)
                        .fsctl("o1", "c1", FSCTL_REQUEST_OPLOCK_LEVEL_1)
                        .open("c2", READ, ALL, 0, null)
                        .fsctl("a1", "c1", FSCTL_OPLOCK_BREAK_ACK_NO_2)
                        .fsctl("a2", "c1", FSCTL_OPLOCK_BREAK_ACK_NO_2)
                        .close("x2", "c2")
                        .close("x1", "c1"),
                script("Level 2 on the only open upgraded to Level 1")
                        .open("c1", READ, ALL, 0, null)
                        .fsctl("o1", "c1", FSCTL_REQUEST_OPLOCK_LEVEL_2)
                        .fsctl("o2", "c1", FSCTL_REQUEST_OPLOCK_LEVEL_1)
                        .close("x1", "c1"),
                script("Level 2 and Read coexist, Level 2 and Read-Handle do not")
                        .open("c1", READ, ALL, 0, null)
                        .open("c2", READ, ALL, 0, null)
                        .fsctl("o1", "c1", FSCTL_REQUEST_OPLOCK_LEVEL_2)
                        .request("o2", "c2", RH, false)
                        .request("o3", "c2", R, false)
                        .open("c3", READ, ALL, 0, null)
                        .close("x1", "c1")
                        .close("x2", "c2")
                        .close("x3", "c3"),
                script("Batch broken to Level 2 by an open with data access; FSCTL_OPBATCH_ACK_CLOSE_PENDING")
                        .open("c1", READ, ALL, 0, null)
                        .fsctl("o1", "c1", FSCTL_REQUEST_BATCH_OPLOCK)
                        .open("c2", READ, ALL, 0, null)
                        .fsctl("a1", "c1", FSCTL_OPBATCH_ACK_CLOSE_PENDING)
                        .close("x1", "c1")
                        .close("x2", "c2"),
                script("Batch is broken before the sharing check (FILE_OPBATCH_BREAK_UNDERWAY)")
                        .open("c1", READ, NONE, 0, null)
                        .fsctl("o1", "c1", FSCTL_REQUEST_BATCH_OPLOCK)
                        .open("c2", READ, ALL, CreateOptions.FILE_COMPLETE_IF_OPLOCKED, null)
                        .open("c3", READ, ALL, 0, null)
                        .fsctl("a1", "c1", FSCTL_OPLOCK_BREAK_ACK_NO_2)
                        .close("x1", "c1"),
                script("FILE_COMPLETE_IF_OPLOCKED and FSCTL_OPLOCK_BREAK_NOTIFY")
                        .open("c1", READ, ALL, 0, null)
                        .fsctl("n0", "c1", FSCTL_OPLOCK_BREAK_NOTIFY)
                        .fsctl("o1", "c1", FSCTL_REQUEST_BATCH_OPLOCK)
                        .open("c2", READ, ALL, CreateOptions.FILE_COMPLETE_IF_OPLOCKED, null)
                        .fsctl("n1", "c2", FSCTL_OPLOCK_BREAK_NOTIFY)
                        .fsctl("a1", "c1", FSCTL_OPLOCK_BREAK_ACK_NO_2)
                        .fsctl("n2", "c2", FSCTL_OPLOCK_BREAK_NOTIFY)
                        .close("x1", "c1")
                        .close("x2", "c2"),
                script("FSCTL_OPLOCK_BREAK_NOTIFY cancelled while the break is under way")
                        .open("c1", READ, ALL, 0, null)
                        .request("o1", "c1", RWH, false)
                        .open("c2", READ, ALL, CreateOptions.FILE_COMPLETE_IF_OPLOCKED, null)
                        .fsctl("n1", "c2", FSCTL_OPLOCK_BREAK_NOTIFY)
                        .cancel("n1")
                        .fsctl("n2", "c2", FSCTL_OPLOCK_BREAK_NOTIFY)
                        .close("x1", "c1")
                        .close("x2", "c2"),
                script("the three-step Filter oplock procedure")
                        .open("c1", ATTRIBUTES, ALL, 0, null)
                        .fsctl("o1", "c1", FSCTL_REQUEST_FILTER_OPLOCK)
                        .open("c2", READ, ALL, 0, null)
                        .read("r1", "c2", 0, 100)
                        .open("c3", READ | AccessMask.FILE_READ_EA | AccessMask.READ_CONTROL, ALL, 0, null)
                        .close("x2", "c2")
                        .close("x3", "c3")
                        .close("x1", "c1"),
                script("FILE_RESERVE_OPFILTER with another handle open")
                        .open("c1", READ, ALL, 0, null)
                        .request("o1", "c1", RH, false)
                        .open("c2", ATTRIBUTES, ALL, CreateOptions.FILE_RESERVE_OPFILTER, null)
                        .request("a1", "c1", 0, true)
                        .close("x1", "c1")
                        .open("c3", ATTRIBUTES, ALL, CreateOptions.FILE_RESERVE_OPFILTER, null)
                        .fsctl("o3", "c3", FSCTL_REQUEST_FILTER_OPLOCK)
                        .close("x3", "c3"),
                script("attribute-only opens break nothing")
                        .open("c1", READ, ALL, 0, null)
                        .request("o1", "c1", RWH, false)
                        .open("c2", ATTRIBUTES, ALL, 0, null)
                        .open("c3", AccessMask.SYNCHRONIZE | ATTRIBUTES, NONE, 0, null)
                        .query("q1", "c2", FileInformationClass.FileStandardInformation, 24)
                        .close("x2", "c2")
                        .close("x3", "c3")
                        .close("x1", "c1"),
                script("the same key never breaks; a re-request on a new handle switches")
                        .open("c1", READ, ALL, 0, K1)
                        .open("c2", READ, ALL, 0, K1)
                        .request("o1", "c1", R, false)
                        .request("o2", "c2", R, false)
                        .request("o3", "c2", RH, false)
                        .open("c3", READ, NONE, 0, K1)
                        .open("c4", READ, NONE, 0, K2)
                        .close("x2", "c2")
                        .close("x1", "c1"),
                script("FILE_OPEN_REQUIRING_OPLOCK never breaks: STATUS_CANNOT_BREAK_OPLOCK")
                        .open("c1", READ, ALL, 0, null)
                        .request("o1", "c1", RWH, false)
                        .open("c2", READ, ALL, CreateOptions.FILE_OPEN_REQUIRING_OPLOCK, null)
                        .request("a1", "c1", 0, false)
                        .close("x1", "c1")
                        .open("c3", READ, ALL, 0, null)
                        .request("o3", "c3", RH, false)
                        .open("c4", READ, ALL, CreateOptions.FILE_OPEN_REQUIRING_OPLOCK, null)
                        .request("o4", "c4", RH, false)
                        .open("c5", READ, NONE, CreateOptions.FILE_OPEN_REQUIRING_OPLOCK, null)
                        .close("x4", "c4")
                        .close("x3", "c3"),
                script("cancelling a granted request gives the oplock up; cancelling a waiting open")
                        .open("c1", READ, ALL, 0, null)
                        .request("o1", "c1", RH, false)
                        .cancel("o1")
                        .request("o2", "c1", RWH, false)
                        .open("c2", READ, ALL, 0, null)
                        .cancel("c2")
                        .request("a2", "c1", RH, true)
                        .open("c3", READ, ALL, 0, null)
                        .cancel("a2")
                        .close("x1", "c1")
                        .close("x3", "c3"),
                script("a close while the break is in progress releases the waiting open")
                        .open("c1", READ, ALL, 0, null)
                        .request("o1", "c1", RWH, false)
                        .open("c2", READ, ALL, 0, null)
                        .open("c3", READ, ALL, 0, null)
                        .close("x1", "c1")
                        .close("x2", "c2")
                        .close("x3", "c3"),
                script("reads and FileStandardInformation")
                        .open("c1", READ, ALL, 0, null)
                        .read("r1", "c1", 0, 4096)
                        .read("r2", "c1", 10, 7)
                        .read("r3", "c1", 1000, 10)
                        .read("r4", "c1", 0, 0)
                        .read("r5", "c1", 1000, 0)
                        .query("q1", "c1", FileInformationClass.FileStandardInformation, 24)
                        .query("q2", "c1", FileInformationClass.FileStandardInformation, 23)
                        .openDisposition("c2", READ, ALL, CreateDisposition.FILE_OPEN_IF)
                        .query("q3", "c2", FileInformationClass.FileStandardInformation, 40)
                        .close("x2", "c2")
                        .close("x1", "c1"));
    }
}
