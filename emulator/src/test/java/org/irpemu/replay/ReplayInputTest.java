package org.irpemu.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import org.irpemu.irp.OplockLevel;
import org.junit.jupiter.api.Test;

/** Bad input: a file that is not a capture is refused; malformed rows are counted and the replay goes on. */
class ReplayInputTest {
    private static final String HEADER = "\uFEFF\"Time of Day\",\"Process Name\",\"PID\",\"Operation\",\"Path\","
            + "\"Result\",\"Detail\",\"Completion Time\"\r\n";

    private static String row(String time, String op, String path, String result, String detail) {
        return String.join(",", q(time), q("app.exe"), q("42"), q(op), q(path), q(result), q(detail), q(time)) + "\r\n";
    }

    private static String q(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    @Test
    void aCsvWithoutProcessMonitorColumnsIsRefused() {
        assertThatThrownBy(() -> ProcmonCsv.read(new StringReader("a,b,c\n1,2,3\n")))
                .isInstanceOf(ProcmonFormatException.class).hasMessageContaining("no \"Process Name\" column");
    }

    @Test
    void malformedRowsAreCountedAndTheReplayGoesOn() throws Exception {
        String csv = HEADER
                + row("1:00:00.0000001 AM", "CreateFile", "C:\\d\\a.txt", "SUCCESS",
                        "Desired Access: Generic Read, Disposition: Open, Options: , Attributes: n/a, ShareMode: Read,"
                                + " AllocationSize: n/a, OpenResult: Opened")
                + "\"only\",\"three\",\"fields\"\r\n"
                + row("1:00:00.0000002 AM", "CreateFile", "C:\\d\\b.txt", "SUCCESS", "Desired Access: Frobnicate,"
                        + " Disposition: Open")
                + row("1:00:00.0000003 AM", "ReadFile", "C:\\d\\a.txt", "END OF FILE", "Offset: 0, Length: 1")
                + row("1:00:00.0000004 AM", "CloseFile", "C:\\d\\a.txt", "SUCCESS", "")
                + row("1:00:00.0000005 AM", "CreateFileMapping", "C:\\d\\a.txt", "SUCCESS", "")
                + row("1:00:00.0000006 AM", "CreateFile", "C:\\d\\new.txt", "NAME NOT FOUND",
                        "Desired Access: Read Attributes, Disposition: Open, Options: , Attributes: n/a, ShareMode: Read")
                + row("1:00:00.0000007 AM", "CreateFile", "C:\\e\\x.txt", "PATH NOT FOUND",
                        "Desired Access: Read Attributes, Disposition: Open, Options: , Attributes: n/a, ShareMode: Read");
        ProcmonCsv.Contents contents = ProcmonCsv.read(new StringReader(csv));
        assertThat(contents.malformedRows()).containsExactly(2L);
        ReplayReport report = ReplayEngine.replay(contents, "t.csv", OplockLevel.RH);
        assertThat(report.rows()).isEqualTo(8);
        assertThat(report.malformed()).containsExactly(2L, 3L);
        assertThat(report.skippedByOperation()).containsEntry("CreateFileMapping", 1);
        assertThat(report.byOperation().get("CreateFile").modelled()).isEqualTo(3);
        assertThat(report.mismatches()).as(report.toJson()).isEmpty();
        assertThat(report.matched()).isEqualTo(5);
        assertThat(report.toJson()).contains("\"rows\" : 8", "\"malformedRows\" : [ 2, 3 ]");
    }
}
