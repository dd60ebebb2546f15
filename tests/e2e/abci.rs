//! The ABCI socket server under bad input: an empty request, undecodable bytes and an
//! oversized frame get an exception or a closed connection — never a dead server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use prost::Message as _;
use tendermint_proto::v0_38::abci::{
    request, response, Request, RequestEcho, RequestInfo, Response,
};

use crate::support::{cli_ok, free_port, BIN};

fn send(s: &mut TcpStream, frame: &[u8]) {
    s.write_all(frame).unwrap();
}

fn frame(req: &Request) -> Vec<u8> {
    req.encode_length_delimited_to_vec()
}

fn flush() -> Vec<u8> {
    frame(&Request {
        value: Some(request::Value::Flush(Default::default())),
    })
}

fn read_response(s: &mut TcpStream) -> Response {
    // Varint length, then the message.
    let mut len = 0u64;
    for i in 0..10 {
        let mut b = [0u8; 1];
        s.read_exact(&mut b).unwrap();
        len |= u64::from(b[0] & 0x7f) << (7 * i);
        if b[0] & 0x80 == 0 {
            break;
        }
    }
    let mut buf = vec![0u8; len as usize];
    s.read_exact(&mut buf).unwrap();
    Response::decode(buf.as_slice()).unwrap()
}

fn connect(port: u16) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(s) = TcpStream::connect(("127.0.0.1", port)) {
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            return s;
        }
        assert!(Instant::now() < deadline, "ABCI server did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn abci_server_survives_malformed_requests() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    cli_ok(&["init", "--home", home.to_str().unwrap()]);
    let port = free_port();
    let mut child = Command::new(BIN)
        .args(["start", "--home", home.to_str().unwrap()])
        .args(["--abci", &format!("tcp://127.0.0.1:{port}")])
        .args(["--grpc", &format!("127.0.0.1:{}", free_port())])
        .args(["--metrics", ""])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut guard = Kill(std::mem::replace(
        &mut child,
        Command::new("true").spawn().unwrap(),
    ));

    let mut s = connect(port);
    // An empty request (no value): an Exception, and the connection keeps working.
    send(&mut s, &frame(&Request { value: None }));
    send(&mut s, &flush());
    let r = read_response(&mut s);
    assert!(
        matches!(r.value, Some(response::Value::Exception(_))),
        "{r:?}"
    );
    assert!(matches!(
        read_response(&mut s).value,
        Some(response::Value::Flush(_))
    ));
    // Undecodable bytes in a well-formed frame: an Exception too.
    send(&mut s, &[3, 0xff, 0xff, 0xff]);
    let r = read_response(&mut s);
    assert!(
        matches!(r.value, Some(response::Value::Exception(_))),
        "{r:?}"
    );
    let echo = Request {
        value: Some(request::Value::Echo(RequestEcho {
            message: "hi".into(),
        })),
    };
    send(&mut s, &frame(&echo));
    send(&mut s, &flush());
    match read_response(&mut s).value {
        Some(response::Value::Echo(e)) => assert_eq!(e.message, "hi"),
        other => panic!("expected echo, got {other:?}"),
    }
    assert!(matches!(
        read_response(&mut s).value,
        Some(response::Value::Flush(_))
    ));
    // A frame claiming 1 GiB is refused without allocating: that connection closes…
    send(&mut s, &[0x80, 0x80, 0x80, 0x80, 0x04]);
    let mut buf = [0u8; 1];
    assert!(matches!(s.read(&mut buf), Ok(0) | Err(_)));
    // …and the server still answers new connections.
    let mut s2 = connect(port);
    let info = Request {
        value: Some(request::Value::Info(RequestInfo::default())),
    };
    send(&mut s2, &frame(&info));
    send(&mut s2, &flush());
    assert!(matches!(
        read_response(&mut s2).value,
        Some(response::Value::Info(_))
    ));
    // A stray Commit from a local process (nothing was finalized): an Exception and a closed
    // connection, not a node that exits and takes CometBFT with it.
    let mut s3 = connect(port);
    let commit = Request {
        value: Some(request::Value::Commit(Default::default())),
    };
    send(&mut s3, &frame(&commit));
    match read_response(&mut s3).value {
        Some(response::Value::Exception(e)) => assert!(e.error.contains("Commit"), "{e:?}"),
        other => panic!("expected an exception, got {other:?}"),
    }
    assert!(matches!(s3.read(&mut buf), Ok(0) | Err(_)));
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        guard.0.try_wait().unwrap().is_none(),
        "the node exited after a stray Commit"
    );
    // (The Flush answer to the first Info is still unread on s2.)
    assert!(matches!(
        read_response(&mut s2).value,
        Some(response::Value::Flush(_))
    ));
    send(&mut s2, &frame(&info));
    send(&mut s2, &flush());
    assert!(matches!(
        read_response(&mut s2).value,
        Some(response::Value::Info(_))
    ));
}
