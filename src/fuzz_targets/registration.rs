//! Fuzz targets over a registration: a request body end to end, and merge + validate on
//! structured inputs.

use super::*;

/// A registration request body, end to end through `Registrar::register_json`: a
/// registrar over the registration test vectors' trust file (the test publisher keys),
/// default validation, at the fixed clock [`NOW`].
///
/// Invariants: a registration's metadata validates again; it never carries a JWT claim
/// the request did not send (statement claims `iss`, `exp`, … are never copied); a
/// request with a statement gets statement info and its token echoed; the error's JSON
/// form has its code.
pub fn registration(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    match registrar().register_json(body) {
        Ok(registration) => {
            let request = registrar()
                .parse_request(body)
                .expect("a registered body parses as a request");
            registration
                .metadata
                .validate(&ValidationOptions::default())
                .expect("registered metadata validates again");
            for claim in JWT_CLAIMS {
                if let Some(value) = registration.metadata.get(claim) {
                    assert_eq!(
                        Some(value),
                        request.get(claim),
                        "the JWT claim {claim} came from a statement"
                    );
                }
            }
            match request.get("software_statement") {
                Some(Value::String(token)) => {
                    assert!(registration.statement.is_some(), "a statement gave no statement info");
                    assert_eq!(registration.metadata.software_statement(), Some(token.as_str()));
                }
                _ => assert!(registration.statement.is_none()),
            }
            for name in &registration.overridden {
                assert!(
                    request.contains_key(name),
                    "{name} reported overridden but not in the request"
                );
            }
            let _ = registration.to_json().to_string();
        }
        Err(e) => {
            check_error(&e);
            let json = e.to_json();
            assert!(
                json.get("error").is_some_and(Value::is_string),
                "error JSON without a code: {json}"
            );
            let _ = (e.code(), e.http_status(), e.description());
        }
    }
}

/// Member names the `merge_validate` decoder picks from: RFC 7591 fields, JWT claims,
/// the statement, and a few others.
pub(super) const NAMES: [&str; 32] = [
    "redirect_uris",
    "token_endpoint_auth_method",
    "grant_types",
    "response_types",
    "client_name",
    "client_uri",
    "logo_uri",
    "scope",
    "contacts",
    "tos_uri",
    "policy_uri",
    "jwks_uri",
    "jwks",
    "software_id",
    "software_version",
    "software_statement",
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "client_name#fr",
    "client_name#ja-Jpan-JP",
    "jwks#en",
    "jwks_uri#de",
    "software_statement#fr",
    "tos_uri#FR",
    "tos_uri#fr",
    "post_logout_redirect_uris",
    "default_max_age",
];

/// String values the decoder picks from: URIs of every shape, grant and response types,
/// auth methods.
pub(super) const STRINGS: [&str; 24] = [
    "https://client.example.org/cb",
    "http://127.0.0.1:8080/cb",
    "http://[::1]/cb",
    "http://localhost/cb",
    "https://client.example.org/cb#frag",
    "com.example.app:/cb",
    "https://",
    "https://@host",
    "not a uri",
    "",
    "authorization_code",
    "implicit",
    "refresh_token",
    "client_credentials",
    "code",
    "token",
    "id_token",
    "code id_token",
    "none",
    "client_secret_basic",
    "private_key_jwt",
    "tls_client_auth",
    "mailto:admin@example.org",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
];

/// A tiny decoder of structured inputs from fuzzer bytes: every byte string decodes
/// to something (missing bytes read as zero).
struct Decoder<'a> {
    data: &'a [u8],
}

impl<'a> Decoder<'a> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// Up to 63 bytes of the input, as text.
    fn raw(&mut self) -> String {
        let len = usize::from(self.byte() % 64).min(self.data.len());
        let (taken, rest) = self.data.split_at(len);
        self.data = rest;
        String::from_utf8_lossy(taken).into_owned()
    }

    fn name(&mut self) -> String {
        let b = self.byte();
        match NAMES.get(usize::from(b)) {
            Some(name) => (*name).to_owned(),
            None if b < 0xf0 => {
                let base = NAMES[usize::from(b) % NAMES.len()];
                format!("{base}#{}", self.raw())
            }
            None => self.raw(),
        }
    }

    fn string(&mut self) -> String {
        let b = self.byte();
        match STRINGS.get(usize::from(b)) {
            Some(s) => (*s).to_owned(),
            None => self.raw(),
        }
    }

    fn value(&mut self, depth: u8) -> Value {
        let kind = self.byte();
        match kind % 9 {
            0 => Value::Null,
            1 => Value::Bool(kind & 0x80 != 0),
            2 => Value::from(i64::from(self.byte() as i8) * i64::from(self.byte())),
            3 | 4 => Value::String(self.string()),
            5 if depth > 0 => {
                let n = self.byte() % 5;
                Value::Array((0..n).map(|_| self.value(depth - 1)).collect())
            }
            6 if depth > 0 => Value::Object(self.map(depth - 1)),
            7 => {
                // A JWK Set: the test keys, public or private.
                let n = self.byte() % 3;
                let keys = (0..n)
                    .map(|_| {
                        let (_, json) = REGISTRATION_KEYS[usize::from(self.byte()) % REGISTRATION_KEYS.len()];
                        serde_json::from_str::<Value>(json).unwrap_or_default()
                    })
                    .collect::<Vec<_>>();
                serde_json::json!({ "keys": keys })
            }
            _ => {
                let n = self.byte() % 4;
                Value::Array((0..n).map(|_| Value::String(self.string())).collect())
            }
        }
    }

    fn map(&mut self, depth: u8) -> Map<String, Value> {
        let n = self.byte() % 12;
        let mut map = Map::new();
        for _ in 0..n {
            let name = self.name();
            let value = self.value(depth);
            map.insert(name, value);
        }
        map
    }
}

/// Merge + validate on structured inputs decoded from the bytes: a request and
/// statement claims (maps over registration member names and values), whether a
/// statement is applied, and the validation options.
///
/// Invariants: `merge` and `merge_owned` agree; without a statement the metadata is the
/// request; with one, no JWT claim of the statement is ever copied, every overridden name
/// is a request member, and `software_statement` is the token, last; validation does not
/// panic and its error says something.
pub fn merge_validate(data: &[u8]) {
    let mut d = Decoder { data };
    let flags = d.byte();
    let mut options = ValidationOptions::default().allow_http_loopback(flags & 2 != 0);
    if flags & 4 != 0 {
        options = options.grant_types(["authorization_code", "refresh_token"]);
    }
    if flags & 8 != 0 {
        options = options.redirect_uri_schemes(["https", "com.example.app"]);
    }
    if flags & 16 != 0 {
        options = options.token_endpoint_auth_methods(["private_key_jwt"]);
    }
    let request = d.map(2);
    let claims = d.map(2);
    let token = d.string();
    let statement = (flags & 1 != 0).then_some((token.as_str(), &claims));

    let merged = merge(&request, statement);
    let owned = merge_owned(request.clone(), statement.map(|(t, c)| (t, c.clone())));
    assert_eq!(merged, owned, "merge and merge_owned disagree");
    let members = merged.metadata.as_map();
    if statement.is_none() {
        assert_eq!(
            members, &request,
            "without a statement, the metadata is not the request"
        );
        assert!(merged.overridden.is_empty());
    } else {
        for claim in JWT_CLAIMS {
            if let Some(value) = members.get(claim) {
                assert_eq!(
                    Some(value),
                    request.get(claim),
                    "the JWT claim {claim} came from the statement"
                );
            }
        }
        for name in &merged.overridden {
            assert!(
                request.contains_key(name),
                "{name} reported overridden but not in the request"
            );
        }
        let last = members.iter().next_back();
        assert_eq!(
            last,
            Some((&"software_statement".to_owned(), &Value::String(token.clone()))),
            "software_statement is not the token, last"
        );
    }
    if let Err(e) = merged.metadata.validate(&options) {
        check_error(&e);
    }
}
