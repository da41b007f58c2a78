//! Socket set-up (Redis's anet.c): listeners with the configured backlog,
//! client socket options, address formatting.

use crate::client::Stream;
use socket2::{Domain, Protocol, SockRef, Socket, TcpKeepalive, Type};
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::time::Duration;

/// A non-blocking TCP listener on `addr:port`. Redis's `*` means every IPv4
/// address and `::*` every IPv6 address. A failure names the failing step
/// (`socket`, `bind`, `listen`) as Redis's anet layer does.
pub fn tcp_listener(addr: &str, port: u16, backlog: i32) -> Result<TcpListener, (&'static str, io::Error)> {
    let ip: IpAddr = match addr {
        "*" => IpAddr::from([0u8; 4]),
        "::*" => IpAddr::from([0u16; 8]),
        a => a.parse().map_err(|_| {
            (
                "getaddrinfo",
                io::Error::new(io::ErrorKind::AddrNotAvailable, "Name or service not known"),
            )
        })?,
    };
    let sa = SocketAddr::new(ip, port);
    let sock = Socket::new(Domain::for_address(sa), Type::STREAM, Some(Protocol::TCP)).map_err(|e| ("socket", e))?;
    if sa.is_ipv6() {
        // As Redis: an IPv6 listener never also takes IPv4 connections.
        sock.set_only_v6(true).map_err(|e| ("setsockopt", e))?;
    }
    sock.set_reuse_address(true)
        .map_err(|e| ("setsockopt SO_REUSEADDR", e))?;
    sock.bind(&sa.into()).map_err(|e| ("bind", e))?;
    sock.listen(backlog).map_err(|e| ("listen", e))?;
    sock.set_nonblocking(true).map_err(|e| ("fcntl", e))?;
    Ok(sock.into())
}

/// An OS error's text as C's strerror gives it (without Rust's
/// " (os error N)" suffix).
pub fn strerror(e: &io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Errors for which Redis 7 skips a bind address instead of failing.
pub fn is_skippable_bind_error(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EADDRNOTAVAIL)
            | Some(libc::ENOPROTOOPT)
            | Some(libc::EPROTONOSUPPORT)
            | Some(libc::ESOCKTNOSUPPORT)
            | Some(libc::EPFNOSUPPORT)
            | Some(libc::EAFNOSUPPORT)
    ) || e.kind() == io::ErrorKind::AddrNotAvailable
}

pub fn unix_listener(path: &str, perm: u32) -> io::Result<UnixListener> {
    let l = UnixListener::bind(path)?;
    if perm != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm))?;
    }
    l.set_nonblocking(true)?;
    Ok(l)
}

/// Non-blocking, no Nagle delay, and keepalive probes after `keepalive`
/// seconds of silence (interval a third of that, as Redis's anetKeepAlive).
pub fn prepare_client_socket(s: &Stream, keepalive: i32) -> io::Result<()> {
    match s {
        Stream::Tcp(t) => {
            t.set_nonblocking(true)?;
            t.set_nodelay(true)?;
            if keepalive > 0 {
                let secs = keepalive as u64;
                let ka = TcpKeepalive::new()
                    .with_time(Duration::from_secs(secs))
                    .with_interval(Duration::from_secs((secs / 3).max(1)))
                    .with_retries(3);
                SockRef::from(t).set_tcp_keepalive(&ka)?;
            }
        }
        Stream::Unix(u) => u.set_nonblocking(true)?,
    }
    Ok(())
}

/// Best-effort error line to a connection we refuse, then close it.
pub fn write_and_drop(s: Stream, msg: &[u8]) {
    let _ = match &s {
        Stream::Tcp(t) => (&*t).write(msg),
        Stream::Unix(u) => (&*u).write(msg),
    };
}

/// `ip:port`, with IPv6 addresses in brackets, as Redis's formatAddr.
pub fn format_addr(a: SocketAddr) -> String {
    match a.ip() {
        IpAddr::V6(v6) => format!("[{}]:{}", v6, a.port()),
        IpAddr::V4(v4) => format!("{}:{}", v4, a.port()),
    }
}

pub fn local_addr_string(s: &Stream, unixsocket: Option<&str>) -> String {
    match s {
        Stream::Tcp(t) => t.local_addr().map(format_addr).unwrap_or_default(),
        Stream::Unix(_) => format!("{}:0", unixsocket.unwrap_or("")),
    }
}
