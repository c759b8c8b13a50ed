package io.github.acppool.examples.demoagent;

import static io.github.acppool.examples.demoagent.Acp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class PromptInputTest {

    @Test
    void textBlocks_areJoinedByBlankLines() {
        PromptInput input = PromptInput.parse(json("[{'type':'text','text':'one'},{'type':'text','text':'two'}]"));

        assertThat(input).isEqualTo(new PromptInput("one\n\ntwo", List.of()));
        assertThat(input.historyText()).isEqualTo("one\n\ntwo");
    }

    @Test
    void anImage_isDescribedWithItsTypeSizeAndDimensions() throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", png);
        ArrayNode prompt = (ArrayNode) json("[{'type':'text','text':'see'}]");
        prompt.addObject()
                .put("type", "image")
                .put("mimeType", "image/png")
                .put("data", Base64.getEncoder().encodeToString(png.toByteArray()));

        PromptInput input = PromptInput.parse(prompt);

        assertThat(input.attachments())
                .containsExactly("an image (image/png, " + png.size() + " bytes, 40\u00d730 pixels)");
        assertThat(input.historyText())
                .isEqualTo("see\n[an image (image/png, " + png.size() + " bytes, 40\u00d730 pixels)]");
    }

    @Test
    void brokenImages_areDescribedToo() {
        PromptInput input = PromptInput.parse(json("[{'type':'image','mimeType':'image/png','data':'%%%'},"
                + "{'type':'image','mimeType':'image/png','data':'aGVsbG8='}]"));

        assertThat(input.attachments())
                .containsExactly(
                        "an image (image/png) whose data is not valid base64",
                        "an image (image/png, 5 bytes, in a format I cannot read)");
    }

    @Test
    void otherBlocks_areDescribed() {
        PromptInput input = PromptInput.parse(json("[{'type':'audio','mimeType':'audio/wav','data':'AAAA'},"
                + "{'type':'resource_link','uri':'file:///a.txt','name':'a.txt'},"
                + "{'type':'resource','resource':{'uri':'file:///b.txt','text':'x\\ny\\nz'}},"
                + "{'type':'resource','resource':{'uri':'file:///c.bin','blob':'AAAA'}},"
                + "{'type':'hologram'}]"));

        assertThat(input.text()).isEmpty();
        assertThat(input.attachments())
                .containsExactly(
                        "an audio clip (audio/wav, 3 bytes); I cannot listen, sorry",
                        "a link to a.txt (file:///a.txt)",
                        "the file file:///b.txt (5 characters, 3 lines)",
                        "the file file:///c.bin (binary, 3 bytes)",
                        "a content block of type \"hologram\" that I do not know");
        assertThat(input.historyText()).startsWith("[an audio clip").contains("]\n[a link to a.txt");
    }

    @Test
    void invalidPrompts_areInvalidParams() {
        assertThatThrownBy(() -> PromptInput.parse(json("{'type':'text'}")))
                .isInstanceOf(RpcException.class)
                .hasMessage("Invalid params: prompt must be an array of content blocks")
                .extracting(e -> ((RpcException) e).code())
                .isEqualTo(-32602);
        assertThatThrownBy(() -> PromptInput.parse(json("[{'type':'text','text':'ok'}, 'text']")))
                .hasMessage("Invalid params: prompt[1] must be a content block with a \"type\"");
        assertThatThrownBy(() -> PromptInput.parse(json("[{'type':'text'}]")))
                .hasMessage("Invalid params: prompt[0] is a text block without \"text\"");
    }
}
