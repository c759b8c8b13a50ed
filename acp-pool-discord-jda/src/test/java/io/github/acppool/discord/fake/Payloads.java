package io.github.acppool.discord.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.dv8tion.jda.api.Permission;

/**
 * Builds the JSON objects Discord sends (users, members, roles, channels, messages), shaped after Discord's API
 * documentation and checked against what JDA's entity builders read. Pure functions of their arguments.
 */
final class Payloads {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final long DISCORD_EPOCH_MILLIS = 1_420_070_400_000L;

    /** What a freshly created bot role gets in the fake guild: enough for everything the adapter does. */
    static final long BOT_PERMISSIONS = Permission.getRaw(
            Permission.VIEW_CHANNEL,
            Permission.MESSAGE_SEND,
            Permission.MESSAGE_SEND_IN_THREADS,
            Permission.CREATE_PUBLIC_THREADS,
            Permission.MESSAGE_HISTORY,
            Permission.MESSAGE_ADD_REACTION,
            Permission.MESSAGE_EMBED_LINKS,
            Permission.MESSAGE_ATTACH_FILES,
            Permission.MESSAGE_EXT_EMOJI,
            Permission.USE_APPLICATION_COMMANDS,
            Permission.MANAGE_THREADS);

    private static final Pattern USER_MENTION = Pattern.compile("<@!?(\\d+)>");
    private static final Pattern ROLE_MENTION = Pattern.compile("<@&(\\d+)>");

    private Payloads() {}

    static String id(long id) {
        return Long.toUnsignedString(id);
    }

    /** The ISO-8601 creation time encoded in a snowflake. */
    static String timestampOf(long snowflake) {
        return timestamp(Instant.ofEpochMilli((snowflake >>> 22) + DISCORD_EPOCH_MILLIS));
    }

    static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }

    static ObjectNode user(FakeUser user) {
        ObjectNode node = JSON.objectNode();
        node.put("id", id(user.id()));
        node.put("username", user.name());
        node.put("global_name", user.name());
        node.put("discriminator", "0");
        node.putNull("avatar");
        node.put("bot", user.bot());
        node.put("system", false);
        node.put("public_flags", 0);
        return node;
    }

    static ObjectNode selfUser(FakeUser bot) {
        ObjectNode node = user(bot);
        node.put("verified", true);
        node.put("mfa_enabled", false);
        node.put("flags", 0);
        return node;
    }

    /** A member object without its user, as nested in MESSAGE_CREATE; {@link #member} adds the user. */
    static ObjectNode partialMember(Collection<Long> roleIds, long joinedSnowflake) {
        ObjectNode node = JSON.objectNode();
        ArrayNode roles = node.putArray("roles");
        roleIds.forEach(roleId -> roles.add(id(roleId)));
        node.putNull("nick");
        node.putNull("avatar");
        node.put("joined_at", timestampOf(joinedSnowflake));
        node.putNull("premium_since");
        node.put("deaf", false);
        node.put("mute", false);
        node.put("pending", false);
        node.put("flags", 0);
        node.putNull("communication_disabled_until");
        return node;
    }

    static ObjectNode member(FakeUser user, Collection<Long> roleIds, long joinedSnowflake) {
        ObjectNode node = partialMember(roleIds, joinedSnowflake);
        node.set("user", user(user));
        return node;
    }

    static ObjectNode role(FakeRole role, int position, long permissions, boolean managed) {
        ObjectNode node = JSON.objectNode();
        node.put("id", id(role.id()));
        node.put("name", role.name());
        node.put("color", 0);
        ObjectNode colors = node.putObject("colors");
        colors.put("primary_color", 0);
        colors.putNull("secondary_color");
        colors.putNull("tertiary_color");
        node.put("hoist", false);
        node.putNull("icon");
        node.putNull("unicode_emoji");
        node.put("position", position);
        node.put("permissions", Long.toString(permissions));
        node.put("managed", managed);
        node.put("mentionable", true);
        node.put("flags", 0);
        return node;
    }

    static ObjectNode textChannel(FakeChannel channel, int position, long lastMessageId) {
        ObjectNode node = JSON.objectNode();
        node.put("id", channel.idString());
        node.put("type", FakeChannel.Kind.TEXT.discordType());
        node.put("guild_id", id(channel.guildId()));
        node.put("name", channel.name());
        node.put("position", position);
        node.putArray("permission_overwrites");
        node.put("nsfw", false);
        node.putNull("topic");
        node.putNull("parent_id");
        node.put("rate_limit_per_user", 0);
        node.put("default_thread_rate_limit_per_user", 0);
        putLastMessage(node, lastMessageId);
        return node;
    }

    static ObjectNode thread(FakeChannel thread, int messageCount, long lastMessageId, boolean newlyCreated) {
        ObjectNode node = JSON.objectNode();
        node.put("id", thread.idString());
        node.put("type", FakeChannel.Kind.PUBLIC_THREAD.discordType());
        node.put("guild_id", id(thread.guildId()));
        node.put("parent_id", id(thread.parentId()));
        node.put("owner_id", id(thread.ownerId()));
        node.put("name", thread.name());
        node.put("flags", 0);
        node.put("member_count", 1);
        node.put("message_count", messageCount);
        node.put("total_message_count", messageCount);
        node.put("rate_limit_per_user", 0);
        putLastMessage(node, lastMessageId);
        ObjectNode metadata = node.putObject("thread_metadata");
        metadata.put("archived", false);
        metadata.put("locked", false);
        metadata.put("invitable", true);
        metadata.put("auto_archive_duration", 1440);
        metadata.put("archive_timestamp", timestampOf(thread.id()));
        metadata.put("create_timestamp", timestampOf(thread.id()));
        if (newlyCreated) {
            node.put("newly_created", true);
        }
        return node;
    }

    static ObjectNode threadMember(long threadId, long userId) {
        ObjectNode node = JSON.objectNode();
        node.put("id", id(threadId));
        node.put("user_id", id(userId));
        node.put("join_timestamp", timestampOf(threadId));
        node.put("flags", 1);
        return node;
    }

    static ObjectNode dmChannel(FakeChannel dm, FakeUser recipient, long lastMessageId) {
        ObjectNode node = JSON.objectNode();
        node.put("id", dm.idString());
        node.put("type", FakeChannel.Kind.DM.discordType());
        node.putArray("recipients").add(user(recipient));
        putLastMessage(node, lastMessageId);
        return node;
    }

    private static void putLastMessage(ObjectNode node, long lastMessageId) {
        if (lastMessageId == 0) {
            node.putNull("last_message_id");
        } else {
            node.put("last_message_id", id(lastMessageId));
        }
    }

    /** User ids mentioned with {@code <@id>} or {@code <@!id>}, in order of first appearance. */
    static Set<Long> mentionedUsers(String content) {
        return ids(USER_MENTION.matcher(content));
    }

    /** Role ids mentioned with {@code <@&id>}, in order of first appearance. */
    static Set<Long> mentionedRoles(String content) {
        return ids(ROLE_MENTION.matcher(content));
    }

    private static Set<Long> ids(Matcher matcher) {
        Set<Long> ids = new LinkedHashSet<>();
        while (matcher.find()) {
            ids.add(Long.parseUnsignedLong(matcher.group(1)));
        }
        return ids;
    }

    /** A message object; the caller adds guild_id, member and mention arrays where they apply. */
    static ObjectNode message(long id, long channelId, FakeUser author, String content, int type) {
        ObjectNode node = JSON.objectNode();
        node.put("id", id(id));
        node.put("channel_id", id(channelId));
        node.set("author", user(author));
        node.put("content", content);
        node.put("timestamp", timestampOf(id));
        node.putNull("edited_timestamp");
        node.put("tts", false);
        node.put("mention_everyone", false);
        node.putArray("mentions");
        node.putArray("mention_roles");
        node.putArray("attachments");
        node.putArray("embeds");
        node.putArray("components");
        node.put("pinned", false);
        node.put("type", type);
        node.put("flags", 0);
        return node;
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode error(int code, String message) {
        ObjectNode node = JSON.objectNode();
        node.put("code", code);
        node.put("message", message);
        return node;
    }
}
