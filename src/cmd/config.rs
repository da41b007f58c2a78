//! CONFIG GET/SET/RESETSTAT/REWRITE/HELP, over the config table
//! (`crate::config`), plus applying the runtime effect of a changed value.

use super::{flags::*, Command, Ctx, Group};
use crate::config::{SetContext, P};
use crate::server::Server;

pub static COMMANDS: &[Command] = &[Command::container("config", Group::Server, SUBCOMMANDS).doc(
    "2.0.0",
    "Depends on subcommand.",
    "A container for server configuration commands",
)];

const ADMIN_FLAGS: u64 = ADMIN | NOSCRIPT | LOADING | STALE;

static SUBCOMMANDS: &[Command] = &[
    Command::new("get", -3, Group::Server, config_get)
        .flags(ADMIN_FLAGS)
        .doc(
            "2.0.0",
            "O(N) when N is the number of configuration parameters provided",
            "Get the values of configuration parameters",
        )
        .args("(parameter) ...")
        .history(&[(
            "7.0.0",
            "Added the ability to pass multiple pattern parameters in one call",
        )]),
    Command::new("set", -4, Group::Server, config_set)
        .flags(ADMIN_FLAGS)
        .doc(
            "2.0.0",
            "O(N) when N is the number of configuration parameters provided",
            "Set configuration parameters to the given values",
        )
        .args("parameter value [parameter value ...]")
        .history(&[("7.0.0", "Added the ability to set multiple parameters in one call.")])
        .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"]),
    Command::new("resetstat", 2, Group::Server, config_resetstat)
        .flags(ADMIN_FLAGS)
        .doc("2.0.0", "O(1)", "Reset the stats returned by INFO"),
    Command::new("rewrite", 2, Group::Server, config_rewrite)
        .flags(ADMIN_FLAGS)
        .doc(
            "2.8.0",
            "O(1)",
            "Rewrite the configuration file with the in memory configuration",
        ),
    Command::new("help", 2, Group::Server, config_help)
        .flags(LOADING | STALE)
        .doc("5.0.0", "O(1)", "Show helpful text about the different subcommands"),
];

/// CONFIG GET parameter [parameter ...]: name/value pairs (a map in RESP3).
fn config_get(ctx: &mut Ctx) {
    let patterns: Vec<&[u8]> = ctx.argv.iter().skip(2).collect();
    let pairs = ctx.srv.cfg.get(&patterns);
    let r = &mut ctx.c.reply;
    r.map_len(pairs.len());
    for (name, value) in pairs {
        r.bulk(name.as_bytes());
        r.bulk(&value);
    }
}

/// CONFIG SET parameter value [parameter value ...]: all or nothing. The
/// new values are validated by the table, then applied to the running
/// server; if applying fails the old configuration is restored.
fn config_set(ctx: &mut Ctx) {
    if !ctx.argv.len().is_multiple_of(2) {
        return ctx.syntax_error();
    }
    let pairs: Vec<(&[u8], &[u8])> = (2..ctx.argv.len())
        .step_by(2)
        .map(|i| (ctx.argv.get(i), ctx.argv.get(i + 1)))
        .collect();
    let set_ctx = SetContext {
        client_is_local: ctx.c.unix_socket || is_loopback_addr(&ctx.c.addr),
        loading: false,
    };
    let before = ctx.srv.cfg.clone();
    let changed = match ctx.srv.cfg.set_with(&pairs, &set_ctx) {
        Ok(c) => c,
        Err(e) => return ctx.error(&e),
    };
    for p in &changed {
        if let Err((name, reason)) = ctx.srv.apply_config_change(*p, &before) {
            let attempted = std::mem::replace(&mut ctx.srv.cfg, before);
            ctx.srv.apply_all_config(&changed, &attempted);
            return ctx.error(&crate::config::set_failed_error(name, &reason));
        }
    }
    ctx.c.reply.ok();
}

fn is_loopback_addr(addr: &str) -> bool {
    addr.starts_with("127.") || addr.starts_with("[::1]")
}

/// CONFIG RESETSTAT
fn config_resetstat(ctx: &mut Ctx) {
    ctx.srv.reset_stats();
    ctx.c.reply.ok();
}

/// CONFIG REWRITE
fn config_rewrite(ctx: &mut Ctx) {
    if ctx.srv.cfg.config_file.is_none() {
        return ctx.error("ERR The server is running without a config file");
    }
    match ctx.srv.cfg.rewrite() {
        Ok(()) => {
            log::warn!("CONFIG REWRITE executed with success.");
            ctx.c.reply.ok();
        }
        Err(e) => {
            log::warn!("CONFIG-REWRITE failed: {e}");
            ctx.error(&format!("ERR Rewriting config file: {e}"));
        }
    }
}

fn config_help(ctx: &mut Ctx) {
    ctx.help(&[
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
    ]);
}

impl Server {
    /// Makes a changed parameter take effect. Most parameters are read
    /// where they are used and need nothing here. On failure returns the
    /// parameter name and Redis's reason text.
    pub fn apply_config_change(&mut self, p: P, before: &crate::config::Config) -> Result<(), (&'static str, String)> {
        match p {
            P::Loglevel => crate::logging::set_level(&self.cfg.loglevel),
            P::Hz => self.hz = self.cfg.hz,
            P::JemallocBgThread => crate::server::set_jemalloc_bg_thread(self.cfg.jemalloc_bg_thread),
            P::Appendonly if self.cfg.appendonly != before.appendonly => {
                if !self.cfg.appendonly {
                    self.aof_disable();
                } else if self.aof_enable().is_err() {
                    return Err(("appendonly", "Unable to turn on AOF. Check server logs.".into()));
                }
            }
            P::MinReplicasToWrite | P::MinReplicasMaxLag => self.refresh_good_replicas(),
            P::MaxmemoryPolicy => self.policy = crate::evict::Policy::from_name(&self.cfg.maxmemory_policy),
            // The estimate starts from a fresh reading, not a stale one.
            P::Maxmemory => self.evict.sync(),
            P::Dir => {
                if let Err(e) = std::env::set_current_dir(&self.cfg.dir) {
                    return Err(("dir", e.to_string()));
                }
            }
            P::Port | P::Bind if self.cfg.port != before.port || self.cfg.bind != before.bind => {
                let name = if p == P::Port { "port" } else { "bind" };
                self.rebind()
                    .map_err(|e| (name, format!("Unable to listen on this port: {e}")))?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Re-applies every parameter in `changed` after a rollback from the
    /// `attempted` values back to the current ones.
    pub fn apply_all_config(&mut self, changed: &[P], attempted: &crate::config::Config) {
        for p in changed {
            // Going back to values that were in effect before: a failure can
            // only come from a port taken meanwhile, and then the listeners
            // of the attempted values stay.
            if let Err((name, reason)) = self.apply_config_change(*p, attempted) {
                log::warn!("Failed to restore '{name}' after a failed CONFIG SET: {reason}");
            }
        }
    }
}
