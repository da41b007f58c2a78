//! Pub/sub state and delivery (Redis's pubsub.c), and keyspace
//! notifications (notify.c), which are published through it.
//!
//! Subscribers are recorded by client slab key. A message for the client
//! whose command is running (taken out of its slot while it runs) is
//! buffered and spliced in front of that command's reply, where Redis
//! would have written it.

use crate::config::notify;
use crate::glob::glob_match;
use crate::reply::ReplyBuf;
use crate::server::Server;
use std::collections::{HashMap, HashSet};

/// The three namespaces: channels, patterns, shard channels.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Channel,
    Pattern,
    Shard,
}

impl Kind {
    pub fn subscribe_word(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"subscribe",
            Kind::Pattern => b"psubscribe",
            Kind::Shard => b"ssubscribe",
        }
    }
    pub fn unsubscribe_word(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"unsubscribe",
            Kind::Pattern => b"punsubscribe",
            Kind::Shard => b"sunsubscribe",
        }
    }
}

/// Server-wide subscriptions: name -> subscribed client keys, in
/// subscription order.
#[derive(Default)]
pub struct PubSub {
    channels: HashMap<Vec<u8>, Vec<usize>>,
    patterns: HashMap<Vec<u8>, Vec<usize>>,
    shard: HashMap<Vec<u8>, Vec<usize>>,
}

impl PubSub {
    fn map(&self, k: Kind) -> &HashMap<Vec<u8>, Vec<usize>> {
        match k {
            Kind::Channel => &self.channels,
            Kind::Pattern => &self.patterns,
            Kind::Shard => &self.shard,
        }
    }

    fn map_mut(&mut self, k: Kind) -> &mut HashMap<Vec<u8>, Vec<usize>> {
        match k {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard,
        }
    }

    pub fn add(&mut self, k: Kind, name: &[u8], client: usize) {
        self.map_mut(k).entry(name.to_vec()).or_default().push(client);
    }

    pub fn remove(&mut self, k: Kind, name: &[u8], client: usize) {
        let map = self.map_mut(k);
        if let Some(v) = map.get_mut(name) {
            v.retain(|&c| c != client);
            if v.is_empty() {
                map.remove(name);
            }
        }
    }

    /// Names with at least one subscriber (PUBSUB CHANNELS/SHARDCHANNELS).
    pub fn names(&self, k: Kind) -> impl Iterator<Item = &Vec<u8>> + '_ {
        self.map(k).keys()
    }

    pub fn subscribers(&self, k: Kind, name: &[u8]) -> usize {
        self.map(k).get(name).map_or(0, Vec::len)
    }

    /// PUBSUB NUMPAT: distinct patterns subscribed to.
    pub fn num_patterns(&self) -> usize {
        self.patterns.len()
    }

    pub fn num_channels(&self, k: Kind) -> usize {
        self.map(k).len()
    }
}

/// A client's own subscriptions (for replies' counts and for cleanup).
#[derive(Default)]
pub struct ClientSubs {
    pub channels: HashSet<Vec<u8>>,
    pub patterns: HashSet<Vec<u8>>,
    pub shard: HashSet<Vec<u8>>,
}

impl ClientSubs {
    pub fn set(&self, k: Kind) -> &HashSet<Vec<u8>> {
        match k {
            Kind::Channel => &self.channels,
            Kind::Pattern => &self.patterns,
            Kind::Shard => &self.shard,
        }
    }

    pub fn set_mut(&mut self, k: Kind) -> &mut HashSet<Vec<u8>> {
        match k {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard,
        }
    }

    /// The count replies report: channels plus patterns, or shard channels.
    pub fn count(&self, k: Kind) -> usize {
        match k {
            Kind::Shard => self.shard.len(),
            _ => self.channels.len() + self.patterns.len(),
        }
    }

    /// True while the client is in the subscribed state (RESP2 restrictions).
    pub fn active(&self) -> bool {
        !(self.channels.is_empty() && self.patterns.is_empty() && self.shard.is_empty())
    }
}

/// Writes a published message in the client's protocol.
fn write_message(r: &mut ReplyBuf, kind: Kind, pattern: Option<&[u8]>, channel: &[u8], msg: &[u8]) {
    match pattern {
        Some(p) => {
            r.push_len(4);
            r.bulk(b"pmessage");
            r.bulk(p);
        }
        None => {
            r.push_len(3);
            r.bulk(if kind == Kind::Shard { b"smessage" } else { b"message" });
        }
    }
    r.bulk(channel);
    r.bulk(msg);
}

impl Server {
    /// Appends to the output of client `key`, wherever it is: into the
    /// buffer spliced before the running command's reply for the running
    /// client, else into its own output, queued for writing.
    pub fn write_to_client(&mut self, key: usize, f: impl FnOnce(&mut ReplyBuf)) {
        if self.running_client == Some(key) {
            let mut r = ReplyBuf {
                buf: std::mem::take(&mut self.running_client_out),
                resp: self.running_client_resp,
            };
            f(&mut r);
            self.running_client_out = r.buf;
            return;
        }
        let now = self.now_ms;
        let limits = self.cfg.client_output_buffer_limit;
        if let Some(Some(c)) = self.clients.get_mut(key) {
            if c.st.close_asap {
                return; // its output is being dropped with it
            }
            f(&mut c.st.reply);
            c.queue_write(&mut self.pending_writes);
            if c.output_limit_reached(&limits, now) {
                self.close_for_output_limit(key);
            }
        }
    }

    /// PUBLISH / SPUBLISH: delivers to channel subscribers (and pattern
    /// subscribers, for channels); returns how many clients received it.
    pub fn publish(&mut self, kind: Kind, channel: &[u8], msg: &[u8]) -> usize {
        let mut receivers = 0;
        let direct: Vec<usize> = self.pubsub.map(kind).get(channel).cloned().unwrap_or_default();
        for key in direct {
            self.write_to_client(key, |r| write_message(r, kind, None, channel, msg));
            receivers += 1;
        }
        if kind == Kind::Channel && !self.pubsub.patterns.is_empty() {
            let matching: Vec<(Vec<u8>, Vec<usize>)> = self
                .pubsub
                .patterns
                .iter()
                .filter(|(p, _)| glob_match(p, channel, false))
                .map(|(p, c)| (p.clone(), c.clone()))
                .collect();
            for (pattern, keys) in matching {
                for key in keys {
                    self.write_to_client(key, |r| write_message(r, kind, Some(&pattern), channel, msg));
                    receivers += 1;
                }
            }
        }
        receivers
    }

    /// Redis's notifyKeyspaceEvent: publishes `event` on
    /// `__keyspace@<db>__:<key>` and `key` on `__keyevent@<db>__:<event>`,
    /// as the `notify-keyspace-events` flags select.
    pub fn notify_keyspace_event(&mut self, class: u32, event: &str, key: &[u8], db: usize) {
        let flags = self.cfg.notify_keyspace_events;
        if flags & class == 0 {
            return;
        }
        if flags & notify::KEYSPACE != 0 {
            let mut chan = format!("__keyspace@{db}__:").into_bytes();
            chan.extend_from_slice(key);
            self.publish(Kind::Channel, &chan, event.as_bytes());
        }
        if flags & notify::KEYEVENT != 0 {
            let chan = format!("__keyevent@{db}__:{event}").into_bytes();
            self.publish(Kind::Channel, &chan, key);
        }
    }

    /// Drops every subscription of a client that is going away.
    pub fn pubsub_forget_client(&mut self, key: usize, subs: &ClientSubs) {
        for kind in [Kind::Channel, Kind::Pattern, Kind::Shard] {
            for name in subs.set(kind) {
                self.pubsub.remove(kind, name, key);
            }
        }
    }
}
