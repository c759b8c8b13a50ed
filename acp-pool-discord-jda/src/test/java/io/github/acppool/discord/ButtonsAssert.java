package io.github.acppool.discord;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Reads the buttons out of a message's components as the fake Discord stores them. */
final class ButtonsAssert {
    private ButtonsAssert() {}

    static List<JsonNode> buttons(JsonNode rows) {
        List<JsonNode> buttons = new ArrayList<>();
        for (JsonNode row : rows) {
            for (JsonNode component : row.path("components")) {
                if (component.path("type").asInt() == 2) {
                    buttons.add(component);
                }
            }
        }
        return buttons;
    }
}
