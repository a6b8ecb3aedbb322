//! Inputs, outputs and exit statuses (the README's "The CLI").
//!
//! - exit 0: success, the result on stdout;
//! - exit 1: the input was rejected; stdout holds one JSON line
//!   `{"error": ..., "error_description": ...}`, and stderr may hold a hint for people;
//! - exit 2: usage or configuration error; a message on stderr, nothing on stdout.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Map, Value};

/// Why a command did not succeed.
#[derive(Debug)]
pub enum Failure {
    /// The input was rejected (exit 1): `body` is the error object printed on stdout,
    /// `hint` an optional line for people, printed on stderr.
    Rejected { body: Value, hint: Option<String> },
    /// A usage or configuration error (exit 2): the message is printed on stderr.
    Config(String),
}

impl Failure {
    /// A rejection with this RFC 7591 (or `invalid_jws`) code and description, made safe
    /// for an `error_description` by the library (security rule 9).
    pub fn rejected(error: &str, description: impl Into<String>) -> Self {
        let mut body = Map::with_capacity(2);
        body.insert("error".into(), Value::from(error));
        body.insert(
            "error_description".into(),
            Value::from(software_statement::safe_error_description(&description.into())),
        );
        Failure::Rejected {
            body: Value::Object(body),
            hint: None,
        }
    }

    /// Adds a hint (stderr) to a rejection; configuration errors are left as they are.
    #[must_use]
    pub fn hint(self, text: Option<String>) -> Self {
        match self {
            Failure::Rejected { body, .. } => Failure::Rejected { body, hint: text },
            other => other,
        }
    }
}

/// A configuration error (exit 2).
pub fn config(message: impl Into<String>) -> Failure {
    Failure::Config(message.into())
}

/// The result of a command.
pub type Outcome = Result<(), Failure>;

/// The exit code for an outcome, after printing what it says.
pub fn finish(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Rejected { body, hint }) => {
            print_json(&body);
            if let Some(hint) = hint {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(1)
        }
        Err(Failure::Config(message)) => {
            eprintln!("software-statement: error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Prints one JSON value on one line of stdout.
pub fn print_json(value: &Value) {
    print_line(&value.to_string());
}

/// Prints a line on stdout; a closed pipe (`| head`) is not an error worth a panic.
pub fn print_line(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// Reads a positional input as bytes: a file path, or stdin for `-` or no argument. An
/// unreadable file is a configuration error (exit 2) naming it; `what` says what it holds.
pub fn read_input(path: Option<&PathBuf>, what: &str) -> Result<Vec<u8>, Failure> {
    if let Some(p) = path.filter(|p| p.as_os_str() != "-") {
        return read_file(p, what);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("reading {what} from standard input (end with Ctrl-D, or pass a file path)");
    }
    let mut buf = Vec::new();
    stdin
        .lock()
        .read_to_end(&mut buf)
        .map_err(|e| config(format!("cannot read {what} from standard input: {e}")))?;
    Ok(buf)
}

/// Reads a file named by a flag; an unreadable file is a configuration error naming it.
pub fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| config(format!("cannot read {what} {}: {e}", path.display())))
}

/// A token from raw input: surrounding whitespace (a trailing newline) trimmed. Input that
/// is not UTF-8 cannot be a compact JWS: `None`.
pub fn token_text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok().map(str::trim)
}

/// How a positional input is named in messages.
pub fn input_name(path: Option<&PathBuf>) -> String {
    match path {
        Some(p) if p.as_os_str() != "-" => p.display().to_string(),
        _ => "standard input".into(),
    }
}

/// Parses a JSON object strictly (the library's reader: a member name that appears twice
/// is an error, where serde_json alone would silently keep the last one). The message says
/// where the problem is.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    software_statement::parse_json_object(bytes, software_statement::MAX_JSON_DEPTH).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_objects() {
        assert_eq!(parse_object(br#"{"a":1,"b":[1,{"c":null}]}"#).unwrap().len(), 2);
        assert!(parse_object(br#"{"a":1,"a":2}"#)
            .unwrap_err()
            .contains("'a' appears twice"));
        assert!(parse_object(br#"{"x":{"a":1,"a":2}}"#).is_err());
        assert!(parse_object(b"[1]").unwrap_err().contains("expected a JSON object"));
        assert!(parse_object(b"{} {}").is_err());
        assert!(parse_object(b"").unwrap_err().contains("empty"));
        assert!(parse_object(b"\xff").is_err());
    }

    #[test]
    fn tokens_are_trimmed() {
        assert_eq!(token_text(b"  a.b.c\r\n"), Some("a.b.c"));
        assert_eq!(token_text(b"\xff"), None);
    }
}
