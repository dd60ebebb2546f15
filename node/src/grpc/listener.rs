//! The gRPC accept loop: a cap on open connections, a deadline for the HTTP/2 preface and an
//! idle timeout, so that idle or slow-loris TCP clients cannot use up the process's file
//! descriptors and lock honest clients out.
//!
//! tonic's own `serve` accepts every connection and never closes one that does not speak.
//! Here each accepted socket first has [`ConnLimits::handshake_timeout`] to send the 24-byte
//! HTTP/2 preface; at most [`ConnLimits::max_handshakes`] wait at once, and a new one evicts
//! the oldest (an honest client sends its preface within milliseconds, so only stalled ones
//! are ever evicted). A connection that sent its preface takes one of
//! [`ConnLimits::max_connections`] slots, or is closed when none is free; it is closed when
//! it sends nothing for [`ConnLimits::idle_timeout`] (the server's HTTP/2 keepalive pings
//! make every live client answer well within it).

use std::collections::VecDeque;
use std::future::Future as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::time::Sleep;
use tonic::transport::server::{Connected, TcpConnectInfo};

/// The client connection preface every HTTP/2 (so every gRPC) connection starts with.
const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Connection limits of the gRPC listener.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    /// Connections past the preface at once; more are closed after their preface.
    pub max_connections: usize,
    /// Connections waiting for their preface at once; a new one evicts the oldest.
    pub max_handshakes: usize,
    /// Time a new connection has to send the whole HTTP/2 preface.
    pub handshake_timeout: Duration,
    /// A connection that sends no byte for this long is closed.
    pub idle_timeout: Duration,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            max_connections: 256,
            max_handshakes: 64,
            handshake_timeout: Duration::from_secs(3),
            idle_timeout: Duration::from_secs(120),
        }
    }
}

/// Accepts on `listener` under `limits`; the returned channel yields connections that sent
/// their preface. The accept task ends when the receiver is dropped (server shutdown).
pub(crate) fn incoming(
    listener: TcpListener,
    limits: ConnLimits,
) -> mpsc::Receiver<Result<Conn, std::io::Error>> {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(accept_loop(listener, limits, tx));
    rx
}

async fn accept_loop(
    listener: TcpListener,
    limits: ConnLimits,
    tx: mpsc::Sender<Result<Conn, std::io::Error>>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let max_handshakes = limits.max_handshakes.max(1);
    let mut waiting: VecDeque<tokio::task::AbortHandle> = VecDeque::new();
    loop {
        let accepted = tokio::select! {
            () = tx.closed() => return,
            a = listener.accept() => a,
        };
        let tcp = match accepted {
            Ok((tcp, _)) => tcp,
            Err(e) => {
                // EMFILE and the like: back off instead of spinning; the idle and handshake
                // timeouts free descriptors.
                tracing::warn!(error = %e, "gRPC accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // What the client already sent. Under a flood the accept queue is long, so an
        // honest client's preface has usually arrived before its socket is accepted: such
        // a connection never waits and cannot be evicted by the stalled ones behind it
        // (otherwise 64 accepts can overtake its handshake task on a loaded machine).
        let mut preface = [0u8; 24];
        let Some(early) = read_ready(&tcp, &mut preface) else {
            continue;
        };
        if preface[..early] != PREFACE[..early] {
            crate::metrics::grpc_conn_refused("bad_preface");
            continue;
        }
        let task = tokio::spawn(handshake(
            tcp,
            preface,
            early,
            limits,
            slots.clone(),
            tx.clone(),
        ));
        if early == PREFACE.len() {
            continue;
        }
        waiting.retain(|h| !h.is_finished());
        while waiting.len() >= max_handshakes {
            if let Some(oldest) = waiting.pop_front() {
                oldest.abort();
                crate::metrics::grpc_conn_refused("handshake_evicted");
            }
        }
        waiting.push_back(task.abort_handle());
    }
}

/// Reads, without waiting, what the socket already holds of the preface into `buf`: the
/// byte count, or `None` when the peer has closed or the socket failed (drop it).
fn read_ready(tcp: &TcpStream, buf: &mut [u8; 24]) -> Option<usize> {
    use std::io::Read as _;
    // tokio's sockets are non-blocking, so this read returns at once; `read_exact` in the
    // handshake takes the rest through the reactor.
    let sock = socket2::SockRef::from(tcp);
    match (&*sock).read(buf) {
        Ok(0) => None,
        Ok(n) => Some(n),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Some(0),
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Some(0),
        Err(_) => None,
    }
}

/// Reads the rest of the preface (`have` bytes of it are in `preface`) within the deadline,
/// takes a slot and hands the connection to tonic; any failure drops (closes) the socket.
async fn handshake(
    mut tcp: TcpStream,
    mut preface: [u8; 24],
    have: usize,
    limits: ConnLimits,
    slots: Arc<Semaphore>,
    tx: mpsc::Sender<Result<Conn, std::io::Error>>,
) {
    let rest = preface.get_mut(have..).unwrap_or_default();
    match tokio::time::timeout(limits.handshake_timeout, tcp.read_exact(rest)).await {
        Ok(Ok(_)) if &preface == PREFACE => {}
        Ok(_) => return crate::metrics::grpc_conn_refused("bad_preface"),
        Err(_) => return crate::metrics::grpc_conn_refused("handshake_timeout"),
    }
    let Ok(permit) = slots.try_acquire_owned() else {
        return crate::metrics::grpc_conn_refused("max_connections");
    };
    let _ = tcp.set_nodelay(true);
    let conn = Conn {
        info: TcpConnectInfo {
            local_addr: tcp.local_addr().ok(),
            remote_addr: tcp.peer_addr().ok(),
        },
        tcp,
        replay: 0,
        idle: Box::pin(tokio::time::sleep_until(after(limits.idle_timeout))),
        idle_timeout: limits.idle_timeout,
        _slot: permit,
    };
    let _ = tx.send(Ok(conn)).await;
}

/// `d` from now, or a year from now if that overflows (`d` comes from the config).
pub(crate) fn after(d: Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(d)
        .unwrap_or_else(|| now + Duration::from_secs(365 * 86_400))
}

/// An accepted connection: replays the preface already read, closes itself when idle, and
/// frees its slot when dropped.
pub(crate) struct Conn {
    tcp: TcpStream,
    info: TcpConnectInfo,
    /// Bytes of [`PREFACE`] already replayed to hyper.
    replay: usize,
    idle: Pin<Box<Sleep>>,
    idle_timeout: Duration,
    _slot: OwnedSemaphorePermit,
}

impl Connected for Conn {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> TcpConnectInfo {
        self.info.clone()
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        if let Some(rest) = PREFACE.get(this.replay..).filter(|r| !r.is_empty()) {
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.replay += n;
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.tcp).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    this.idle.as_mut().reset(after(this.idle_timeout));
                }
                Poll::Ready(r)
            }
            Poll::Pending => match this.idle.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    crate::metrics::grpc_conn_refused("idle_timeout");
                    Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "gRPC connection idle",
                    )))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn listen(
        limits: ConnLimits,
    ) -> (
        std::net::SocketAddr,
        mpsc::Receiver<Result<Conn, std::io::Error>>,
    ) {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        (addr, incoming(l, limits))
    }

    /// Reads until EOF or error; true when the server closed the socket within `within`.
    async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
        let mut b = [0u8; 64];
        matches!(
            tokio::time::timeout(within, async {
                loop {
                    match s.read(&mut b).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                }
            })
            .await,
            Ok(())
        )
    }

    #[tokio::test]
    async fn a_connection_without_preface_is_closed_after_the_handshake_timeout() {
        let limits = ConnLimits {
            handshake_timeout: Duration::from_millis(300),
            ..ConnLimits::default()
        };
        let (addr, _rx) = listen(limits).await;
        let mut s = TcpStream::connect(addr).await.unwrap();
        // Slow loris: half the preface, then nothing.
        tokio::io::AsyncWriteExt::write_all(&mut s, &PREFACE[..10])
            .await
            .unwrap();
        assert!(closed_within(&mut s, Duration::from_secs(3)).await);
    }

    #[tokio::test]
    async fn stalled_handshakes_are_evicted_oldest_first_and_a_client_still_gets_in() {
        let limits = ConnLimits {
            max_handshakes: 4,
            handshake_timeout: Duration::from_secs(30),
            ..ConnLimits::default()
        };
        let (addr, mut rx) = listen(limits).await;
        let mut idle = Vec::new();
        for _ in 0..10 {
            idle.push(TcpStream::connect(addr).await.unwrap());
        }
        // The first six were evicted by the later ones.
        assert!(closed_within(&mut idle[0], Duration::from_secs(3)).await);
        let mut honest = TcpStream::connect(addr).await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut honest, PREFACE)
            .await
            .unwrap();
        let conn = tokio::time::timeout(Duration::from_secs(3), rx.recv())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let mut conn = conn;
        let mut replayed = [0u8; 24];
        conn.read_exact(&mut replayed).await.unwrap();
        assert_eq!(&replayed, PREFACE);
    }

    /// Under a flood the accept loop takes many queued sockets in a row; an honest client
    /// whose preface is already queued must get in even when every later socket stalls and
    /// the waiting set holds only two.
    #[tokio::test]
    async fn a_queued_preface_is_not_evicted_by_the_stalled_sockets_behind_it() {
        let limits = ConnLimits {
            max_handshakes: 2,
            handshake_timeout: Duration::from_secs(30),
            ..ConnLimits::default()
        };
        // Every client connects (into the kernel's accept queue) before the loop starts.
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let mut socks = Vec::new();
        for _ in 0..5 {
            socks.push(TcpStream::connect(addr).await.unwrap());
        }
        let mut honest = TcpStream::connect(addr).await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut honest, PREFACE)
            .await
            .unwrap();
        for _ in 0..20 {
            socks.push(TcpStream::connect(addr).await.unwrap());
        }
        let mut rx = incoming(l, limits);
        let mut conn = tokio::time::timeout(Duration::from_secs(3), rx.recv())
            .await
            .expect("the honest client got in")
            .unwrap()
            .unwrap();
        let mut replayed = [0u8; 24];
        conn.read_exact(&mut replayed).await.unwrap();
        assert_eq!(&replayed, PREFACE);
        // Garbage is refused at once (from the first bytes, or the first 24), not after
        // the handshake timeout.
        let mut bad = TcpStream::connect(addr).await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut bad, b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
            .await
            .unwrap();
        assert!(closed_within(&mut bad, Duration::from_secs(3)).await);
    }

    #[tokio::test]
    async fn connections_past_the_limit_are_closed_and_idle_ones_time_out() {
        let limits = ConnLimits {
            max_connections: 2,
            idle_timeout: Duration::from_millis(400),
            ..ConnLimits::default()
        };
        let (addr, mut rx) = listen(limits).await;
        let mut clients = Vec::new();
        let mut conns = Vec::new();
        for _ in 0..2 {
            let mut s = TcpStream::connect(addr).await.unwrap();
            tokio::io::AsyncWriteExt::write_all(&mut s, PREFACE)
                .await
                .unwrap();
            conns.push(rx.recv().await.unwrap().unwrap());
            clients.push(s);
        }
        let mut third = TcpStream::connect(addr).await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut third, PREFACE)
            .await
            .unwrap();
        assert!(closed_within(&mut third, Duration::from_secs(3)).await);
        // An idle connection's read fails after the idle timeout.
        let mut c = conns.pop().unwrap();
        let mut b = [0u8; 24];
        c.read_exact(&mut b).await.unwrap();
        let started = tokio::time::Instant::now();
        let r = c.read(&mut b).await;
        assert_eq!(r.unwrap_err().kind(), std::io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(300));
        drop(c);
        // Its slot is free again.
        let mut fourth = TcpStream::connect(addr).await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut fourth, PREFACE)
            .await
            .unwrap();
        assert!(tokio::time::timeout(Duration::from_secs(3), rx.recv())
            .await
            .unwrap()
            .is_some());
    }
}
