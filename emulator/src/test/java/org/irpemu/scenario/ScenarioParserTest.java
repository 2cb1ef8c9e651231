package org.irpemu.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The language of scenario-format.md: what parses, and the file:line: message of what does not. */
class ScenarioParserTest {
    @Test
    void parsesLabelsExpectationsCommentsAndQuotedPaths() {
        List<Step> steps = ScenarioParser.parse("t.scenario", String.join("\n",
                "# comment",
                "",
                "create h1 \"a dir#x\\b c.txt\" access=FILE_READ_DATA|0x2 share=RW disposition=FILE_OPEN_IF  # trailing",
                "ol:  fsctl h1 FSCTL_REQUEST_OPLOCK level=HWR flags=REQUEST -> STATUS_PENDING",
                "expect ol STATUS_SUCCESS info=FILE_OPLOCK_BROKEN_TO_NONE original=RWH new=NONE outflags=ACK_REQUIRED|MODES_PROVIDED",
                "\tcancel\tol"));
        assertThat(steps).hasSize(4);
        Step.Create c = (Step.Create) steps.get(0);
        assertThat(c.path).isEqualTo("a dir#x\\b c.txt");
        assertThat(c.access).isEqualTo(0x3);
        assertThat(c.share).isEqualTo(0x3);
        Step.Fsctl f = (Step.Fsctl) steps.get(1);
        assertThat(f.label).isEqualTo("ol");
        assertThat(f.level).isEqualTo(7);
        assertThat(f.inline.status).isEqualTo(0x103);
        Step.Expect e = (Step.Expect) steps.get(2);
        assertThat(e.expectation.information).isEqualTo(8L);
        assertThat(e.expectation.originalLevel).isEqualTo(7);
        assertThat(e.expectation.newLevel).isZero();
        assertThat(e.expectation.outFlags).isEqualTo(3);
        assertThat(steps.get(3)).isInstanceOf(Step.Cancel.class);
    }

    @Test
    void sameKeyNameGivesTheSameKeyAndDifferentNamesDifferentKeys() {
        List<Step> steps = ScenarioParser.parse("t", "create a x key=K1\ncreate b x key=K1\ncreate c x key=k1");
        assertThat(((Step.Create) steps.get(0)).key).isEqualTo(((Step.Create) steps.get(1)).key);
        assertThat(((Step.Create) steps.get(0)).key).isNotEqualTo(((Step.Create) steps.get(2)).key);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "frobnicate h1|t.scenario:2: unknown step 'frobnicate'",
        "read h9|t.scenario:2: handle 'h9' is used before any create names it",
        "create h2 b.txt access=FILE_READ|t.scenario:2: unknown access right 'FILE_READ'",
        "create h2 b.txt share=RX|t.scenario:2: share must be letters from RWD",
        "create h2 b.txt sharing=RW|t.scenario:2: unknown argument 'sharing' for create",
        "ol: read h1|t.scenario:2: label 'ol' is already used at line 1",
        "expect zz pending|t.scenario:2: unknown label 'zz'",
        "expect ol STATUS_NOPE|t.scenario:2: unknown status 'STATUS_NOPE'",
        "fsctl h1 FSCTL_REQUEST_OPLOCK level=RX|t.scenario:2: an oplock level is letters from R, W, H or NONE",
        "fsctl h1 FSCTL_NOT_A_THING|t.scenario:2: unknown control code 'FSCTL_NOT_A_THING'",
        "cancel ol -> STATUS_SUCCESS|t.scenario:2: 'cancel' sends no request",
        "read h1 -> STATUS_SUCCESS extra|t.scenario:2: '->' must be followed by exactly one status",
        "create h2 \"unterminated|t.scenario:2: unterminated double quote",
        "read h1 offset=12x|t.scenario:2: offset must be a decimal or 0x hexadecimal number",
        "setinfo h1 FileDispositionInformation maybe|t.scenario:2: FileDispositionInformation takes true or false",
        "9bad: read h1|t.scenario:2: label '9bad' is not an identifier",
    })
    void malformedLinesNameFileLineAndProblem(String line, String message) {
        String text = "ol: create h1 a.txt\n" + line + "\n";
        assertThatThrownBy(() -> ScenarioParser.parse("t.scenario", text))
                .isInstanceOf(ScenarioParseException.class).hasMessageStartingWith(message);
    }
}
