//! Blocking commands (Redis's blocked.c): BLPOP, BZPOPMIN, XREAD BLOCK...
//!
//! A command that finds nothing to serve parks its client with
//! `Ctx::block_on_keys`: the client keeps an owned copy of its command and
//! joins a FIFO queue per key. A write to one of those keys marks the key
//! ready (`signal_modified_key`); after the current command, and before the
//! loop sleeps, each ready key's queue is walked in order and every client
//! whose key holds the right type re-runs its command. A client served this
//! way leaves every queue; one that still finds nothing (another client was
//! served first) keeps its place. Timeouts are kept ordered by deadline.
//! While blocked, a client's further pipelined commands wait in its query
//! buffer and run once it is unblocked.

use crate::cmd::{CmdId, Ctx};
use crate::object::Type;
use crate::resp::OwnedArgv;
use crate::sbytes::SBytes;
use crate::server::Server;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

/// What a blocked command answers when its timeout fires. Redis 7.0
/// answers every list, sorted set and stream wait with a null array, even
/// BLMOVE and BRPOPLPUSH (which reply a null bulk string when they cannot
/// block, inside MULTI).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TimeoutReply {
    /// `*-1` / `_`.
    NullArray,
    /// WAIT: the number of replicas that acknowledged `offset`.
    Acked { offset: i64, numreplicas: i64 },
    /// SHUTDOWN waiting for replicas: no timeout of its own, not subject
    /// to CLIENT UNBLOCK; it ends with the process, or with an error if
    /// the shutdown is cancelled.
    Shutdown,
    /// WAITAOF: whether the local AOF fsynced `offset`, and how many
    /// replicas acknowledged fsyncing it.
    AofAcked {
        offset: i64,
        numlocal: i64,
        numreplicas: i64,
    },
}

/// A parked command.
pub struct Blocked {
    pub cmd: CmdId,
    pub argv: OwnedArgv,
    pub db: usize,
    pub keys: Vec<SBytes>,
    /// Only a key holding this type can serve the command.
    pub wants: Type,
    /// Absolute deadline in ms; None blocks forever.
    pub deadline: Option<i64>,
    pub on_timeout: TimeoutReply,
    /// When set, the error the client is unblocked with if a key it waits
    /// on is deleted or stops holding `wants` (XREADGROUP: Redis 7.0's
    /// "UNBLOCKED the stream key no longer exists").
    pub gone_error: Option<&'static str>,
}

/// Server-wide blocking state.
#[derive(Default)]
pub struct BlockingState {
    /// (db, key) -> blocked client slab keys, in arrival order.
    queues: HashMap<(usize, SBytes), VecDeque<usize>>,
    /// Keys written since they were last served, in signal order.
    ready: Vec<(usize, SBytes)>,
    ready_set: HashSet<(usize, SBytes)>,
    /// (deadline ms, client id, client key) of clients with a timeout.
    timeouts: BTreeSet<(i64, u64, usize)>,
    /// Blocked clients (INFO blocked_clients).
    pub count: usize,
    /// Clients unblocked whose pending input must still be processed.
    pub unblocked: Vec<usize>,
    /// The key whose readiness is re-running a blocked command.
    serving: Option<SBytes>,
}

impl BlockingState {
    pub fn clients_with_timeout(&self) -> usize {
        self.timeouts.len()
    }

    /// The earliest deadline, so the loop wakes up in time for it.
    pub fn next_deadline(&self) -> Option<i64> {
        self.timeouts.first().map(|t| t.0)
    }

    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }
}

/// Parses a blocking timeout in seconds (decimals allowed), as Redis's
/// getTimeoutFromObjectOrReply: None after an error reply, Some(None) for
/// "forever" (0), else the absolute deadline in ms.
pub fn parse_timeout_secs(ctx: &mut Ctx, i: usize) -> Option<Option<i64>> {
    let Some(secs) = crate::util::LongDouble::parse(ctx.argv.get(i)).map(|v| v.to_f64()) else {
        ctx.error("ERR timeout is not a float or out of range");
        return None;
    };
    let ms = (secs * 1000.0).ceil();
    // An out-of-range conversion gives i64::MIN in C, hence "negative".
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    let ms = if ms.is_nan() || !(-TWO_POW_63..TWO_POW_63).contains(&ms) {
        i64::MIN
    } else {
        ms as i64
    };
    deadline_from_ms(ctx, ms)
}

/// The same for a timeout given in milliseconds (XREAD BLOCK).
pub fn parse_timeout_ms(ctx: &mut Ctx, i: usize) -> Option<Option<i64>> {
    let Some(ms) = crate::util::string2ll(ctx.argv.get(i)) else {
        ctx.error("ERR timeout is not an integer or out of range");
        return None;
    };
    deadline_from_ms(ctx, ms)
}

fn deadline_from_ms(ctx: &mut Ctx, ms: i64) -> Option<Option<i64>> {
    if ms < 0 {
        ctx.error("ERR timeout is negative");
        return None;
    }
    if ms == 0 {
        return Some(None);
    }
    Some(Some(ms.wrapping_add(ctx.srv.cmd_time_ms)))
}

impl Ctx<'_> {
    /// False inside MULTI/EXEC (and scripts): there a blocking command
    /// answers at once, as if its timeout had fired.
    pub fn can_block(&self) -> bool {
        // The AOF client replays; it never waits (CLIENT_DENY_BLOCKING).
        !self.srv.in_exec && !self.srv.scripting.running() && !self.srv.aof.replaying
    }

    /// While a blocked command is re-run because one of its keys became
    /// ready, that key: Redis 7.0 serves a client blocked on several keys
    /// from the key that became ready, not from the first of its keys
    /// holding data. None on a first run.
    pub fn ready_key(&self) -> Option<SBytes> {
        if self.c.blocked.is_some() {
            self.srv.blocking.serving.clone()
        } else {
            None
        }
    }

    /// Parks the client on `keys` of the selected db until one of them
    /// holds a `wants` value, or `deadline`. The handler returns without a
    /// reply. Called again while the command is being re-run for a ready
    /// key, it keeps the client's place in the queues.
    pub fn block_on_keys(&mut self, keys: &[&[u8]], wants: Type, deadline: Option<i64>, on_timeout: TimeoutReply) {
        self.c.block_requested = true;
        if self.c.blocked.is_some() {
            return;
        }
        let db = self.c.db;
        let client = self.c.key;
        let mut owned: Vec<SBytes> = Vec::with_capacity(keys.len());
        for k in keys {
            if owned.iter().any(|o| &o[..] == *k) {
                continue;
            }
            owned.push(SBytes::new(k));
            self.srv
                .blocking
                .queues
                .entry((db, SBytes::new(k)))
                .or_default()
                .push_back(client);
        }
        if let Some(at) = deadline {
            self.srv.blocking.timeouts.insert((at, self.c.id, client));
        }
        self.srv.blocking.count += 1;
        self.c.blocked = Some(Blocked {
            cmd: self.id,
            argv: OwnedArgv::from_argv(&self.argv),
            db,
            keys: owned,
            wants,
            deadline,
            on_timeout,
            gone_error: None,
        });
    }
}

impl Server {
    /// A write touched `key`: if clients are blocked on it, it is ready.
    pub fn signal_key_as_ready(&mut self, db: usize, key: &[u8]) {
        if self.blocking.queues.is_empty() {
            return;
        }
        let k = (db, SBytes::new(key));
        if self.blocking.queues.contains_key(&k) && !self.blocking.ready_set.contains(&k) {
            self.blocking.ready_set.insert(k.clone());
            self.blocking.ready.push(k);
        }
    }

    /// Marks as ready every key of `db` that clients wait on, after SWAPDB
    /// brought in another keyspace or FLUSHDB/FLUSHALL emptied it (Redis's
    /// scanDatabaseForReadyKeys and scanDatabaseForDeletedKeys; clients
    /// stay on their db index). A key that exists serves its clients; a
    /// key that is gone unblocks the clients that fail when their key goes
    /// (XREADGROUP) and leaves the others waiting.
    pub fn scan_db_for_ready_keys(&mut self, db: usize) {
        let waited: Vec<SBytes> = self
            .blocking
            .queues
            .keys()
            .filter(|(d, _)| *d == db)
            .map(|(_, k)| k.clone())
            .collect();
        for k in waited {
            self.signal_key_as_ready(db, &k);
        }
    }

    /// Forgets a client's blocked state (served, timed out, unblocked,
    /// disconnected).
    fn release_blocked(&mut self, client: usize, id: u64, b: &Blocked) {
        for k in &b.keys {
            let qk = (b.db, k.clone());
            if let Some(q) = self.blocking.queues.get_mut(&qk) {
                q.retain(|&c| c != client);
                if q.is_empty() {
                    self.blocking.queues.remove(&qk);
                }
            }
        }
        if let Some(at) = b.deadline {
            self.blocking.timeouts.remove(&(at, id, client));
        }
        self.blocking.count -= 1;
    }

    /// Removes the blocked state of a client being freed.
    pub fn forget_blocked(&mut self, client: usize, st: &mut crate::client::ClientState) {
        if let Some(b) = st.blocked.take() {
            self.release_blocked(client, st.id, &b);
        }
    }

    /// Serves the clients blocked on keys that became ready, until no key
    /// is ready (serving one client may make others' keys ready).
    pub fn handle_clients_blocked_on_keys(&mut self) {
        while !self.blocking.ready.is_empty() {
            let ready = std::mem::take(&mut self.blocking.ready);
            self.blocking.ready_set.clear();
            for (db, key) in ready {
                self.serve_key(db, &key);
            }
        }
    }

    fn serve_key(&mut self, db: usize, key: &SBytes) {
        let Some(waiting) = self.blocking.queues.get(&(db, key.clone())).cloned() else {
            return;
        };
        for client in waiting {
            let kind = self.dbs[db].get(key).map(|o| o.v.type_of());
            let Some(Some(mut c)) = self.clients.get_mut(client).map(Option::take) else {
                continue;
            };
            let wants = c.st.blocked.as_ref().map(|b| b.wants);
            let gone = c.st.blocked.as_ref().and_then(|b| b.gone_error);
            if kind.is_some() && wants == kind {
                self.blocking.serving = Some(key.clone());
                self.rerun_blocked(&mut c);
                self.blocking.serving = None;
            } else if let Some(msg) = gone {
                self.unblock(&mut c, Some(Unblocked::Gone(msg)));
            }
            self.put_back(client, c);
        }
    }

    /// Re-runs a blocked client's command. If the command served the
    /// client (it did not ask to block again), the client is unblocked.
    fn rerun_blocked(&mut self, c: &mut crate::client::Client) {
        let Some(b) = c.st.blocked.take() else { return };
        c.st.blocked = Some(Blocked {
            argv: OwnedArgv::default(),
            keys: b.keys.clone(),
            ..b
        });
        let saved_db = std::mem::replace(&mut c.st.db, b.db);
        c.st.block_requested = false;
        self.reprocessing = true;
        self.call(&mut c.st, b.cmd, b.argv.view());
        self.reprocessing = false;
        c.st.db = saved_db;
        if c.st.block_requested {
            // Still nothing for it: it keeps its place, with its command.
            if let Some(cur) = &mut c.st.blocked {
                cur.argv = b.argv;
            }
        } else {
            self.unblock(c, None);
        }
    }

    /// Unblocks a client, optionally answering for the command first
    /// (timeouts, CLIENT UNBLOCK), and queues its pending input.
    pub fn unblock(&mut self, c: &mut crate::client::Client, reply: Option<Unblocked>) {
        let Some(b) = c.st.blocked.take() else { return };
        self.release_blocked(c.st.key, c.st.id, &b);
        match reply {
            Some(Unblocked::Timeout) => match b.on_timeout {
                TimeoutReply::NullArray => c.st.reply.null_array(),
                TimeoutReply::Acked { offset, .. } => {
                    let n = self.replicas_acked(offset);
                    c.st.reply.int(n);
                }
                TimeoutReply::Shutdown => {}
                TimeoutReply::AofAcked { offset, .. } => {
                    let (local, replicas) = self.aof_acks(offset);
                    c.st.reply.array_len(2);
                    c.st.reply.int(local);
                    c.st.reply.int(replicas);
                }
            },
            Some(Unblocked::ShutdownFailed) => {
                c.st.reply.error_line(b"ERR Errors trying to SHUTDOWN. Check logs.");
                self.stats.record_error(b"ERR");
            }
            Some(Unblocked::Gone(msg)) => {
                c.st.reply.error_line(msg.as_bytes());
                self.stats.record_error(msg.as_bytes());
            }
            Some(Unblocked::Error) => {
                c.st.reply.error_line(b"UNBLOCKED client unblocked via CLIENT UNBLOCK");
                self.stats.record_error(b"UNBLOCKED");
            }
            None => {}
        }
        self.blocking.unblocked.push(c.st.key);
    }

    /// Times out blocked clients whose deadline has passed.
    pub fn handle_blocked_timeouts(&mut self) {
        let now = crate::server::mstime();
        while let Some(&(at, _, client)) = self.blocking.timeouts.first() {
            if at > now {
                break;
            }
            let Some(Some(mut c)) = self.clients.get_mut(client).map(Option::take) else {
                self.blocking.timeouts.pop_first();
                continue;
            };
            self.unblock(&mut c, Some(Unblocked::Timeout));
            self.put_back(client, c);
        }
    }

    /// CLIENT UNBLOCK: true if the client was blocked.
    pub fn client_unblock(&mut self, id: u64, how: Unblocked) -> bool {
        let Some(key) = self
            .clients
            .iter()
            .find(|(_, c)| c.as_ref().is_some_and(|c| c.st.id == id))
            .map(|(k, _)| k)
        else {
            return false;
        };
        let Some(Some(mut c)) = self.clients.get_mut(key).map(Option::take) else {
            return false;
        };
        let was_blocked =
            c.st.blocked
                .as_ref()
                .is_some_and(|b| b.on_timeout != TimeoutReply::Shutdown);
        if was_blocked {
            self.unblock(&mut c, Some(how));
        }
        self.put_back(key, c);
        was_blocked
    }
}

/// Why a client is unblocked without being served.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Unblocked {
    Timeout,
    Error,
    /// The key waited on is gone (see `Blocked::gone_error`).
    Gone(&'static str),
    /// The shutdown a SHUTDOWN waited for was cancelled.
    ShutdownFailed,
}
