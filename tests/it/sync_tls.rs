//! https sources: ken defers loading the CA bundle until an https fetch needs it (start-up
//! cost), so these tests prove certificates are still verified, and that the bundle really is
//! loaded when needed. The server is `openssl s_server` on 127.0.0.1 with a certificate from a
//! CA made here.

use crate::common;

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Ken, free_port, run, wait_until};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A CA (`ca.pem`) and a TLS server for 127.0.0.1 with a certificate it signed.
fn tls_server(dir: &Path) -> Server {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=ken test CA",
            "-days",
            "2",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "srv.pem",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
    );
    for _ in 0..5 {
        let port = free_port();
        let mut child = Command::new("openssl")
            .args([
                "s_server", "-quiet", "-www", "-cert", "srv.pem", "-key", "srv.key",
            ])
            .arg("-accept")
            .arg(format!("127.0.0.1:{port}"))
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server starts");
        let up = wait_until(Duration::from_secs(10), || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
                || matches!(child.try_wait(), Ok(Some(_)))
        });
        if up && matches!(child.try_wait(), Ok(None)) {
            return Server { child, port };
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("openssl s_server did not start");
}

#[test]
fn https_certificates_are_verified_and_the_ca_bundle_is_loaded_when_needed() {
    let tmp = tempfile::tempdir().unwrap();
    let server = tls_server(tmp.path());
    let url = format!("kb=https://127.0.0.1:{}/docs.git", server.port);
    let ken = Ken::new();

    // The system's CAs do not know the test CA: the certificate is refused.
    let mut c = ken.cmd(&["--source", &url, "sync"]);
    c.env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
    let refused = run(c);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.to_lowercase().contains("certificate"),
        "{}",
        refused.stderr
    );

    // With the test CA as the bundle, TLS succeeds; what fails is that the server is a plain
    // web server, not git. So the bundle was loaded for this https fetch.
    let mut c = ken.cmd(&["--source", &url, "sync"]);
    c.env("SSL_CERT_FILE", tmp.path().join("ca.pem"))
        .env("SSL_CERT_DIR", tmp.path());
    let trusted = run(c);
    assert_eq!(trusted.code, 1);
    assert_eq!(trusted.stderr.lines().count(), 1, "{}", trusted.stderr);
    assert!(
        trusted.stderr.starts_with("ken: sync kb: ")
            && !trusted.stderr.to_lowercase().contains("certificate"),
        "{}",
        trusted.stderr
    );
}
