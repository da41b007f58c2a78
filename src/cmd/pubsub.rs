//! Pub/sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH,
//! PUBSUB CHANNELS|NUMSUB|NUMPAT|SHARDCHANNELS|SHARDNUMSUB|HELP.
//! Subscribe and unsubscribe share one generic implementation per
//! direction, parameterised by the namespace.

use super::{flags::*, ks, Command, Ctx, Group, KeySpec};
use crate::glob::glob_match;
use crate::pubsub::Kind;

const SUB_FLAGS: u64 = PUBSUB | NOSCRIPT | LOADING | STALE;
const SHARD_KEYS: &[KeySpec] = &[KeySpec::range(1, -1, 1, ks::NOT_KEY)];

pub static COMMANDS: &[Command] = &[
    Command::new("subscribe", -2, Group::Pubsub, subscribe)
        .flags(SUB_FLAGS)
        .doc("2.0.0", "O(N) where N is the number of channels to subscribe to.", "Listen for messages published to the given channels")
        .args("channel [channel ...]"),
    Command::new("unsubscribe", -1, Group::Pubsub, unsubscribe)
        .flags(SUB_FLAGS)
        .doc("2.0.0", "O(N) where N is the number of clients already subscribed to a channel.", "Stop listening for messages posted to the given channels")
        .args("[channel [channel ...]]"),
    Command::new("psubscribe", -2, Group::Pubsub, psubscribe)
        .flags(SUB_FLAGS)
        .doc("2.0.0", "O(N) where N is the number of patterns the client is already subscribed to.", "Listen for messages published to channels matching the given patterns")
        .args("(pattern:pattern) ..."),
    Command::new("punsubscribe", -1, Group::Pubsub, punsubscribe)
        .flags(SUB_FLAGS)
        .doc("2.0.0", "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).", "Stop listening for messages posted to channels matching the given patterns")
        .args("[pattern:pattern [pattern:pattern ...]]"),
    Command::new("ssubscribe", -2, Group::Pubsub, ssubscribe)
        .flags(SUB_FLAGS)
        .keys(SHARD_KEYS)
        .doc("7.0.0", "O(N) where N is the number of shard channels to subscribe to.", "Listen for messages published to the given shard channels")
        .args("shardchannel [shardchannel ...]"),
    Command::new("sunsubscribe", -1, Group::Pubsub, sunsubscribe)
        .flags(SUB_FLAGS)
        .keys(SHARD_KEYS)
        .doc("7.0.0", "O(N) where N is the number of clients already subscribed to a shard channel.", "Stop listening for messages posted to the given shard channels")
        .args("[shardchannel [shardchannel ...]]"),
    Command::new("publish", 3, Group::Pubsub, publish)
        .flags(PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE)
        .doc("2.0.0", "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).", "Post a message to a channel")
        .args("channel message"),
    Command::new("spublish", 3, Group::Pubsub, spublish)
        .flags(PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE)
        .keys(&[KeySpec::one(1, ks::NOT_KEY)])
        .doc("7.0.0", "O(N) where N is the number of clients subscribed to the receiving shard channel.", "Post a message to a shard channel")
        .args("shardchannel message"),
    Command::container("pubsub", Group::Pubsub, PUBSUB_SUBCOMMANDS)
        .doc("2.8.0", "Depends on subcommand.", "A container for Pub/Sub commands"),
];

const INTROSPECT: u64 = PUBSUB | LOADING | STALE;

static PUBSUB_SUBCOMMANDS: &[Command] = &[
    Command::new("channels", -2, Group::Pubsub, pubsub_channels)
        .flags(INTROSPECT)
        .doc("2.8.0", "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)", "List active channels")
        .args("[pattern:pattern]"),
    Command::new("numsub", -2, Group::Pubsub, pubsub_numsub)
        .flags(INTROSPECT)
        .doc("2.8.0", "O(N) for the NUMSUB subcommand, where N is the number of requested channels", "Get the count of subscribers for channels")
        .args("[channel [channel ...]]"),
    Command::new("numpat", 2, Group::Pubsub, pubsub_numpat)
        .flags(INTROSPECT)
        .doc("2.8.0", "O(1)", "Get the count of unique patterns pattern subscriptions"),
    Command::new("shardchannels", -2, Group::Pubsub, pubsub_shardchannels)
        .flags(INTROSPECT)
        .doc("7.0.0", "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).", "List active shard channels")
        .args("[pattern:pattern]"),
    Command::new("shardnumsub", -2, Group::Pubsub, pubsub_shardnumsub)
        .flags(INTROSPECT)
        .doc("7.0.0", "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels", "Get the count of subscribers for shard channels")
        .args("[shardchannel [shardchannel ...]]"),
    Command::new("help", 2, Group::Pubsub, pubsub_help)
        .flags(LOADING | STALE)
        .doc("6.2.0", "O(1)", "Show helpful text about the different subcommands"),
];

fn subscribe(ctx: &mut Ctx) {
    subscribe_generic(ctx, Kind::Channel);
}

fn psubscribe(ctx: &mut Ctx) {
    subscribe_generic(ctx, Kind::Pattern);
}

fn ssubscribe(ctx: &mut Ctx) {
    if ctx.srv.in_exec || ctx.srv.scripting.running() {
        return ctx.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    }
    subscribe_generic(ctx, Kind::Shard);
}

fn unsubscribe(ctx: &mut Ctx) {
    unsubscribe_generic(ctx, Kind::Channel);
}

fn punsubscribe(ctx: &mut Ctx) {
    unsubscribe_generic(ctx, Kind::Pattern);
}

fn sunsubscribe(ctx: &mut Ctx) {
    unsubscribe_generic(ctx, Kind::Shard);
}

/// One `[subscribe, name, count]` frame per name.
fn subscribe_generic(ctx: &mut Ctx, kind: Kind) {
    let key = ctx.c.key;
    for i in 1..ctx.argv.len() {
        let name = ctx.argv.get(i);
        if ctx.c.subs.set_mut(kind).insert(name.to_vec()) {
            ctx.srv.pubsub.add(kind, name, key);
        }
        let count = ctx.c.subs.count(kind);
        let r = &mut ctx.c.reply;
        r.push_len(3);
        r.bulk(kind.subscribe_word());
        r.bulk(name);
        r.int(count as i64);
    }
}

/// Unsubscribes from the given names, or from all of this namespace;
/// with nothing to unsubscribe from, one frame with a nil name.
fn unsubscribe_generic(ctx: &mut Ctx, kind: Kind) {
    let key = ctx.c.key;
    let names: Vec<Vec<u8>> = if ctx.argv.len() > 1 {
        ctx.argv.iter().skip(1).map(<[u8]>::to_vec).collect()
    } else {
        ctx.c.subs.set(kind).iter().cloned().collect()
    };
    if names.is_empty() {
        let count = ctx.c.subs.count(kind);
        let r = &mut ctx.c.reply;
        r.push_len(3);
        r.bulk(kind.unsubscribe_word());
        r.null();
        r.int(count as i64);
        return;
    }
    for name in names {
        if ctx.c.subs.set_mut(kind).remove(&name) {
            ctx.srv.pubsub.remove(kind, &name, key);
        }
        let count = ctx.c.subs.count(kind);
        let r = &mut ctx.c.reply;
        r.push_len(3);
        r.bulk(kind.unsubscribe_word());
        r.bulk(&name);
        r.int(count as i64);
    }
}

/// PUBLISH channel message
fn publish(ctx: &mut Ctx) {
    let n = ctx.srv.publish(Kind::Channel, ctx.argv.get(1), ctx.argv.get(2));
    ctx.force_propagation_to_replicas();
    ctx.c.reply.int(n as i64);
}

/// SPUBLISH shardchannel message
fn spublish(ctx: &mut Ctx) {
    let n = ctx.srv.publish(Kind::Shard, ctx.argv.get(1), ctx.argv.get(2));
    ctx.force_propagation_to_replicas();
    ctx.c.reply.int(n as i64);
}

/// Active channel names, optionally filtered by a glob pattern.
fn channels_generic(ctx: &mut Ctx, kind: Kind) {
    if ctx.argv.len() > 3 {
        return ctx.subcommand_syntax_error();
    }
    let pattern = (ctx.argv.len() == 3).then(|| ctx.argv.get(2));
    let names: Vec<&Vec<u8>> = ctx
        .srv
        .pubsub
        .names(kind)
        .filter(|n| pattern.is_none_or(|p| glob_match(p, n, false)))
        .collect();
    let r = &mut ctx.c.reply;
    r.array_len(names.len());
    for n in names {
        r.bulk(n);
    }
}

/// Subscriber counts of the named channels: a flat name/count array (not
/// a map, even in RESP3).
fn numsub_generic(ctx: &mut Ctx, kind: Kind) {
    let r = &mut ctx.c.reply;
    r.array_len((ctx.argv.len() - 2) * 2);
    for i in 2..ctx.argv.len() {
        let name = ctx.argv.get(i);
        r.bulk(name);
        r.int(ctx.srv.pubsub.subscribers(kind, name) as i64);
    }
}

fn pubsub_channels(ctx: &mut Ctx) {
    channels_generic(ctx, Kind::Channel);
}

fn pubsub_shardchannels(ctx: &mut Ctx) {
    channels_generic(ctx, Kind::Shard);
}

fn pubsub_numsub(ctx: &mut Ctx) {
    numsub_generic(ctx, Kind::Channel);
}

fn pubsub_shardnumsub(ctx: &mut Ctx) {
    numsub_generic(ctx, Kind::Shard);
}

fn pubsub_numpat(ctx: &mut Ctx) {
    let n = ctx.srv.pubsub.num_patterns();
    ctx.c.reply.int(n as i64);
}

fn pubsub_help(ctx: &mut Ctx) {
    ctx.help(&[
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
    ]);
}
