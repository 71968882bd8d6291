//! `ken check --online` against a small HTTP server on 127.0.0.1 made here (never a public
//! host): a 404 is an error, a timeout and a refused connection are warnings naming the
//! cause, a server that refuses `HEAD` is asked with `GET`, one URL is asked once however
//! often it is linked, good answers are cached (broken ones are asked again), and without
//! `--online`, or with both rules turned off, nothing is asked at all.

use crate::common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use common::{Ken, run};
use serde_json::Value;

/// Requests seen, as `METHOD /path`, with how many times.
type Seen = Arc<Mutex<BTreeMap<String, usize>>>;

/// Serves `/ok` (200), `/gone` and `/missing.png` (404), `/get-only` (405 to HEAD, 200 to
/// GET) and `/slow` (never answers), each connection on its own thread.
fn serve() -> (u16, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || answer(stream, &log));
        }
    });
    (port, seen)
}

fn answer(stream: TcpStream, seen: &Seen) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut request = String::new();
        if reader.read_line(&mut request).unwrap_or(0) == 0 {
            return;
        }
        // The rest of the head.
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
        }
        let mut parts = request.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        *seen
            .lock()
            .unwrap()
            .entry(format!("{method} {path}"))
            .or_default() += 1;
        let status = match (method, path) {
            (_, "/slow") => {
                // Never answer: read until the client gives up and closes.
                let mut rest = Vec::new();
                let _ = reader.read_to_end(&mut rest);
                return;
            }
            (_, "/ok") | ("GET", "/get-only") => "200 OK",
            ("HEAD", "/get-only") => "405 Method Not Allowed",
            _ => "404 Not Found",
        };
        let body = if method == "HEAD" { "" } else { "page" };
        let reply = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n\r\n{body}",
            body.len()
        );
        if reader.get_mut().write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn findings(out: &str) -> Vec<(String, String, u64, String)> {
    let v: Value = serde_json::from_str(out).expect("JSON");
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn external_links_are_asked_once_each_with_timeouts_and_a_cache() {
    let (port, seen) = serve();
    let closed = closed_port();
    let base = format!("http://127.0.0.1:{port}");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("page.md"),
        format!(
            "# Page\n\n[ok]({base}/ok#part) and [ok again]({base}/ok)\n[gone]({base}/gone)\n\
             [head refused]({base}/get-only)\n[slow]({base}/slow)\n\
             [closed](http://127.0.0.1:{closed}/x)\n![picture]({base}/missing.png)\n\
             \n```\n[in code]({base}/gone-in-code)\n```\n"
        ),
    )
    .unwrap();
    let ken = Ken::new();
    let src = tmp.path().display().to_string();
    let check = |extra: &[&str]| {
        let mut args = vec!["--source", src.as_str(), "check", "--format", "json"];
        args.extend_from_slice(extra);
        run(ken.cmd(&args))
    };

    // `--offline` forbids what `--online` asks: a usage error, and nothing is asked.
    let r = check(&["--online", "--offline"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--offline"), "{}", r.stderr);
    // Without --online, nothing is asked and nothing is found.
    let r = check(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(findings(&r.stdout), []);
    assert!(seen.lock().unwrap().is_empty());

    let online = ["--online", "--timeout", "700ms", "--concurrency", "3"];
    let r = check(&online);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let got = findings(&r.stdout);
    let summary: Vec<(&str, &str, u64)> = got
        .iter()
        .map(|(r, s, l, _)| (r.as_str(), s.as_str(), *l))
        .collect();
    assert_eq!(
        summary,
        [
            ("link/external-status", "error", 4),
            ("link/external-unreachable", "warning", 6),
            ("link/external-unreachable", "warning", 7),
            ("link/external-status", "error", 8),
        ]
    );
    assert!(got[0].3.contains("HTTP 404 (not found)"), "{}", got[0].3);
    assert!(got[1].3.contains("timed out"), "{}", got[1].3);
    assert!(
        got[2].3.to_ascii_lowercase().contains("refused"),
        "{}",
        got[2].3
    );
    let first: BTreeMap<String, usize> = seen.lock().unwrap().clone();
    let want: BTreeMap<String, usize> = [
        ("HEAD /ok", 1),
        ("HEAD /gone", 1),
        ("GET /gone", 1),
        ("HEAD /get-only", 1),
        ("GET /get-only", 1),
        ("HEAD /slow", 1),
        ("HEAD /missing.png", 1),
        ("GET /missing.png", 1),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), *v))
    .collect();
    assert_eq!(first, want);

    // Again: the good answers come from the cache, the broken links are asked again.
    let r = check(&online);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(findings(&r.stdout).len(), 4);
    let second = seen.lock().unwrap().clone();
    assert_eq!(second["HEAD /ok"], 1, "{second:?}");
    assert_eq!(second["GET /get-only"], 1, "{second:?}");
    assert_eq!(second["HEAD /gone"], 2, "{second:?}");
    assert!(
        ken.data_dir()
            .join(ken::check::online::CACHE_FILE)
            .is_file()
    );

    // With both external rules turned off, nothing is asked.
    ken.config(
        "[check.rules]\n\"link/external-status\" = \"off\"\n\"link/external-unreachable\" = \"off\"\n",
    );
    let r = check(&online);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(seen.lock().unwrap().clone(), second);
}
