//! fastkey-server: a Redis-compatible server.
//!
//! `fastkey-server [config-file|-] [--directive value ...]`, like redis-server.

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

mod aof;
mod bio;
mod blocking;
mod client;
mod cmd;
mod config;
mod db;
mod dict;
mod digest;
mod evict;
mod geohash;
mod glob;
mod hyperloglog;
mod info;
mod intset;
mod latency;
mod listpack;
mod loading;
mod logging;
mod memory;
mod multi;
mod net;
mod object;
mod pqsort;
mod propagate;
mod pubsub;
mod rdb;
mod reactor;
mod replica;
mod replication;
mod reply;
mod resp;
mod sbytes;
mod scripting;
mod server;
mod slowlog;
mod snapshot;
mod supervise;
mod t_hash;
mod t_list;
mod t_set;
mod t_stream;
mod t_zset;
mod tracking;
mod util;

use log::{info, warn};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

/// Set in the environment of the re-executed child when daemonizing.
const DAEMON_ENV: &str = "FASTKEY_DAEMONIZED";

fn usage() {
    eprintln!(
        "Usage: ./fastkey-server [/path/to/redis.conf] [options] [-]
       ./fastkey-server - (read config from stdin)
       ./fastkey-server -v or --version
       ./fastkey-server -h or --help

Examples:
       ./fastkey-server (run the server with default conf)
       echo 'maxmemory 128mb' | ./fastkey-server -
       ./fastkey-server /etc/redis/6379.conf
       ./fastkey-server --port 7777
       ./fastkey-server /etc/myredis.conf --loglevel verbose -
       ./fastkey-server /etc/myredis.conf --loglevel verbose"
    );
}

fn version_line() -> String {
    format!(
        "Fastkey server v={} sha=00000000:0 malloc=jemalloc-5.3.0 bits={} build=fastkey-{}",
        server::VERSION,
        usize::BITS,
        server::FASTKEY_VERSION
    )
}

/// The parsed command line: config file (or stdin), then directive lines.
struct CommandLine {
    config_file: Option<String>,
    from_stdin: bool,
    overrides: Vec<(String, Vec<String>)>,
}

/// Splits the command line as redis-server does. The fixed flags go through
/// getopts; everything from the first `--directive` on is grouped into
/// config lines: each `--name` starts a line and following arguments are its
/// values, except that a new `--name` only starts a line once the previous
/// one has a value (so `--port --x` gives port the value `--x`), and a bare
/// `--save` means `save ""`.
fn parse_command_line(args: &[String]) -> Result<Option<CommandLine>, String> {
    let first_directive = args
        .iter()
        .position(|a| a.starts_with("--") && a != "--help" && a != "--version")
        .unwrap_or(args.len());
    let mut opts = getopts::Options::new();
    opts.optflag("h", "help", "print this help");
    opts.optflag("v", "version", "print the version");
    let m = opts.parse(&args[..first_directive]).map_err(|e| e.to_string())?;
    if m.opt_present("v") {
        println!("{}", version_line());
        return Ok(None);
    }
    if m.opt_present("h") {
        usage();
        // redis-server exits with status 1 after printing its usage.
        return Err(String::new());
    }
    let mut cl = CommandLine {
        config_file: None,
        from_stdin: false,
        overrides: Vec::new(),
    };
    for (i, a) in m.free.iter().enumerate() {
        if a == "-" {
            cl.from_stdin = true;
        } else if i == 0 {
            cl.config_file = Some(a.clone());
        } else {
            return Err(format!("Unexpected argument '{a}'"));
        }
    }
    let tail = &args[first_directive..];
    let mut has_value = true;
    for (j, a) in tail.iter().enumerate() {
        let last = j + 1 == tail.len();
        if a == "-" && last {
            cl.from_stdin = true;
        } else if has_value && a.starts_with("--") {
            let name = a[2..].trim().to_string();
            let mut parts = name.split_whitespace().map(str::to_string);
            let name = parts.next().unwrap_or_default();
            let inline: Vec<String> = parts.collect();
            has_value = !inline.is_empty();
            let next_is_option = tail.get(j + 1).is_some_and(|n| n.starts_with("--"));
            let mut values = inline;
            if !has_value && name.eq_ignore_ascii_case("save") && (last || next_is_option) {
                values.push(String::new());
                has_value = true;
            }
            cl.overrides.push((name, values));
        } else if let Some(line) = cl.overrides.last_mut() {
            line.1.push(a.clone());
            has_value = true;
        } else {
            return Err(format!("Unexpected argument '{a}'"));
        }
    }
    Ok(Some(cl))
}

/// Detaches from the terminal without fork(): starts a copy of ourselves in
/// a new process group with stdio on /dev/null and exits. The copy sees
/// DAEMON_ENV and runs the server.
fn daemonize() -> std::io::Result<()> {
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe()?;
    let mut cmd = std::process::Command::new(exe);
    cmd.args(std::env::args_os().skip(1))
        .env(DAEMON_ENV, "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    cmd.spawn()?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let cl = match parse_command_line(&args) {
        Ok(Some(cl)) => cl,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) if e.is_empty() => return ExitCode::from(1),
        Err(e) => {
            eprintln!("{e}");
            usage();
            return ExitCode::from(1);
        }
    };
    let stdin_text = if cl.from_stdin {
        // Printed before the log file is known, so on standard output.
        println!("{}", logging::early_line('#', "Reading config from stdin"));
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("Reading config from stdin: {e}");
            return ExitCode::from(1);
        }
        Some(s)
    } else {
        None
    };
    let cfg = match config::Config::load(cl.config_file.as_deref(), stdin_text.as_deref(), &cl.overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let daemonized = std::env::var_os(DAEMON_ENV).is_some();
    if cfg.daemonize && !daemonized && !supervise::expected(&cfg.supervised) {
        return match daemonize() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("Can't daemonize: {e}");
                ExitCode::from(1)
            }
        };
    }
    // Redis works from `dir`: the dump, the AOF and relative paths (the
    // log file too) live there.
    if let Err(e) = std::env::set_current_dir(&cfg.dir) {
        eprintln!("Can't chdir to '{}': {}", cfg.dir, e);
        return ExitCode::from(1);
    }
    if let Err(e) = logging::init(&cfg.logfile, &cfg.loglevel) {
        eprintln!("Can't open the log file: {e}");
        return ExitCode::from(1);
    }
    logging::set_role(b'C');
    warn!("oO0OoO0OoO0Oo Fastkey is starting oO0OoO0OoO0Oo");
    warn!(
        "Fastkey version={} (Redis {} compatible), bits={}, commit=00000000, modified=0, pid={}, just started",
        server::FASTKEY_VERSION,
        server::VERSION,
        usize::BITS,
        std::process::id()
    );
    if cl.config_file.is_none() && !cl.from_stdin {
        warn!("Warning: no config file specified, using the default config. In order to specify a config file use ./fastkey-server /path/to/redis.conf");
    } else {
        warn!("Configuration loaded");
    }
    logging::set_role(if cfg.replicaof.is_some() { b'S' } else { b'M' });
    let code = run(cfg, cl.config_file.is_some() || cl.from_stdin);
    logging::flush();
    ExitCode::from(code as u8)
}

fn run(cfg: config::Config, _has_config: bool) -> i32 {
    let supervisor = supervise::detect(&cfg.supervised);
    let unimplemented = cfg.unimplemented_in_use();
    if !unimplemented.is_empty() {
        warn!(
            "WARNING: these configuration directives are accepted but not implemented yet, and have no effect: {}",
            unimplemented.join(", ")
        );
    }
    if let Some(p) = &cfg.pidfile {
        if let Err(e) = std::fs::write(p, format!("{}\n", std::process::id())) {
            warn!("Failed to write PID file: {e}");
        }
    }
    let show_logo = cfg.always_show_logo || std::io::stdout().is_terminal();
    let mut srv = match server::Server::new(cfg) {
        Ok(s) => s,
        Err(e) => {
            warn!("Failed creating the event loop. Error message: '{e}'");
            return 1;
        }
    };
    if let Err(e) = srv.listen() {
        warn!("{e}");
        return 1;
    }
    if let Err(e) = srv.install_signal_handlers() {
        warn!("Can't install signal handlers: {e}");
        return 1;
    }
    if show_logo {
        logging::raw(&logo(srv.tcp_port, srv.pid));
    } else {
        info!("Running mode=standalone, port={}.", srv.tcp_port);
    }
    srv.supervisor = supervisor;
    srv.used_memory_startup = info::mem_stats().allocated;
    warn!("Server initialized");
    // Clients are served while the file loads (they get -LOADING); "Ready"
    // is logged once it is in memory, as Redis logs it after loading.
    // The manifest is read even with the AOF off: a later rewrite numbers
    // its files on from it.
    if let Err(e) = srv.aof_load_manifest() {
        warn!("{e}");
        return 1;
    }
    // With appendonly the AOF is the dataset, and dump.rdb is not read.
    let loading = if srv.cfg.appendonly {
        srv.start_loading_aof(true)
    } else {
        srv.start_loading(true, false)
            .map_err(|e| format!("Fatal error loading the DB: {e}. Exiting."))
    };
    match loading {
        Ok(true) => {}
        Ok(false) => {
            if srv.cfg.appendonly {
                if let Err(e) = srv.aof_open_on_startup() {
                    warn!("{e}");
                    return 1;
                }
            }
            srv.announce_ready()
        }
        Err(e) => {
            warn!("{e}");
            return 1;
        }
    }
    srv.run()
}

fn logo(port: u16, pid: u32) -> String {
    format!(
        r"
     ___        _   _
    | __|_ _ __| |_| |_____ _  _     Fastkey {} (Redis {} compatible) {} bit
    | _/ _` (_-<  _| / / -_) || |
    |_|\__,_/__/\__|_\_\___|\_, |    Running in standalone mode
                            |__/     Port: {}
                                     PID: {}

",
        server::FASTKEY_VERSION,
        server::VERSION,
        usize::BITS,
        port,
        pid
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cl(args: &[&str]) -> CommandLine {
        let v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse_command_line(&v).unwrap().unwrap()
    }

    #[test]
    fn directives_group_like_redis() {
        let c = cl(&["/etc/redis.conf", "--port", "7000", "--save", "--loglevel", "verbose"]);
        assert_eq!(c.config_file.as_deref(), Some("/etc/redis.conf"));
        assert_eq!(
            c.overrides,
            vec![
                ("port".to_string(), vec!["7000".to_string()]),
                ("save".to_string(), vec!["".to_string()]),
                ("loglevel".to_string(), vec!["verbose".to_string()]),
            ]
        );
        let c = cl(&["--save", "900", "1", "300", "10", "--port", "--x"]);
        assert_eq!(c.overrides[0].1.len(), 4);
        assert_eq!(c.overrides[1], ("port".to_string(), vec!["--x".to_string()]));
        let c = cl(&["--port 7001", "-"]);
        assert!(c.from_stdin);
        assert_eq!(c.overrides[0], ("port".to_string(), vec!["7001".to_string()]));
        let c = cl(&["--save"]);
        assert_eq!(c.overrides[0].1, vec![String::new()]);
    }
}
