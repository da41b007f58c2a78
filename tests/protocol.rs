//! The wire protocol, tested with raw bytes over TCP: protocol errors and
//! the close that follows them, inline commands, pipelining, big and
//! fragmented arguments, hostile headers, authentication and query-buffer
//! limits, and connection limits.

mod common;

use common::{assert_bytes, encode, show, RawClient, Rng, Server};
use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

fn proto_err(what: &str) -> Vec<u8> {
    format!("-ERR Protocol error: {what}\r\n").into_bytes()
}

/// Sends `input` on a new connection and asserts the server replies exactly
/// `expected` and then closes the connection.
#[track_caller]
fn assert_reply_then_close(srv: &Server, input: &[u8], expected: &[u8]) {
    let mut c = srv.raw();
    c.send(input);
    let got = c.read_until_closed(CLOSE_TIMEOUT);
    assert!(
        got == expected,
        "input {}:\n  got      {}\n  expected {} followed by a close",
        show(input),
        show(&got),
        show(expected)
    );
}

#[test]
fn protocol_errors_reply_then_close() {
    let srv = Server::start(&[]);
    // PROTO_INLINE_MAX_SIZE is 64 KiB: one byte more without a newline is
    // an error. The inputs are sized so that the server has read every
    // byte when it detects the error (unread input would make the close a
    // reset, which can drop the reply on the floor).
    let mut too_big_inline = vec![b'a'; 64 * 1024 + 1];
    too_big_inline[0] = b'P';
    let mut too_big_mbulk = vec![b'1'; 64 * 1024 + 1];
    too_big_mbulk[0] = b'*';
    let mut too_big_bulk = b"*1\r\n".to_vec();
    too_big_bulk.push(b'$');
    too_big_bulk.extend(std::iter::repeat_n(b'1', 64 * 1024));

    let cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (b"*abc\r\n".to_vec(), proto_err("invalid multibulk length")),
        (b"*2147483648\r\n".to_vec(), proto_err("invalid multibulk length")),
        (b"*1x\r\n".to_vec(), proto_err("invalid multibulk length")),
        (b"*1\r\n$abc\r\n".to_vec(), proto_err("invalid bulk length")),
        (b"*1\r\n$-1\r\n".to_vec(), proto_err("invalid bulk length")),
        (b"*1\r\n$536870913\r\n".to_vec(), proto_err("invalid bulk length")),
        (b"*1\r\n$2147483648\r\n".to_vec(), proto_err("invalid bulk length")),
        (b"*1\r\nfoo\r\n".to_vec(), proto_err("expected '$', got 'f'")),
        (
            b"*2\r\n$4\r\nECHO\r\n:1\r\n".to_vec(),
            proto_err("expected '$', got ':'"),
        ),
        (b"SET \"abc\r\n".to_vec(), proto_err("unbalanced quotes in request")),
        (b"SET \"a\"b c\r\n".to_vec(), proto_err("unbalanced quotes in request")),
        (b"SET 'abc\r\n".to_vec(), proto_err("unbalanced quotes in request")),
        (too_big_inline, proto_err("too big inline request")),
        (too_big_mbulk, proto_err("too big mbulk count string")),
        (too_big_bulk, proto_err("too big bulk count string")),
        // Replies to the commands before the error still arrive.
        (
            b"PING\r\n*1\r\n$4\r\nPING\r\n*1\r\nx\r\n".to_vec(),
            [b"+PONG\r\n+PONG\r\n".as_slice(), &proto_err("expected '$', got 'x'")].concat(),
        ),
    ];
    for (input, expected) in &cases {
        assert_reply_then_close(&srv, input, expected);
    }
    // The server is unharmed.
    let mut c = srv.raw();
    assert_bytes(&c.roundtrip(b"PING\r\n"), b"+PONG\r\n");
}

#[test]
fn huge_bulk_length_is_invalid() {
    let srv = Server::start(&[]);
    // proto-max-bulk-len is 512 MiB: one more byte is refused outright.
    assert_reply_then_close(&srv, b"*1\r\n$536870913\r\n", &proto_err("invalid bulk length"));
}

#[test]
fn empty_and_negative_multibulk_are_ignored() {
    let srv = Server::start(&[]);
    let mut c = srv.raw();
    c.send(b"*0\r\n*-1\r\n*-5\r\n\r\n\n*1\r\n$4\r\nPING\r\n");
    assert_bytes(&c.read_reply(), b"+PONG\r\n");
    assert!(c.is_quiet_for(Duration::from_millis(200)), "unexpected extra reply");
}

#[test]
fn inline_commands_with_quotes() {
    let srv = Server::start(&[]);
    let mut c = srv.raw();
    let steps: &[(&[u8], &[u8])] = &[
        (b"PING\r\n", b"+PONG\r\n"),
        (b"PING\n", b"+PONG\r\n"),
        (b"   PING   \r\n", b"+PONG\r\n"),
        (b"ping hello\r\n", b"$5\r\nhello\r\n"),
        (b"SET \"k 1\" \"v\\x41\\n\"\r\n", b"+OK\r\n"),
        (b"*2\r\n$3\r\nGET\r\n$3\r\nk 1\r\n", b"$3\r\nvA\n\r\n"),
        (b"SET 'single q' 'it\\'s'\r\n", b"+OK\r\n"),
        (b"GET \"single q\"\r\n", b"$4\r\nit's\r\n"),
        (b"ECHO \"\"\r\n", b"$0\r\n\r\n"),
        (b"ECHO \"tab\\there\\r\\n\"\r\n", b"$10\r\ntab\there\r\n\r\n"),
        (b"ECHO 'no \\n escape'\r\n", b"$12\r\nno \\n escape\r\n"),
        (b"EXISTS \"k 1\" 'single q' nokey\r\n", b":2\r\n"),
        (b"\r\n\r\n\nPING\r\n", b"+PONG\r\n"),
    ];
    for (input, expected) in steps {
        let got = c.roundtrip(input);
        assert!(
            got == *expected,
            "input {}: got {}, expected {}",
            show(input),
            show(&got),
            show(expected)
        );
    }
    // Inline and multibulk commands can be mixed in one write.
    c.send(b"INCR n\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\nINCR n\n");
    let replies = c.read_replies(3);
    assert_eq!(
        replies,
        vec![b":1\r\n".to_vec(), b":2\r\n".to_vec(), b":3\r\n".to_vec()]
    );
}

#[test]
fn pipeline_10k_commands_in_one_write() {
    let srv = Server::start(&[]);
    let mut c = srv.raw();
    let n = 10_000;
    let mut batch = Vec::new();
    for i in 0..n {
        if i % 2 == 0 {
            batch.extend_from_slice(&encode(&["INCR", "counter"]));
        } else {
            batch.extend_from_slice(&encode(&["ECHO", &format!("msg-{i}")]));
        }
    }
    // Write from another thread so that replies are drained meanwhile.
    let mut w = c.tcp().try_clone().expect("clone the stream");
    let writer = std::thread::spawn(move || w.write_all(&batch).expect("write the batch"));
    let replies = c.read_replies(n);
    writer.join().expect("writer thread");
    for (i, r) in replies.iter().enumerate() {
        let expected = if i % 2 == 0 {
            format!(":{}\r\n", i / 2 + 1)
        } else {
            let m = format!("msg-{i}");
            format!("${}\r\n{m}\r\n", m.len())
        };
        assert!(
            r == expected.as_bytes(),
            "reply {i}: got {}, expected {}",
            show(r),
            show(expected.as_bytes())
        );
    }
    assert!(c.is_quiet_for(Duration::from_millis(100)));
}

#[test]
fn big_value_in_random_chunks() {
    const SIZE: usize = 50 * 1024 * 1024;
    let srv = Server::start(&[]);
    let mut c = srv.raw();
    let mut value = vec![0u8; SIZE];
    let mut rng = Rng::new(0x5eed_1234);
    rng.fill(&mut value);
    let mut msg = format!("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${SIZE}\r\n").into_bytes();
    msg.extend_from_slice(&value);
    msg.extend_from_slice(b"\r\n");

    let mut w = c.tcp().try_clone().expect("clone the stream");
    let writer = std::thread::spawn(move || {
        let mut pos = 0;
        while pos < msg.len() {
            let n = rng.range(1, 64 * 1024).min(msg.len() - pos);
            w.write_all(&msg[pos..pos + n]).expect("write a chunk");
            pos += n;
        }
    });
    let reply = c
        .try_read_replies(1, Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{e}"));
    writer.join().expect("writer thread");
    assert_bytes(&reply[0], b"+OK\r\n");

    assert_bytes(&c.cmd(&["STRLEN", "big"]), format!(":{SIZE}\r\n").as_bytes());
    let range = c.cmd(&["GETRANGE", "big", "1000", "1009"]);
    let mut expected = b"$10\r\n".to_vec();
    expected.extend_from_slice(&value[1000..1010]);
    expected.extend_from_slice(b"\r\n");
    assert_bytes(&range, &expected);

    c.send(&encode(&["GET", "big"]));
    let got = c
        .try_read_replies(1, Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{e}"))
        .pop()
        .expect("one reply");
    let header = format!("${SIZE}\r\n");
    assert!(got.starts_with(header.as_bytes()), "GET header: {}", show(&got));
    assert_eq!(got.len(), header.len() + SIZE + 2, "GET reply length");
    let body = &got[header.len()..header.len() + SIZE];
    if let Some(i) = body.iter().zip(&value).position(|(a, b)| a != b) {
        panic!("GET returned different bytes from offset {i}");
    }
    assert_bytes(&got[header.len() + SIZE..], b"\r\n");
}

#[test]
fn hostile_headers_then_disconnect_do_not_allocate() {
    let srv = Server::start(&[]);
    let mut watcher = srv.raw();
    let baseline = srv
        .info_field("memory", "used_memory_rss")
        .expect("used_memory_rss")
        .parse::<u64>()
        .expect("a number");
    let mut conns = Vec::new();
    for i in 0..100 {
        let mut c = srv.raw();
        let msg: &[u8] = match i % 4 {
            // The largest count Redis accepts (INT_MAX), and one argument.
            0 => b"*2147483647\r\n$4\r\nPING\r\n",
            // 2^31 arguments: refused.
            1 => b"*2147483648\r\n",
            // The largest accepted count and a 512 MiB bulk header.
            2 => b"*2147483647\r\n$536870912\r\nabc",
            // A 512 MiB argument announced, a little data sent.
            _ => b"*2\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\nhello",
        };
        c.send(msg);
        conns.push((i % 4 == 1, c));
    }
    // The refused ones get their error; the others wait for more input and
    // are then dropped: the server sees their bytes before the EOF.
    for (refused, mut c) in conns {
        if refused {
            assert_bytes(
                &c.read_until_closed(CLOSE_TIMEOUT),
                &proto_err("invalid multibulk length"),
            );
        } else {
            let _ = c.tcp().shutdown(Shutdown::Both);
        }
    }
    let gone = common::wait_until(Duration::from_secs(10), || {
        srv.info_field("clients", "connected_clients").as_deref() == Some("2")
    });
    assert!(gone, "the disconnected clients were not freed");
    let rss = srv
        .info_field("memory", "used_memory_rss")
        .expect("used_memory_rss")
        .parse::<u64>()
        .expect("a number");
    let proc_rss = common::rss_of(srv.pid);
    assert!(
        rss < 100 << 20 && proc_rss < 100 << 20,
        "RSS grew from {baseline} to {rss} (VmRSS {proc_rss}) after 100 hostile headers"
    );
    assert_bytes(&watcher.roundtrip(b"PING\r\n"), b"+PONG\r\n");
}

#[test]
fn unauthenticated_limits_with_requirepass() {
    let srv = Server::start(&["--requirepass", "s3cret"]);
    let mut c = srv.raw();
    assert_bytes(&c.roundtrip(b"PING\r\n"), b"-NOAUTH Authentication required.\r\n");
    // Ten arguments and 16 KiB bulks are allowed before AUTH...
    let ten: Vec<String> = std::iter::once("DEL".to_string())
        .chain((0..9).map(|i| format!("k{i}")))
        .collect();
    assert_bytes(&c.cmd(&ten), b"-NOAUTH Authentication required.\r\n");
    let bulk = "x".repeat(16384);
    assert_bytes(
        &c.cmd(&["ECHO", bulk.as_str()]),
        b"-NOAUTH Authentication required.\r\n",
    );
    assert_bytes(
        &c.cmd(&["AUTH", "wrong"]),
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    // ...but not more.
    assert_reply_then_close(&srv, b"*11\r\n", &proto_err("unauthenticated multibulk length"));
    assert_reply_then_close(
        &srv,
        b"*2\r\n$4\r\nAUTH\r\n$16385\r\n",
        &proto_err("unauthenticated bulk length"),
    );
    // After AUTH the limits are gone.
    assert_bytes(&c.cmd(&["AUTH", "s3cret"]), b"+OK\r\n");
    let eleven: Vec<String> = std::iter::once("DEL".to_string())
        .chain((0..10).map(|i| format!("k{i}")))
        .collect();
    assert_bytes(&c.cmd(&eleven), b":0\r\n");
    let big = "y".repeat(100_000);
    let mut expected = b"$100000\r\n".to_vec();
    expected.extend_from_slice(big.as_bytes());
    expected.extend_from_slice(b"\r\n");
    assert_bytes(&c.cmd(&["ECHO", big.as_str()]), &expected);
}

#[test]
fn query_buffer_limit_disconnects_the_client() {
    let srv = Server::start(&["--client-query-buffer-limit", "1mb"]);
    let mut other = srv.raw();
    assert_bytes(&other.cmd(&["SET", "a", "1"]), b"+OK\r\n");

    let hog = TcpStream::connect(srv.addr()).expect("connect");
    let size = 2 * 1024 * 1024;
    let mut msg = format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${size}\r\n").into_bytes();
    msg.extend(std::iter::repeat_n(b'z', size));
    let mut w = hog.try_clone().expect("clone");
    // The server may close while we are still writing: errors are expected.
    let writer = std::thread::spawn(move || w.write_all(&msg).is_ok());
    let mut reader = RawClient::from_conn(common::Conn::Tcp(hog.try_clone().expect("clone")));
    let got = reader.read_until_closed(Duration::from_secs(20));
    assert!(got.is_empty(), "expected a silent close, got {}", show(&got));
    let _ = writer.join();
    let _ = hog.shutdown(Shutdown::Both);

    assert_bytes(&other.cmd(&["GET", "a"]), b"$1\r\n1\r\n");
    assert_bytes(&other.cmd(&["EXISTS", "k"]), b":0\r\n");
    let mut fresh = srv.raw();
    assert_bytes(&fresh.roundtrip(b"PING\r\n"), b"+PONG\r\n");
    let logged = common::wait_until(Duration::from_secs(5), || {
        srv.stdout()
            .contains("Closing client that reached max query buffer length")
    });
    assert!(logged, "no log line about the query buffer limit:\n{}", srv.output());
}

#[test]
fn two_thousand_idle_connections() {
    let srv = Server::start(&[]);
    let started = Instant::now();
    let mut conns: Vec<RawClient> = (0..2000).map(|_| srv.raw()).collect();
    for c in conns.iter_mut() {
        c.send(b"PING\r\n");
    }
    for (i, c) in conns.iter_mut().enumerate() {
        let r = c.read_reply();
        assert!(r == b"+PONG\r\n", "connection {i}: {}", show(&r));
    }
    // 2000 plus the connection asking (earlier ones may take a moment to go).
    let all_there = common::wait_until(Duration::from_secs(5), || {
        srv.info_field("clients", "connected_clients").as_deref() == Some("2001")
    });
    assert!(
        all_there,
        "connected_clients: {:?}",
        srv.info_field("clients", "connected_clients")
    );
    // They all still work after idling together.
    for c in conns.iter_mut().step_by(97) {
        assert_bytes(&c.cmd(&["ECHO", "hi"]), b"$2\r\nhi\r\n");
    }
    eprintln!("2000 connections in {:?}", started.elapsed());
}

#[test]
fn maxclients_rejection() {
    let srv = Server::start(&["--maxclients", "3"]);
    // Fill the three slots (a connection refused because an earlier one is
    // still being torn down is simply retried).
    let mut kept: Vec<RawClient> = Vec::new();
    let filled = common::wait_until(Duration::from_secs(10), || {
        let mut c = srv.raw();
        c.send(b"PING\r\n");
        if matches!(c.try_read_replies(1, Duration::from_secs(2)), Ok(r) if r[0] == b"+PONG\r\n") {
            kept.push(c);
        }
        kept.len() == 3
    });
    assert!(filled, "could not open 3 clients with maxclients 3");
    let mut extra = srv.raw();
    let got = extra.read_until_closed(CLOSE_TIMEOUT);
    assert_bytes(&got, b"-ERR max number of clients reached\r\n");
    // Once a client leaves, there is room again.
    drop(kept.pop());
    let ok = common::wait_until(Duration::from_secs(10), || {
        let mut c = srv.raw();
        c.send(b"PING\r\n");
        matches!(c.try_read_replies(1, Duration::from_secs(2)), Ok(r) if r[0] == b"+PONG\r\n")
    });
    assert!(ok, "no room after a client disconnected");
}

#[test]
fn slow_reader_does_not_block_others() {
    const SIZE: usize = 8 * 1024 * 1024;
    const GETS: usize = 6;
    let srv = Server::start(&[]);
    let mut setter = srv.raw();
    let mut value = vec![0u8; SIZE];
    Rng::new(7).fill(&mut value);
    let mut w = setter.tcp().try_clone().unwrap();
    let msg = encode(&[b"SET".as_slice(), b"big", &value]);
    let writer = std::thread::spawn(move || w.write_all(&msg).unwrap());
    assert_bytes(&setter.read_reply(), b"+OK\r\n");
    writer.join().unwrap();

    // 48 MiB of replies that nobody reads for now.
    let mut slow = srv.raw();
    let mut gets = Vec::new();
    for _ in 0..GETS {
        gets.extend_from_slice(&encode(&["GET", "big"]));
    }
    slow.send(&gets);
    // Meanwhile everyone else is served promptly.
    let mut other = srv.raw();
    for i in 0..20 {
        let started = Instant::now();
        assert_bytes(&other.cmd(&["INCR", "n"]), format!(":{}\r\n", i + 1).as_bytes());
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a command took {:?} while another client had unread output",
            started.elapsed()
        );
    }
    // The slow reader gets everything, intact, in the end.
    let replies = slow
        .try_read_replies(GETS, Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{e}"));
    let header = format!("${SIZE}\r\n");
    for r in &replies {
        assert!(r.starts_with(header.as_bytes()) && r[header.len()..header.len() + SIZE] == value[..]);
    }
}

#[test]
fn idle_clients_are_closed_after_timeout() {
    let srv = Server::start(&["--timeout", "1"]);
    let mut c = srv.raw();
    assert_bytes(&c.roundtrip(b"PING\r\n"), b"+PONG\r\n");
    let idle_since = Instant::now();
    let got = c.read_until_closed(Duration::from_secs(10));
    let idle = idle_since.elapsed();
    assert!(got.is_empty(), "unexpected bytes {}", show(&got));
    assert!(
        idle >= Duration::from_millis(900),
        "closed after only {idle:?} of idleness with timeout 1"
    );
    // A fresh client is served.
    assert_bytes(&srv.raw().roundtrip(b"PING\r\n"), b"+PONG\r\n");
}
