//! `software-statement`: issue, verify and apply OAuth 2.0 software statements (RFC 7591)
//! from the command line. The contract (commands, outputs, exit statuses) is the README's
//! "The CLI" section.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use software_statement::Algorithm;

mod commands;
mod demo;
mod io;

const ABOUT: &str = "Issue, verify and apply OAuth 2.0 software statements (RFC 7591).";

const LONG_ABOUT: &str = "\
Issue, verify and apply OAuth 2.0 software statements (RFC 7591 §2.3): signed JWTs in which a \
software publisher asserts client metadata.

Exit status: 0 success; 1 the input was rejected (stdout holds one JSON line \
{\"error\": ..., \"error_description\": ...}); 2 usage or configuration error (message on stderr).
Every JSON output is one object on one line of stdout. Positional TOKEN, CLAIMS.json and \
REQUEST.json are file paths; `-` or no argument reads standard input.";

const MAIN_AFTER_HELP: &str = "\
Start here:
  software-statement demo                 the whole flow on loopback, explained step by step

Publisher:
  software-statement keygen --alg ES256 --kid k1 > key.jwk
  software-statement jwks key.jwk > jwks.json
  software-statement sign --key key.jwk --iss https://publisher.example.com --ttl 86400 claims.json > statement.jwt

Authorization server / operator:
  software-statement inspect statement.jwt
  software-statement verify --trust trust.json statement.jwt
  software-statement register --trust trust.json request.json

Client (signed registration requests):
  software-statement request --key client.jwk --statement ssa.jwt --aud https://as.example.org metadata.json > request.jwt
  software-statement register --trust trust.json request.jwt";

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "software-statement", version, about = ABOUT, long_about = LONG_ABOUT, after_help = MAIN_AFTER_HELP)]
#[command(propagate_version = true, subcommand_required = true, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a new private signing key (JWK with `kid` and `alg`).
    #[command(
        long_about = "Generate a new private signing key and print it as a JWK with `kid` and `alg`.\n\n\
The `kid` defaults to the key's RFC 7638 thumbprint. Keep the output secret: publish only \
`software-statement jwks KEY.jwk`.",
        after_help = "Examples:\n  \
software-statement keygen --alg ES256 > key.jwk\n  \
software-statement keygen --alg RS256 --bits 3072 --kid 2024-rsa > rsa.jwk\n  \
software-statement keygen --alg ML-DSA-65 > pq.jwk     (post-quantum: kty AKP, priv is the seed)\n  \
software-statement keygen --alg HS256 > secret.jwk     (a shared secret, never published)"
    )]
    Keygen(KeygenArgs),

    /// Print the public JWK Set of keys (private keys are made public).
    #[command(
        long_about = "Print the public JWK Set ({\"keys\":[...]}) of the given keys: private members are \
removed, `kid` and `alg` are kept. A file may hold one JWK, a JWK Set, or a PEM key. An `oct` key \
(HS256/384/512) is refused: shared secrets are never published.",
        after_help = "Examples:\n  \
software-statement jwks key.jwk > jwks.json\n  \
software-statement jwks current.jwk next.jwk > jwks.json     (key rotation: publish both)"
    )]
    Jwks(JwksArgs),

    /// Sign a software statement (prints the compact JWS).
    #[command(
        long_about = "Sign a software statement: the claims of CLAIMS.json (a JSON object of client \
metadata such as software_id, client_name, redirect_uris), plus `iss` (--iss), `iat` (--now or the \
clock), a random `jti`, and `exp` when --ttl is given. Prints the compact JWS and a newline.\n\n\
`iss`, `iat`, `exp` and `jti` in CLAIMS.json are replaced (a note says so on stderr); `aud` is kept. \
Empty input means no extra claims.",
        after_help = "Examples:\n  \
echo '{\"software_id\":\"4NRB1-0XZABZI9E6-5SM3R\",\"client_name\":\"Example\",\"redirect_uris\":[\"https://app.example.com/cb\"]}' > claims.json\n  \
software-statement sign --key key.jwk --iss https://publisher.example.com --ttl 86400 claims.json\n  \
software-statement sign --key rsa-private.pem --alg PS256 --iss https://publisher.example.com --typ JWT - < claims.json"
    )]
    Sign(SignArgs),

    /// Verify a software statement under a trust file.
    #[command(
        long_about = "Verify a software statement under a trust file: the issuer must be trusted, the \
signature must verify with one of the issuer's keys (inline `jwks`, `jwks_file` or fetched from \
`jwks_uri`), and the claims must pass the issuer's rules (time, audience, typ, required claims).\n\n\
Prints {\"issuer\":..., \"header\":{...}, \"claims\":{...}}. A rejected statement exits 1 with \
{\"error\":\"unapproved_software_statement\"|\"invalid_software_statement\", \"error_description\":...} \
on stdout; an unusable trust file exits 2.",
        after_help = "Trust file:\n  \
{\"issuers\": {\"https://publisher.example.com\": {\"jwks\": {\"keys\": [...]}, \"algorithms\": [\"ES256\"],\n                                                \"required_claims\": [\"software_id\"]}},\n   \
\"leeway\": 60}\n\n\
Examples:\n  \
software-statement verify --trust trust.json statement.jwt\n  \
software-statement verify --trust trust.json --now 1700000000 - < statement.jwt"
    )]
    Verify(VerifyArgs),

    /// Process a registration request (verify, merge, validate).
    #[command(
        long_about = "Process an RFC 7591 registration request (a JSON object) the way an authorization \
server does: verify its `software_statement` under the trust file (required when the trust file \
says \"require_software_statement\": true), merge the statement's claims over the request's \
members, and validate the result.\n\n\
Prints {\"metadata\":{...}, \"overridden\":[...], \"statement\":{\"issuer\",\"alg\",\"kid\"} or null}: \
`overridden` lists the request members the statement replaced or dropped. A rejected request \
exits 1 with the RFC 7591 error object on stdout.",
        after_help = "Examples:\n  \
software-statement register --trust trust.json request.json\n  \
jq -n --arg ss \"$(cat statement.jwt)\" '{software_statement: $ss, client_name: \"My app\"}' \\\n    \
| software-statement register --trust trust.json"
    )]
    Register(RegisterArgs),

    /// Sign a registration request as a client (prints the compact JWS).
    #[command(
        long_about = "Sign a registration request as a client, for the signed-request flow (UK Open \
Banking DCR, CDR, FAPI): the members of METADATA.json plus `software_statement` (the SSA from \
--statement, unmodified), `iss` (--iss, default: the statement's `software_id`, read without \
verifying), `aud` (--aud), `iat` (--now or the clock), `exp` (`iat` + --ttl, default 300) and a \
random `jti`. Prints the compact JWS and a newline; `register` takes it as its request.",
        after_help = "Examples:\n  \
software-statement request --key client.jwk --statement ssa.jwt --aud https://as.example.org metadata.json > request.jwt\n  \
software-statement register --trust trust.json request.jwt"
    )]
    Request(RequestArgs),

    /// Plain JWS operations (no software statement rules).
    #[command(subcommand)]
    Jws(JwsCommand),

    /// Decode a token WITHOUT verifying it.
    #[command(
        long_about = "Decode a compact JWS without verifying anything: prints \
{\"verified\":false, \"header\":{...}, \"claims\":{...}}. Nothing in it is trusted.\n\n\
The token must be well formed (at most 16 KiB, three canonical base64url segments, a header that \
is a JSON object without duplicate members); otherwise exit 1 with {\"error\":\"invalid_jws\", ...}. \
Tokens the verifier refuses for other reasons (`alg` none or unknown, `crit`, `b64`) are shown. When the payload is not a JSON object (or repeats a member), \
`claims` is null and `payload` holds the payload's base64url; a note on stderr says why.",
        after_help = "Examples:\n  \
software-statement inspect statement.jwt\n  \
software-statement inspect < statement.jwt"
    )]
    Inspect(InspectArgs),

    /// The whole flow on loopback, explained step by step.
    #[command(
        long_about = "Run the whole flow with built-in defaults and no files: generate an ES256 key, \
sign a statement, serve the public JWKS over HTTPS on 127.0.0.1 (a throw-away self-signed \
certificate), verify the statement through that `jwks_uri`, and register a client with it. Only \
loopback networking is used.",
        after_help = "Examples:\n  \
software-statement demo\n  \
software-statement demo --json | jq .registration"
    )]
    Demo(DemoArgs),
}

#[derive(Debug, Subcommand)]
enum JwsCommand {
    /// Verify a JWS signature with a JWK Set (any payload, no claim rules).
    #[command(
        long_about = "Verify the signature of a compact JWS with the keys of a JWK Set: the key is \
chosen by `kid` (or the single key that fits `alg`), `alg` must fit the key and be allowed. The \
payload can be anything and no claim is checked.\n\n\
Prints {\"header\":{...}, \"payload\":\"<base64url>\"}. A refused token exits 1 with \
{\"error\":\"invalid_jws\", \"error_description\":...}.",
        after_help = "Examples:\n  \
software-statement jws verify --jwks jwks.json token.jws\n  \
software-statement jws verify --jwks jwks.json --alg PS256 --alg ES256 - < token.jws"
    )]
    Verify(JwsVerifyArgs),
}

fn alg_parser() -> impl TypedValueParser<Value = Algorithm> {
    PossibleValuesParser::new(Algorithm::ALL.map(Algorithm::name)).try_map(|s| s.parse::<Algorithm>())
}

#[derive(Debug, Args)]
struct KeygenArgs {
    /// Algorithm the key is for (written into its `alg`).
    #[arg(long, value_name = "ALG", value_parser = alg_parser())]
    alg: Algorithm,
    /// Key ID [default: the key's RFC 7638 thumbprint].
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
    /// RSA modulus size (RS*/PS* only): 2048, 3072 or 4096 [default: 2048].
    #[arg(long, value_name = "N")]
    bits: Option<u32>,
}

#[derive(Debug, Args)]
struct JwksArgs {
    /// Key files: a JWK, a JWK Set or a PEM key each.
    #[arg(value_name = "KEY.jwk", required = true)]
    keys: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct SignArgs {
    /// The private signing key (a JWK, e.g. from `keygen`, or a PEM key).
    #[arg(long, value_name = "KEY.jwk")]
    key: PathBuf,
    /// The publisher's issuer identifier (the `iss` claim).
    #[arg(long, value_name = "ISS")]
    iss: String,
    /// Lifetime in seconds: sets `exp` to `iat` + SECONDS [default: no `exp`].
    #[arg(long, value_name = "SECONDS")]
    ttl: Option<u64>,
    /// The header's `typ` (e.g. JWT) [default: none].
    #[arg(long, value_name = "T")]
    typ: Option<String>,
    /// Unix time to stamp as `iat` instead of the clock.
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
    /// Algorithm [default: the key's `alg`; needed for RSA and oct keys without one].
    #[arg(long, value_name = "ALG", value_parser = alg_parser())]
    alg: Option<Algorithm>,
    /// JSON object of claims; `-` or none reads standard input.
    #[arg(value_name = "CLAIMS.json")]
    claims: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The trust file: trusted issuers, their keys and rules.
    #[arg(long, value_name = "TRUST.json")]
    trust: PathBuf,
    /// Unix time to check the claims at instead of the clock.
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
    /// File holding the compact JWS; `-` or none reads standard input.
    #[arg(value_name = "TOKEN")]
    token: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct RegisterArgs {
    /// The trust file: trusted issuers, their keys and rules.
    #[arg(long, value_name = "TRUST.json")]
    trust: PathBuf,
    /// Unix time to check the statement at instead of the clock.
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
    /// The registration request: a JSON object, or a signed request (a compact JWS: input
    /// that, trimmed, does not start with `{`); `-` or none reads standard input.
    #[arg(value_name = "REQUEST")]
    request: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct RequestArgs {
    /// The client's private signing key (a JWK or a PEM key); never an HMAC secret.
    #[arg(long, value_name = "CLIENT.jwk")]
    key: PathBuf,
    /// The software statement (SSA) to carry, a compact JWS in a file.
    #[arg(long, value_name = "SSA.jwt")]
    statement: PathBuf,
    /// The authorization server (the `aud` claim).
    #[arg(long, value_name = "AS")]
    aud: String,
    /// The `iss` claim [default: the statement's `software_id`].
    #[arg(long, value_name = "ID")]
    iss: Option<String>,
    /// Lifetime in seconds: `exp` = `iat` + SECONDS.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    ttl: u64,
    /// Unix time to stamp as `iat` instead of the clock.
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
    /// Algorithm [default: the key's `alg`; needed for RSA keys without one].
    #[arg(long, value_name = "ALG", value_parser = alg_parser())]
    alg: Option<Algorithm>,
    /// JSON object of client metadata; `-` or none reads standard input.
    #[arg(value_name = "METADATA.json")]
    metadata: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct JwsVerifyArgs {
    /// The JWK Set holding the verification keys.
    #[arg(long, value_name = "JWKS.json")]
    jwks: PathBuf,
    /// Accepted algorithm; repeat for several [default: what the keys allow].
    #[arg(long = "alg", value_name = "ALG", value_parser = alg_parser())]
    algs: Vec<Algorithm>,
    /// File holding the compact JWS; `-` or none reads standard input.
    #[arg(value_name = "TOKEN")]
    token: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct InspectArgs {
    /// File holding the compact JWS; `-` or none reads standard input.
    #[arg(value_name = "TOKEN")]
    token: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Print one machine-readable JSON object instead of the walk-through.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    io::finish(run(cli.command))
}

fn run(command: Command) -> io::Outcome {
    match command {
        Command::Keygen(a) => commands::keygen(a.alg, a.kid.as_deref(), a.bits),
        Command::Jwks(a) => commands::jwks(&a.keys),
        Command::Sign(a) => commands::sign(&commands::SignOptions {
            key: &a.key,
            iss: &a.iss,
            ttl: a.ttl,
            typ: a.typ.as_deref(),
            now: a.now,
            alg: a.alg,
            claims: a.claims.as_ref(),
        }),
        Command::Verify(a) => commands::verify(&a.trust, a.now, a.token.as_ref()),
        Command::Register(a) => commands::register(&a.trust, a.now, a.request.as_ref()),
        Command::Request(a) => commands::request(&commands::RequestOptions {
            key: &a.key,
            statement: &a.statement,
            aud: &a.aud,
            iss: a.iss.as_deref(),
            ttl: a.ttl,
            now: a.now,
            alg: a.alg,
            metadata: a.metadata.as_ref(),
        }),
        Command::Jws(JwsCommand::Verify(a)) => commands::jws_verify(&a.jwks, &a.algs, a.token.as_ref()),
        Command::Inspect(a) => commands::inspect(a.token.as_ref()),
        Command::Demo(a) => demo::run(a.json),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
