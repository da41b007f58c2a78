//! Introspection commands: SLOWLOG, LATENCY (the latency monitor and the
//! per-command histograms) and MONITOR.

use super::{flags::*, Command, Ctx, Group};

const ADMIN_FLAGS: u64 = ADMIN | LOADING | STALE;
const LATENCY_FLAGS: u64 = ADMIN | NOSCRIPT | LOADING | STALE;
const SPECIAL: &[&str] = &[
    "nondeterministic_output",
    "request_policy:all_nodes",
    "response_policy:special",
];

pub static COMMANDS: &[Command] = &[
    Command::container("slowlog", Group::Server, SLOWLOG_SUBCOMMANDS).doc(
        "2.2.12",
        "Depends on subcommand.",
        "A container for slow log commands",
    ),
    Command::container("latency", Group::Server, LATENCY_SUBCOMMANDS).doc(
        "2.8.13",
        "Depends on subcommand.",
        "A container for latency diagnostics commands",
    ),
    Command::new("monitor", 1, Group::Server, monitor)
        .flags(ADMIN | NOSCRIPT | LOADING | STALE)
        .doc(
            "1.0.0",
            "",
            "Listen for all requests received by the server in real time",
        ),
];

static SLOWLOG_SUBCOMMANDS: &[Command] = &[
    Command::new("get", -2, Group::Server, slowlog_get)
        .flags(ADMIN_FLAGS)
        .doc(
            "2.2.12",
            "O(N) where N is the number of entries returned",
            "Get the slow log's entries",
        )
        .args("[count:integer]")
        .history(&[("4.0.0", "Added client IP address, port and name to the reply.")])
        .tips(&["request_policy:all_nodes", "nondeterministic_output"]),
    Command::new("len", 2, Group::Server, slowlog_len)
        .flags(ADMIN_FLAGS)
        .doc("2.2.12", "O(1)", "Get the slow log's length")
        .tips(&[
            "request_policy:all_nodes",
            "response_policy:agg_sum",
            "nondeterministic_output",
        ]),
    Command::new("reset", 2, Group::Server, slowlog_reset)
        .flags(ADMIN_FLAGS)
        .doc(
            "2.2.12",
            "O(N) where N is the number of entries in the slowlog",
            "Clear all entries from the slow log",
        )
        .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"]),
    Command::new("help", 2, Group::Server, slowlog_help)
        .flags(LOADING | STALE)
        .doc("6.2.0", "O(1)", "Show helpful text about the different subcommands"),
];

static LATENCY_SUBCOMMANDS: &[Command] = &[
    Command::new("latest", 2, Group::Server, latency_latest)
        .flags(LATENCY_FLAGS)
        .doc("2.8.13", "O(1)", "Return the latest latency samples for all events.")
        .tips(SPECIAL),
    Command::new("history", 3, Group::Server, latency_history)
        .flags(LATENCY_FLAGS)
        .doc("2.8.13", "O(1)", "Return timestamp-latency samples for the event.")
        .args("event")
        .tips(SPECIAL),
    Command::new("reset", -2, Group::Server, latency_reset)
        .flags(LATENCY_FLAGS)
        .doc("2.8.13", "O(1)", "Reset latency data for one or more events.")
        .args("[event [event ...]]")
        .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"]),
    Command::new("doctor", 2, Group::Server, latency_doctor)
        .flags(LATENCY_FLAGS)
        .doc("2.8.13", "O(1)", "Return a human readable latency analysis report.")
        .tips(SPECIAL),
    Command::new("graph", 3, Group::Server, latency_graph)
        .flags(LATENCY_FLAGS)
        .doc("2.8.13", "O(1)", "Return a latency graph for the event.")
        .args("event")
        .tips(SPECIAL),
    Command::new("histogram", -2, Group::Server, latency_histogram)
        .flags(LATENCY_FLAGS)
        .doc(
            "7.0.0",
            "O(N) where N is the number of commands with latency information being retrieved.",
            "Return the cumulative distribution of latencies of a subset of commands or all.",
        )
        .args("[command [command ...]]")
        .tips(SPECIAL),
    Command::new("help", 2, Group::Server, latency_help)
        .flags(LOADING | STALE)
        .doc("2.8.13", "O(1)", "Show helpful text about the different subcommands."),
];

/// SLOWLOG GET [count]: newest first; -1 means all.
fn slowlog_get(ctx: &mut Ctx) {
    let mut count: i64 = 10;
    if ctx.argv.len() == 3 {
        match crate::util::string2ll(ctx.argv.get(2)) {
            Some(c) if c >= -1 => count = c,
            _ => return ctx.error("ERR count should be greater than or equal to -1"),
        }
    } else if ctx.argv.len() > 3 {
        return ctx.subcommand_syntax_error();
    }
    let log = &ctx.srv.slowlog;
    let n = if count == -1 {
        log.entries.len()
    } else {
        log.entries.len().min(count as usize)
    };
    let r = &mut ctx.c.reply;
    r.array_len(n);
    for e in log.entries.iter().take(n) {
        r.array_len(6);
        r.int(e.id as i64);
        r.int(e.time);
        r.int(e.duration_us as i64);
        r.array_len(e.args.len());
        for a in &e.args {
            r.bulk(a);
        }
        r.bulk(e.peer.as_bytes());
        r.bulk(&e.name);
    }
}

fn slowlog_len(ctx: &mut Ctx) {
    let n = ctx.srv.slowlog.entries.len();
    ctx.c.reply.int(n as i64);
}

fn slowlog_reset(ctx: &mut Ctx) {
    ctx.srv.slowlog.reset();
    ctx.c.reply.ok();
}

fn slowlog_help(ctx: &mut Ctx) {
    ctx.help(&[
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
    ]);
}

/// LATENCY LATEST: [event, latest time, latest ms, all-time max ms] each.
fn latency_latest(ctx: &mut Ctx) {
    let r = &mut ctx.c.reply;
    r.array_len(ctx.srv.latency.events.len());
    for (name, s) in &ctx.srv.latency.events {
        let (t, ms) = s.samples.back().copied().unwrap_or((0, 0));
        r.array_len(4);
        r.bulk(name.as_bytes());
        r.int(t);
        r.int(ms as i64);
        r.int(s.max as i64);
    }
}

/// LATENCY HISTORY event: [time, ms] pairs, oldest first.
fn latency_history(ctx: &mut Ctx) {
    let samples: Vec<(i64, u64)> = ctx
        .srv
        .latency
        .get(ctx.argv.get(2))
        .map(|s| s.samples.iter().copied().collect())
        .unwrap_or_default();
    let r = &mut ctx.c.reply;
    r.array_len(samples.len());
    for (t, ms) in samples {
        r.array_len(2);
        r.int(t);
        r.int(ms as i64);
    }
}

fn latency_reset(ctx: &mut Ctx) {
    let names: Vec<&[u8]> = ctx.argv.iter().skip(2).collect();
    let n = ctx.srv.latency.reset(&names);
    ctx.c.reply.int(n as i64);
}

/// LATENCY DOCTOR: a human-readable report computed from the samples.
fn latency_doctor(ctx: &mut Ctx) {
    let report = doctor_report(ctx);
    ctx.c.reply.verbatim(report.as_bytes(), b"txt");
}

fn doctor_report(ctx: &Ctx) -> String {
    let threshold = ctx.srv.cfg.latency_monitor_threshold;
    if threshold == 0 {
        return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n".to_string();
    }
    let events = &ctx.srv.latency.events;
    if events.is_empty() {
        return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n".to_string();
    }
    let mut out = String::from(
        "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n",
    );
    for (i, (name, s)) in events.iter().enumerate() {
        let n = s.samples.len().max(1) as f64;
        let avg = s.samples.iter().map(|x| x.1 as f64).sum::<f64>() / n;
        let mad = s.samples.iter().map(|x| (x.1 as f64 - avg).abs()).sum::<f64>() / n;
        let period = match (s.samples.front(), s.samples.back()) {
            (Some(first), Some(last)) if s.samples.len() > 1 => {
                (last.0 - first.0) as f64 / (s.samples.len() - 1) as f64
            }
            _ => 1.0,
        };
        out.push_str(&format!(
            "{}. {}: {} latency spikes (average {}ms, mean deviation {}ms, period {:.2} sec). Worst all time event {}ms.\n",
            i + 1,
            name,
            s.samples.len(),
            avg as u64,
            mad as u64,
            period,
            s.max
        ));
    }
    out.push_str("\nI have a few advices for you:\n\n");
    let slowlog_threshold_us = ctx.srv.cfg.slowlog_log_slower_than;
    if slowlog_threshold_us < 0 || slowlog_threshold_us > threshold * 1000 {
        out.push_str(&format!(
            "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than {}'.\n",
            threshold * 1000
        ));
    }
    if events.iter().any(|(n, _)| n == "command" || n == "fast-command") {
        out.push_str("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n");
        out.push_str("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n");
    }
    if events.iter().any(|(n, _)| n == "expire-cycle") {
        out.push_str("- Many keys expiring at the same time can make the active expire cycle run long. Consider spreading TTLs (adding some randomness) so that keys do not expire at the same second.\n");
    }
    out
}

/// LATENCY GRAPH event: Redis's ASCII sparkline of the samples.
fn latency_graph(ctx: &mut Ctx) {
    let event = ctx.argv.get(2);
    let Some(s) = ctx.srv.latency.get(event) else {
        let msg = format!("ERR No samples available for event '{}'", super::arg_text(event));
        return ctx.error(&msg);
    };
    let now = ctx.srv.now_ms / 1000;
    let values: Vec<u64> = s.samples.iter().map(|x| x.1).collect();
    let labels: Vec<String> = s.samples.iter().map(|x| age_label(now - x.0)).collect();
    let (min, max) = (
        values.iter().min().copied().unwrap_or(0),
        values.iter().max().copied().unwrap_or(0),
    );
    let mut out = format!(
        "{} - high {} ms, low {} ms (all time high {} ms)\n",
        String::from_utf8_lossy(event),
        max,
        min,
        s.max
    );
    out.push_str(&"-".repeat(GRAPH_COLS));
    out.push('\n');
    for start in (0..values.len()).step_by(GRAPH_COLS) {
        let end = (start + GRAPH_COLS).min(values.len());
        render_sparkline(&mut out, &values[start..end], &labels[start..end], min, max);
    }
    ctx.c.reply.verbatim(out.as_bytes(), b"txt");
}

const GRAPH_COLS: usize = 80;

/// How long ago a sample was: `12s`, `3m`, `2h`, `1d`.
fn age_label(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// Four rows of filled bars (`_`, `o`, `#` for the top of a bar, `|` below
/// it), a blank line, then each sample's label written vertically.
fn render_sparkline(out: &mut String, values: &[u64], labels: &[String], min: u64, max: u64) {
    const ROWS: i64 = 4;
    const CHARS: &[u8] = b"_o#";
    let steps = CHARS.len() as i64 * ROWS;
    let relmax = if max == min { 1.0 } else { (max - min) as f64 };
    let step_of = |v: u64| (((v - min) as f64 * steps as f64 / relmax) as i64).clamp(0, steps - 1);
    for row in 0..ROWS {
        let line: String = values
            .iter()
            .map(|&v| {
                let idx = step_of(v) - (ROWS - row - 1) * CHARS.len() as i64;
                if (0..CHARS.len() as i64).contains(&idx) {
                    CHARS[idx as usize] as char
                } else if idx >= CHARS.len() as i64 {
                    '|'
                } else {
                    ' '
                }
            })
            .collect();
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&" ".repeat(values.len()));
    out.push('\n');
    let longest = labels.iter().map(String::len).max().unwrap_or(0);
    for i in 0..longest {
        let line: String = labels
            .iter()
            .map(|l| l.as_bytes().get(i).map_or(' ', |&c| c as char))
            .collect();
        out.push_str(&line);
        out.push('\n');
    }
}

/// LATENCY HISTOGRAM [command ...]: per command, its calls and the
/// cumulative distribution of its latencies at power-of-two microseconds.
fn latency_histogram(ctx: &mut Ctx) {
    let table = &ctx.srv.table;
    let ids: Vec<usize> = if ctx.argv.len() == 2 {
        (0..table.cmds.len()).collect()
    } else {
        // A container name stands for its subcommands.
        ctx.argv
            .iter()
            .skip(2)
            .flat_map(|name| {
                let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
                let parent = table.full_names.iter().position(|n| *n == lower);
                let subs: Vec<usize> = (0..table.cmds.len())
                    .filter(|&i| parent.is_some() && table.parent[i].map(|p| p as usize) == parent)
                    .collect();
                if subs.is_empty() {
                    parent.into_iter().collect::<Vec<_>>()
                } else {
                    subs
                }
            })
            .collect()
    };
    let with_data: Vec<usize> = ids
        .into_iter()
        .filter(|&id| ctx.srv.stats.cmds[id].latency.as_ref().is_some_and(|h| h.total() > 0))
        .collect();
    let r = &mut ctx.c.reply;
    r.map_len(with_data.len());
    for id in with_data {
        let st = &ctx.srv.stats.cmds[id];
        let steps = st
            .latency
            .as_ref()
            .map(|h| h.cumulative_pow2_usec())
            .unwrap_or_default();
        r.bulk(table.full_names[id].as_bytes());
        r.map_len(2);
        r.bulk(b"calls");
        r.int(st.calls as i64);
        r.bulk(b"histogram_usec");
        r.map_len(steps.len());
        for (us, count) in steps {
            r.int(us as i64);
            r.int(count as i64);
        }
    }
}

fn latency_help(ctx: &mut Ctx) {
    ctx.help(&[
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
    ]);
}

/// MONITOR: from now on this connection receives every command run.
fn monitor(ctx: &mut Ctx) {
    if ctx.c.monitor {
        return;
    }
    ctx.c.monitor = true;
    ctx.srv.monitors.push(ctx.c.key);
    ctx.c.reply.ok();
}
