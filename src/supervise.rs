//! `supervised no|upstart|systemd|auto`: telling the service manager that
//! the server is ready (Redis's redisIsSupervised and
//! redisCommunicateSystemd). systemd's notification is one datagram to the
//! socket named by `NOTIFY_SOCKET` (sd_notify's protocol, spoken directly).

use log::{debug, info, warn};
use std::os::unix::net::UnixDatagram;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Supervisor {
    Upstart,
    Systemd,
}

/// Whether [`detect`] will find a supervisor (checked before the log is
/// set up, to decide whether to daemonize: a supervised server stays in
/// the foreground, as Redis).
pub fn expected(mode: &str) -> bool {
    let env = |v| std::env::var_os(v).is_some();
    match mode {
        "upstart" => env("UPSTART_JOB"),
        "systemd" => env("NOTIFY_SOCKET"),
        "auto" => env("UPSTART_JOB") || env("NOTIFY_SOCKET"),
        _ => false,
    }
}

/// The supervisor in charge, if any, from the `supervised` directive and
/// the environment (`auto` looks for UPSTART_JOB, then NOTIFY_SOCKET).
pub fn detect(mode: &str) -> Option<Supervisor> {
    let mode = match mode {
        "auto" if std::env::var_os("UPSTART_JOB").is_some() => {
            debug!("Upstart supervision detected.");
            "upstart"
        }
        "auto" if std::env::var_os("NOTIFY_SOCKET").is_some() => {
            debug!("Systemd supervision detected.");
            "systemd"
        }
        m => m,
    };
    match mode {
        "upstart" => {
            if std::env::var_os("UPSTART_JOB").is_none() {
                warn!("upstart supervision requested, but UPSTART_JOB not found!");
                return None;
            }
            Some(Supervisor::Upstart)
        }
        "systemd" => {
            if systemd_notify("STATUS=Redis is loading...\n") {
                info!("Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit.");
                Some(Supervisor::Systemd)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Sends one sd_notify message; false (with Redis's warning) when there
/// is no socket or the send fails.
pub fn systemd_notify(msg: &str) -> bool {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        warn!("systemd supervision error: NOTIFY_SOCKET not found!");
        return false;
    };
    let sent = UnixDatagram::unbound().and_then(|sock| {
        let bytes = path.as_encoded_bytes();
        match bytes.strip_prefix(b"@") {
            // An abstract socket name (Linux).
            Some(name) => {
                use std::os::linux::net::SocketAddrExt;
                let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
                sock.send_to_addr(msg.as_bytes(), &addr)
            }
            None => sock.send_to(msg.as_bytes(), &path),
        }
    });
    match sent {
        Ok(_) => true,
        Err(e) => {
            warn!("systemd supervision error: sd_notify: {e}");
            false
        }
    }
}

/// The server is up (after loading): READY=1 for systemd, SIGSTOP for
/// upstart (which resumes the process once it has seen it stop).
pub fn announce_ready(s: Supervisor) {
    match s {
        Supervisor::Systemd => {
            systemd_notify("STATUS=Ready to accept connections\n");
            systemd_notify("READY=1\n");
        }
        Supervisor::Upstart => {
            info!("supervised by upstart, will stop to signal readiness.");
            if let Err(e) = nix::sys::signal::raise(nix::sys::signal::Signal::SIGSTOP) {
                warn!("Can't stop to signal readiness to upstart: {e}");
            }
        }
    }
}
