package org.irpemu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The command line: exit statuses and the outputs users rely on. */
class CommandLineTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private String out() {
        return console.out();
    }

    @Test
    void noArgumentsReplaysTheBuiltInCapture() {
        assertThat(IrpemuCommand.execute()).isZero();
        assertThat(out()).contains("built-in procmon_win10-1709_oplock-sequences.csv", "of which oplock requests",
                "Mismatches:");
    }

    @Test
    void replayJsonHasTheDocumentedFields() {
        assertThat(IrpemuCommand.execute("replay", "--json")).isZero();
        assertThat(out()).contains("\"rows\"", "\"modelled\"", "\"matched\"", "\"skipped\"", "\"byOperation\"",
                "\"mismatches\"");
    }

    @Test
    void replayOfSomethingElseExitsTwoWithOneLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.csv");
        Files.writeString(f, "hello,world\n1,2\n");
        assertThat(IrpemuCommand.execute("replay", f.toString())).isEqualTo(2);
        assertThat(console.err().strip().lines()).singleElement().asString()
                .contains("not a Process Monitor CSV export");
        assertThat(IrpemuCommand.execute("replay", dir.resolve("missing.csv").toString())).isEqualTo(2);
        assertThat(IrpemuCommand.execute("replay", "--oplock-level", "W", f.toString())).isEqualTo(2);
    }

    @Test
    void runGivesTheSameVerdictOnSeveralDispatchers(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("rename.scenario");
        Files.writeString(f, String.join("\n",
                "create h1 a.txt access=FILE_READ_DATA",
                "o1: fsctl h1 FSCTL_REQUEST_OPLOCK level=RH -> STATUS_PENDING",
                "create h2 a.txt access=DELETE",
                "rn: setinfo h2 FileRenameInformation b.txt -> STATUS_PENDING",
                "expect o1 STATUS_SUCCESS original=RH new=R outflags=ACK_REQUIRED",
                "close h1",
                "expect rn STATUS_SUCCESS", ""));
        assertThat(IrpemuCommand.execute("run", "--quiet", "--dispatchers", "4", f.toString())).isZero();
        assertThat(out()).contains("1 passed, 0 failed");
        assertThat(IrpemuCommand.execute("run", "--dispatchers", "0", f.toString())).isEqualTo(2);
        assertThat(console.err()).contains("--dispatchers must be 1 to 64");
    }

    @Test
    void statusLooksUpBothDirections() {
        assertThat(IrpemuCommand.execute("status", "0xC00000E2")).isZero();
        assertThat(out()).contains("STATUS_OPLOCK_NOT_GRANTED", "ERROR", "300 ERROR_OPLOCK_NOT_GRANTED",
                "The oplock request is denied.");
        console.resetOut();
        assertThat(IrpemuCommand.execute("status", "ERROR_OPLOCK_NOT_GRANTED")).isZero();
        assertThat(out()).contains("300 (0x12C) ERROR_OPLOCK_NOT_GRANTED", "from:      STATUS_OPLOCK_NOT_GRANTED");
        console.resetOut();
        assertThat(IrpemuCommand.execute("status", "300")).isZero();
        assertThat(out()).contains("ERROR_OPLOCK_NOT_GRANTED");
        console.resetOut();
        assertThat(IrpemuCommand.execute("status", "STATUS_CANNOT_BREAK_OPLOCK")).isZero();
        assertThat(out()).contains("0xC0000909", "ERROR (NT_SUCCESS false)", "802 ERROR_CANNOT_BREAK_OPLOCK");
        console.resetOut();
        assertThat(IrpemuCommand.execute("status", "0xDEADBEEF")).isEqualTo(1);
        assertThat(out()).contains("not an NTSTATUS or Win32 code irpemu knows");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"replay", "run", "status", "filters"}) {
            assertThat(IrpemuCommand.execute(command, "--help")).isZero();
        }
        assertThat(out()).contains("Usage: irpemu replay", "Usage: irpemu run", "Usage: irpemu status");
    }
}
