package org.irpemu.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.irpemu.emulator.Machine;
import org.irpemu.flt.FltPreopCallbackStatus;
import org.irpemu.flt.FltRegistration;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.ShareAccessFlags;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;

/** The README's minimal minifilter, compiled and run: keep the two in step. */
class MinimalMinifilterTest {
    @Test
    void deniesTheSecretAndLetsEverythingElseThrough() {
        FltRegistration registration = FltRegistration.builder("DenySecret")
                .operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, completionContext) -> {
                    if (data.iopb().targetFileObject().fileName().equalsIgnoreCase("\\secret.txt")) {
                        data.ioStatus().set(NtStatus.STATUS_ACCESS_DENIED, 0);
                        return FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
                    }
                    return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
                }, null)
                .build();

        try (Machine machine = Machine.builder().attach(registration, "370000").build()) {
            NtApi nt = machine.api();
            Overlapped open = nt.ntCreateFile(new Overlapped(), "secret.txt", AccessMask.FILE_READ_DATA, 0,
                    ShareAccessFlags.FILE_SHARE_READ, CreateDisposition.FILE_OPEN_IF, 0, null, null);
            assertThat(NtStatus.symbol(open.await())).isEqualTo("STATUS_ACCESS_DENIED");
            assertThat(machine.fileSystem().exists("\\secret.txt")).isFalse();

            Overlapped other = nt.ntCreateFile(new Overlapped(), "public.txt", AccessMask.FILE_READ_DATA, 0,
                    ShareAccessFlags.FILE_SHARE_READ, CreateDisposition.FILE_OPEN_IF, 0, null, null);
            assertThat(other.await()).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(machine.fileSystem().exists("\\public.txt")).isTrue();
        }
    }
}
