//! The terminal itself: raw mode, alternate screen, mouse and paste on entry; giving it back on
//! every way out (a guard, a panic hook, signals); the input and signal threads that turn
//! what happens to the terminal into [`Msg`]s; suspending on `ctrl-z`; handing the terminal
//! to `$EDITOR` and taking it back; and stderr, which is a pipe into the status bar while
//! the UI owns the screen (anything written there would land in the middle of a frame).

use std::io::{self, BufRead, Write};
use std::os::fd::{AsRawFd, IntoRawFd};
use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::Sender;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;

use super::msg::{JobMsg, Msg};

/// The terminal ken draws on.
pub type Term = ratatui::Terminal<CrosstermBackend<io::Stdout>>;

/// Gives the terminal back: raw mode off, main screen, cursor shown, mouse released, stderr
/// the terminal again. Safe to call more than once and from a panic hook.
pub fn restore() {
    stderr_to(SAVED_STDERR.load(Ordering::SeqCst));
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
}

fn enter(mouse: bool) -> io::Result<()> {
    stderr_to(STDERR_PIPE.load(Ordering::SeqCst));
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    if mouse {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

/// The terminal while ken owns it; dropping it gives the terminal back, however the UI ends.
pub struct Tty {
    pub term: Term,
}

impl Tty {
    /// Installs the panic hook, enters raw mode and the alternate screen.
    pub fn enter() -> io::Result<Tty> {
        install_panic_hook();
        // A failure half way gives back what was taken already.
        let term = enter(true)
            .and_then(|()| ratatui::Terminal::new(CrosstermBackend::new(io::stdout())))
            .inspect_err(|_| restore())?;
        Ok(Tty { term })
    }

    /// Mouse capture on or off.
    pub fn mouse(&mut self, on: bool) {
        let _ = if on {
            execute!(io::stdout(), EnableMouseCapture)
        } else {
            execute!(io::stdout(), DisableMouseCapture)
        };
    }

    /// Bytes for the terminal itself (an OSC 52 copy).
    pub fn write(&mut self, bytes: &[u8]) {
        let mut out = io::stdout();
        let _ = out.write_all(bytes).and_then(|()| out.flush());
    }

    /// `ctrl-z`: gives the terminal back, stops ken, and takes the terminal again after `fg`.
    pub fn suspend(&mut self, mouse: bool) -> io::Result<()> {
        restore();
        let _ = io::stdout().flush();
        let _ = signal_hook::low_level::raise(signal_hook::consts::SIGTSTP);
        // Here again after `fg`.
        enter(mouse)?;
        self.redraw_all()
    }

    /// Runs `$VISUAL` or `$EDITOR` on a file with the terminal given back, then takes it again.
    pub fn edit(&mut self, path: &Path, mouse: bool) -> io::Result<Result<(), String>> {
        restore();
        let _ = io::stdout().flush();
        let done = edit_file(path);
        enter(mouse)?;
        self.term.clear()?;
        Ok(done)
    }

    /// Clears the screen and makes the next frame draw every cell. (Not `Terminal::clear`: it
    /// asks the terminal for the cursor position, a query whose answer the input thread would
    /// eat.)
    pub fn redraw_all(&mut self) -> io::Result<()> {
        execute!(
            io::stdout(),
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
        )?;
        // An empty frame: the screen is blank already, and the next frame differs everywhere.
        self.term.draw(|_| {})?;
        Ok(())
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        restore();
    }
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// The write end of the pipe that stands in for stderr while the UI owns the terminal, and a
/// copy of the real stderr to put back; -1 until [`capture_stderr`]. Both stay open for the
/// life of the process (a panic hook must be able to put stderr back at any moment, so
/// they are plain numbers rather than values something could drop).
static STDERR_PIPE: AtomicI32 = AtomicI32::new(-1);
static SAVED_STDERR: AtomicI32 = AtomicI32::new(-1);

/// Makes `fd` the process's stderr (nothing when it is -1).
fn stderr_to(fd: i32) {
    if fd >= 0 {
        // SAFETY: dup2 on two descriptors this process owns; it only replaces fd 2.
        unsafe { libc::dup2(fd, libc::STDERR_FILENO) };
    }
}

/// From the next [`Tty::enter`] on, whatever anything in the process writes to stderr while
/// the UI owns the terminal (a library's warning, a panicking thread's message) reaches the
/// status bar as a message, one line each, instead of the screen. [`restore`] (on leaving,
/// suspending, running the editor, panicking) gives stderr back to the terminal.
pub fn capture_stderr(tx: Sender<Msg>) -> io::Result<()> {
    if STDERR_PIPE.load(Ordering::SeqCst) >= 0 {
        return Ok(());
    }
    let (reader, writer) = io::pipe()?;
    // SAFETY: duplicates fd 2 (close-on-exec, so the editor does not inherit it twice).
    let saved = unsafe { libc::fcntl(libc::STDERR_FILENO, libc::F_DUPFD_CLOEXEC, 3) };
    if saved < 0 {
        return Err(io::Error::last_os_error());
    }
    std::thread::Builder::new()
        .name("ken-stderr".into())
        .spawn(move || {
            for line in io::BufReader::new(reader)
                .split(b'\n')
                .map_while(Result::ok)
            {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end_matches('\r');
                let text = text.strip_prefix("ken: ").unwrap_or(text);
                if text.trim().is_empty() {
                    continue;
                }
                let text = crate::sanitize::line(text, 0).into_owned();
                if tx.send(Msg::Job(JobMsg::Notice(text))).is_err() {
                    return;
                }
            }
        })?;
    debug_assert!(writer.as_raw_fd() > 2);
    SAVED_STDERR.store(saved, Ordering::SeqCst);
    STDERR_PIPE.store(writer.into_raw_fd(), Ordering::SeqCst);
    Ok(())
}

/// The signal that ended the UI, if one did.
static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// The exit code for the way the UI ended: 128 + the signal that ended it, else success.
pub fn exit_code() -> std::process::ExitCode {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => std::process::ExitCode::SUCCESS,
        sig => std::process::ExitCode::from((128 + sig).clamp(0, 255) as u8),
    }
}

/// TERM, INT and HUP end the UI; CONT (after a stop from outside) redraws it.
pub fn watch_signals(tx: Sender<Msg>) -> io::Result<()> {
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGCONT])?;
    std::thread::Builder::new()
        .name("ken-signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                let msg = if sig == SIGCONT {
                    Msg::Action(crate::keymap::Action::Redraw)
                } else {
                    SIGNAL.store(sig, Ordering::SeqCst);
                    Msg::Quit
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}

/// Reads terminal events on a thread of its own. When the terminal goes away (the SSH
/// connection dropped), reading fails and the UI is told to quit.
pub fn read_input(tx: Sender<Msg>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("ken-input".into())
        .spawn(move || {
            loop {
                let msg = match crossterm::event::read() {
                    Ok(Event::Key(k)) => Msg::Key(k),
                    Ok(Event::Mouse(m)) => Msg::Mouse(m),
                    Ok(Event::Paste(s)) => Msg::Paste(s),
                    Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
                    Ok(_) => continue,
                    Err(_) => {
                        let _ = tx.send(Msg::Quit);
                        return;
                    }
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}

/// Runs `$VISUAL` or `$EDITOR` (else `vi`) on a file and waits for it.
fn edit_file(path: &Path) -> Result<(), String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".into());
    // `EDITOR="code --wait"`: the first word is the program, the rest its arguments.
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(words)
        .arg(path)
        .status()
        .map_err(|e| format!("could not start {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} exited with {status}"))
    }
}
