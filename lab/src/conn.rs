//! Connections: how many, how long, and long page URLs.
//!
//! - At most `max_connections` at once over all listeners; one more is
//!   answered `503` (plain HTTP) or closed (HTTPS) at once and never served.
//! - A request head (request line and headers) must arrive within
//!   `header_read_timeout` of its first byte (of the connection's start for
//!   the first request): a trickling client is cut off then, however slowly
//!   it keeps sending.
//! - Between requests, a keep-alive connection may stay silent for
//!   `idle_timeout`; then it is closed.
//! - The `http` crate refuses request targets of 64 KiB or more, but a
//!   permalink's query can be longer. A GET or HEAD whose target is longer
//!   than [`LONG_TARGET_BYTES`] reaches the router with its query replaced by
//!   `?`[`LONG_URI_PARAM`]`=<bytes dropped>`: the page reads its query itself,
//!   the lab serves only the file. The query is never buffered beyond
//!   [`LONG_TARGET_BYTES`]; header limits are unchanged.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;
use tokio_rustls::rustls;

/// A GET/HEAD target longer than this has its query replaced (see the module docs).
pub const LONG_TARGET_BYTES: usize = 48 * 1024;
/// Query parameter that carries the length of a dropped long query.
pub const LONG_URI_PARAM: &str = "__lab_long_uri";

/// Connection rules shared by every listener of one lab.
pub(crate) struct ConnRules {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub slots: Arc<Semaphore>,
}

/// Where a connection is between requests, for the timeouts.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// Waiting for (the rest of) a request head, since the given instant.
    Head(Instant),
    /// A request is being answered: no timeout here (bodies have their own).
    Busy,
    /// Answered; silent since the given instant (reads and writes move it).
    Idle(Instant),
}

struct Activity {
    phase: Mutex<(Phase, bool)>,
    changed: Notify,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            // The bool: the next bytes read start a request line.
            phase: Mutex::new((Phase::Head(Instant::now()), true)),
            changed: Notify::new(),
        }
    }

    fn on_read(&self) {
        let mut p = self.phase.lock().unwrap();
        if let Phase::Idle(_) = p.0 {
            p.0 = Phase::Head(Instant::now());
            drop(p);
            self.changed.notify_one();
        }
    }

    fn on_write(&self) {
        let mut p = self.phase.lock().unwrap();
        if let Phase::Idle(_) = p.0 {
            p.0 = Phase::Idle(Instant::now());
        }
    }

    fn begin(self: &Arc<Self>) -> BusyGuard {
        self.phase.lock().unwrap().0 = Phase::Busy;
        self.changed.notify_one();
        BusyGuard(self.clone())
    }

    /// True once: the next bytes read start a new request line.
    fn take_line_start(&self) -> bool {
        std::mem::take(&mut self.phase.lock().unwrap().1)
    }

    /// When the connection expires if nothing changes; `None` while busy.
    fn deadline(&self, rules: &ConnRules) -> Option<Instant> {
        match self.phase.lock().unwrap().0 {
            Phase::Head(since) => Some(since + rules.header_read_timeout),
            Phase::Idle(since) => Some(since + rules.idle_timeout),
            Phase::Busy => None,
        }
    }
}

struct BusyGuard(Arc<Activity>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        *self.0.phase.lock().unwrap() = (Phase::Idle(Instant::now()), true);
        self.0.changed.notify_one();
    }
}

/// The router as a hyper service that marks the connection busy while it answers.
#[derive(Clone)]
struct Tracked {
    inner: TowerToHyperService<Router>,
    activity: Arc<Activity>,
}

impl hyper::service::Service<Request<Incoming>> for Tracked {
    type Response = Response<Body>;
    type Error = std::convert::Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Self::Error>> + Send>>;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        let guard = self.activity.begin();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let resp = fut.await;
            drop(guard);
            resp
        })
    }
}

/// Reading a request line, to cut a long query (see the module docs).
#[derive(Debug, PartialEq)]
enum Line {
    /// The method so far (only GET and HEAD are looked at further).
    Method(Vec<u8>),
    Path {
        len: usize,
    },
    /// The query so far, `?` included, held back until the target ends.
    Query {
        len: usize,
        held: Vec<u8>,
    },
    /// The query is being dropped; `dropped` bytes so far.
    LongQuery {
        dropped: usize,
    },
    /// Everything else: bytes pass untouched.
    Pass,
}

fn is_target_end(b: u8) -> bool {
    matches!(b, b' ' | b'\r' | b'\n')
}

impl Line {
    fn start() -> Line {
        Line::Method(Vec::new())
    }

    /// Moves `input` through the filter, appending what hyper may read to `out`.
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let mut i = 0;
        while i < input.len() {
            match self {
                Line::Pass => {
                    out.extend_from_slice(&input[i..]);
                    return;
                }
                Line::Method(m) => {
                    let b = input[i];
                    out.push(b);
                    i += 1;
                    m.push(b);
                    if m == b"GET " || m == b"HEAD " {
                        *self = Line::Path { len: 0 };
                    } else if !(b"GET ".starts_with(m) || b"HEAD ".starts_with(m)) {
                        *self = Line::Pass;
                    }
                }
                Line::Path { len } => {
                    let b = input[i];
                    if b == b'?' {
                        *self = Line::Query {
                            len: *len,
                            held: vec![b'?'],
                        };
                    } else {
                        out.push(b);
                        *len += 1;
                        if is_target_end(b) {
                            *self = Line::Pass;
                        }
                    }
                    i += 1;
                }
                Line::Query { len, held } => {
                    let rest = &input[i..];
                    let end = rest.iter().position(|&b| is_target_end(b));
                    let take = end.unwrap_or(rest.len());
                    if *len + held.len() + take > LONG_TARGET_BYTES {
                        *self = Line::LongQuery {
                            dropped: held.len() - 1,
                        };
                        continue;
                    }
                    held.extend_from_slice(&rest[..take]);
                    i += take;
                    if end.is_some() {
                        out.extend_from_slice(held);
                        *self = Line::Pass;
                    }
                }
                Line::LongQuery { dropped } => {
                    let rest = &input[i..];
                    match rest.iter().position(|&b| is_target_end(b)) {
                        Some(end) => {
                            *dropped += end;
                            out.extend_from_slice(
                                format!("?{LONG_URI_PARAM}={dropped}").as_bytes(),
                            );
                            i += end;
                            *self = Line::Pass;
                        }
                        None => {
                            *dropped += rest.len();
                            return;
                        }
                    }
                }
            }
        }
    }

    /// The peer closed: release what is held back (the request is incomplete anyway).
    fn flush(&mut self, out: &mut Vec<u8>) {
        if let Line::Query { held, .. } = self {
            out.append(held);
        }
        *self = Line::Pass;
    }
}

/// The connection's byte stream, watched for the timeouts and filtered for long targets.
struct Watched<S> {
    inner: S,
    activity: Arc<Activity>,
    line: Line,
    /// Filtered bytes not yet handed to hyper.
    ready: Vec<u8>,
    ready_at: usize,
}

impl<S> Watched<S> {
    fn new(inner: S, activity: Arc<Activity>) -> Watched<S> {
        Watched {
            inner,
            activity,
            line: Line::Pass,
            ready: Vec::new(),
            ready_at: 0,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.ready_at < this.ready.len() {
                let n = buf.remaining().min(this.ready.len() - this.ready_at);
                buf.put_slice(&this.ready[this.ready_at..this.ready_at + n]);
                this.ready_at += n;
                if this.ready_at == this.ready.len() {
                    this.ready.clear();
                    this.ready_at = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.line == Line::Pass && this.activity.take_line_start() {
                this.line = Line::start();
            }
            if this.line == Line::Pass {
                let before = buf.filled().len();
                let r = Pin::new(&mut this.inner).poll_read(cx, buf);
                if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
                    this.activity.on_read();
                }
                return r;
            }
            let mut chunk = [0u8; 16 * 1024];
            let mut tmp = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut tmp) {
                Poll::Ready(Ok(())) if tmp.filled().is_empty() => {
                    this.line.flush(&mut this.ready);
                    if this.ready.is_empty() {
                        return Poll::Ready(Ok(()));
                    }
                }
                Poll::Ready(Ok(())) => {
                    this.activity.on_read();
                    this.line.feed(tmp.filled(), &mut this.ready);
                }
                other => return other,
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.on_write();
        }
        r
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Answers one connection until it ends or a timeout closes it.
async fn serve_connection<S>(io: S, router: Router, rules: &ConnRules)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity::new());
    let service = Tracked {
        inner: TowerToHyperService::new(router),
        activity: activity.clone(),
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The timeouts are this module's (hyper's header timer would also end idle keep-alives).
    builder.header_read_timeout(None);
    let conn = builder.serve_connection(TokioIo::new(Watched::new(io, activity.clone())), service);
    tokio::pin!(conn);
    loop {
        let deadline = activity.deadline(rules);
        let expired = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = activity.changed.notified() => {}
            _ = expired => {
                if activity.deadline(rules).is_some_and(|at| at <= Instant::now()) {
                    // Dropping the connection closes the socket.
                    return;
                }
            }
        }
    }
}

/// Over the limit: say so (plain HTTP) and close at once.
fn refuse(stream: TcpStream, https: bool, limit: usize) {
    if !https {
        let body = format!(
            "the lab already has {limit} connections open (its limit); this one was closed \
             unserved. Close tabs that use the lab, or wait for idle connections to time out.\n"
        );
        let head = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n\
             connection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.try_write(head.as_bytes());
    }
}

/// Accepts and answers connections on one listener, forever.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    rules: Arc<ConnRules>,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors, most likely: let connections end.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let Ok(permit) = rules.slots.clone().try_acquire_owned() else {
            refuse(stream, acceptor.is_some(), rules.max_connections);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let acceptor = acceptor.clone();
        let rules = rules.clone();
        tokio::spawn(async move {
            let _permit = permit;
            match acceptor {
                Some(acceptor) => {
                    let handshake = acceptor.accept(stream);
                    if let Ok(Ok(tls)) =
                        tokio::time::timeout(rules.header_read_timeout, handshake).await
                    {
                        serve_connection(tls, router, &rules).await;
                    }
                }
                None => serve_connection(stream, router, &rules).await,
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: &[&[u8]]) -> (Vec<u8>, Line) {
        let mut line = Line::start();
        let mut out = Vec::new();
        for c in chunks {
            line.feed(c, &mut out);
        }
        (out, line)
    }

    #[test]
    fn short_targets_pass_untouched() {
        for req in [
            &b"GET /?a=1&b=2 HTTP/1.1\r\nHost: x\r\n\r\n"[..],
            b"POST /x?y HTTP/1.1\r\n\r\nbody",
            b"HEAD / HTTP/1.1\r\n\r\n",
            b"OPTIONS * HTTP/1.1\r\n\r\n",
        ] {
            let (out, line) = run(&[req]);
            assert_eq!(out, req);
            assert_eq!(line, Line::Pass);
            // Byte by byte, the same.
            let bytes: Vec<&[u8]> = req.chunks(1).collect();
            assert_eq!(run(&bytes).0, req);
        }
    }

    #[test]
    fn a_long_query_is_replaced_by_its_length() {
        let q = "a".repeat(1024 * 1024);
        let req = format!("GET /index.html?s={q} HTTP/1.1\r\nHost: x\r\n\r\n");
        let want = format!(
            "GET /index.html?{LONG_URI_PARAM}={} HTTP/1.1\r\nHost: x\r\n\r\n",
            q.len() + 2
        );
        let (out, _) = run(&[req.as_bytes()]);
        assert_eq!(String::from_utf8(out).unwrap(), want);
        let chunks: Vec<&[u8]> = req.as_bytes().chunks(1000).collect();
        let (out, _) = run(&chunks);
        assert_eq!(String::from_utf8(out).unwrap(), want);
        // A POST is never rewritten (the lab refuses it whole, as before).
        let post = format!("POST /?s={q} HTTP/1.1\r\n\r\n");
        assert_eq!(run(&[post.as_bytes()]).0, post.as_bytes());
    }

    #[test]
    fn nothing_is_held_back_but_a_query() {
        let mut line = Line::start();
        let mut out = Vec::new();
        line.feed(b"GET /pa", &mut out);
        assert_eq!(out, b"GET /pa");
        line.feed(b"th?x=", &mut out);
        assert_eq!(out, b"GET /path");
        line.flush(&mut out);
        assert_eq!(out, b"GET /path?x=");
    }
}
