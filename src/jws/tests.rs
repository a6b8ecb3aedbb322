//! Unit tests of the JWS layer.
use super::*;

/// The header as `sign` wrote it before: a map serialized.
fn via_map(alg: Algorithm, kid: Option<&str>, extra: &Map<String, Value>) -> Vec<u8> {
    let mut header = Map::new();
    header.insert("alg".into(), Value::String(alg.name().into()));
    if let Some(kid) = kid {
        header.insert("kid".into(), Value::String(kid.into()));
    }
    for (k, v) in extra {
        if k != "alg" {
            header.insert(k.clone(), v.clone());
        }
    }
    serde_json::to_vec(&header).unwrap()
}

#[test]
fn header_fast_path_agrees_with_the_full_parse() {
    let limits = Limits::default().max_depth(4);
    let many: String = (0..20).map(|i| format!(",\"m{i}\":{i}")).collect();
    let mut cases: Vec<Vec<u8>> = [
        r#"{"alg":"ES256"}"#,
        r#"{"alg":"ES256","kid":"k1","typ":"JWT"}"#,
        r#" { "typ" : "JWT" , "kid" : "a b" , "alg" : "EdDSA" } "#,
        r#"{"typ":"J\u0057T","kid":"k\u0031","alg":"E\u0053256"}"#,
        r#"{"alg":"ES256","alg":"ES256"}"#,
        r#"{"alg":"ES256","\u0061lg":"RS256"}"#,
        r#"{"alg":"ES256","kid":"a","kid":"a"}"#,
        r#"{"alg":"ES256","x":1,"x":1}"#,
        r#"{"alg":"ES256","x":{"a":1,"a":2}}"#,
        r#"{"alg":"ES256","x":[{"a":1,"\u0061":2}]}"#,
        r#"{"alg":"ES256","x":[[[1]]]}"#,
        r#"{"alg":"ES256","x":[[[[1]]]]}"#,
        r#"{"alg":"ES256","x":{"y":{"z":{}}}}"#,
        r#"{"alg":"ES256","x":{"y":{"z":{"w":1}}}}"#,
        r#"{"alg":"none"}"#,
        r#"{"alg":"XX"}"#,
        r#"{"alg":5}"#,
        r#"{"alg":null}"#,
        r#"{}"#,
        r#"{"kid":"k"}"#,
        r#"{"alg":"ES256","b64":false}"#,
        r#"{"alg":"ES256","crit":["exp"],"exp":1}"#,
        r#"{"alg":"ES256","crit":[]}"#,
        r#"{"alg":"ES256","crit":["kid"],"kid":"k"}"#,
        r#"{"alg":"ES256","kid":1}"#,
        r#"{"alg":"ES256","typ":1}"#,
        r#"{"alg":"ES256","typ":null}"#,
        r#"{"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"AA"},"x5c":["a","b"]}"#,
        r#"{"alg":"ES256","n":1e400}"#,
        r#"{"alg":"ES256","n":-0.5e-3,"t":true,"f":false,"z":null}"#,
        r#"[1]"#,
        r#""alg""#,
        r#"{"alg":"ES256"} x"#,
        r#"{"alg":"ES256""#,
        r#"{"alg":"ES256",}"#,
        "",
    ]
    .iter()
    .map(|c| c.as_bytes().to_vec())
    .collect();
    cases.push(format!(r#"{{"alg":"ES256"{many}}}"#).into_bytes());
    cases.push(format!(r#"{{"alg":"ES256","kid":"{}"}}"#, "k".repeat(256)).into_bytes());
    cases.push(format!(r#"{{"alg":"ES256","kid":"{}"}}"#, "k".repeat(257)).into_bytes());
    cases.push(b"{\"alg\":\"ES256\",\"x\":\"\xff\"}".to_vec());
    cases.push(b"{\"alg\":\"ES256\"}\xff".to_vec());
    for depth in [0, 1, 2] {
        let limits = Limits::default().max_depth(depth);
        for c in [&br#"{"alg":"ES256"}"#[..], br#"{"alg":"ES256","x":[]}"#] {
            let (fast, full) = (
                parse_header(c.to_vec(), &limits),
                parse_header_full(c.to_vec(), &limits),
            );
            assert_eq!(
                fast.map(Header::into_members),
                full.map(Header::into_members),
                "depth {depth}"
            );
        }
    }
    for c in cases {
        let shown = String::from_utf8_lossy(&c).into_owned();
        match (parse_header(c.clone(), &limits), parse_header_full(c.clone(), &limits)) {
            (Ok(fast), Ok(full)) => {
                assert_eq!(fast.alg(), full.alg(), "{shown}");
                assert_eq!(fast.kid(), full.kid(), "{shown}");
                assert_eq!(fast.typ(), full.typ(), "{shown}");
                assert_eq!(fast.members(), full.members(), "{shown}");
                assert_eq!(fast, full, "{shown}");
                assert_eq!(format!("{fast:?}"), format!("{full:?}"));
                let fast2 = parse_header(c.clone(), &limits).unwrap();
                assert_eq!(fast2.clone().into_members(), full.into_members(), "{shown}");
            }
            (Err(fast), Err(full)) => assert_eq!(fast, full, "{shown}"),
            (fast, full) => panic!("{shown}: fast {fast:?}, full {full:?}"),
        }
    }
    // A plain header takes the fast path: no map until asked for.
    let plain = parse_header(br#"{"alg":"ES256","kid":"k1","typ":"JWT"}"#.to_vec(), &limits).unwrap();
    assert!(plain.members.get().is_none());
    assert_eq!((plain.kid(), plain.typ()), (Some("k1"), Some("JWT")));
    assert_eq!(plain.members().len(), 3);
}

/// `UnverifiedJws::parse` as it was written first: `splitn`, then each segment.
/// Header members, payload, signature.
type Parsed = (Map<String, Value>, Vec<u8>, Vec<u8>);

fn parse_reference(token: &str, limits: &Limits) -> Result<Parsed, JwsError> {
    if token.len() > limits.max_token_bytes {
        return Err(JwsError::TooLarge {
            len: token.len(),
            limit: limits.max_token_bytes,
        });
    }
    if token.starts_with('{') {
        return Err(JwsError::Malformed(
            "the JWS JSON serialization is not accepted; send the compact form",
        ));
    }
    let mut parts = token.splitn(4, '.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(SEGMENTS);
    };
    let header = parse_header_full(b64::decode(h).ok_or(JwsError::Base64("header"))?, limits)?;
    let payload = b64::decode(p).ok_or(JwsError::Base64("payload"))?;
    let signature = b64::decode(s).ok_or(JwsError::Base64("signature"))?;
    Ok((header.into_members(), payload, signature))
}

#[test]
fn parse_agrees_with_the_reference() {
    let h = b64::encode(br#"{"alg":"HS256","kid":"k"}"#);
    let bad_h = b64::encode(br#"{"alg":"HS256","alg":"HS256"}"#);
    let p = b64::encode(br#"{"iss":"x"}"#);
    let sig = b64::encode(&[7u8; 32]);
    let long_sig = b64::encode(&[7u8; 600]);
    let tokens = [
        String::new(),
        ".".into(),
        "..".into(),
        "...".into(),
        "{}".into(),
        format!("{h}.{p}.{sig}"),
        format!("{h}.{p}.{long_sig}"),
        format!("{h}.{p}."),
        format!("{h}..{sig}"),
        format!("{h}.{p}"),
        format!("{h}.{p}.{sig}."),
        format!("{h}.{p}.{sig}.{sig}"),
        format!("{h}.{p}.{sig}.x"),
        format!("{h}.p.y.{sig}"),
        format!("{h}.{p}.{sig}="),
        format!("{h}.{p}=.{sig}"),
        format!("{h}x.{p}.{sig}"),
        format!("{bad_h}.{p}.{sig}"),
        format!("{bad_h}.{p}.{sig}.x"),
        format!("{bad_h}.{p}x.{sig}"),
        format!("{h}.{p}x.{sig}"),
        format!("{h}.{p}.{sig}x"),
        format!("{h}.{p} .{sig}"),
        format!("{h}.{p}.{sig}{}", "A".repeat(20_000)),
    ];
    let limits = Limits::default();
    for t in &tokens {
        let ours = UnverifiedJws::parse(t, &limits).map(|j| {
            (
                j.header().members().clone(),
                j.payload().to_vec(),
                j.signature().to_vec(),
            )
        });
        assert_eq!(ours, parse_reference(t, &limits), "{t:?}");
        if let Ok(j) = UnverifiedJws::parse(t, &limits) {
            assert_eq!(j.signing_input, &t[..t.rfind('.').unwrap()]);
        }
    }
}

#[test]
fn header_json_is_the_serialized_map() {
    let extras = [
        serde_json::json!({}),
        serde_json::json!({"typ": "JWT"}),
        serde_json::json!({"typ": "JWT", "alg": "none", "x": [1, {"y": "\u{e9}\\\""}]}),
        serde_json::json!({"cty": "a", "kid": "from-extra", "typ": "b"}),
        serde_json::json!({"kid": 7}),
        serde_json::json!({"\u{1}odd\"name": null, "n": 1.5}),
    ];
    for extra in extras {
        let extra = extra.as_object().unwrap();
        for kid in [None, Some("k1"), Some("quote\"and\\slash\u{7f}\u{2028}")] {
            for alg in [Algorithm::ES256, Algorithm::EdDSA, Algorithm::HS512] {
                assert_eq!(
                    header_json(alg, kid, extra).unwrap(),
                    via_map(alg, kid, extra),
                    "{alg} {kid:?} {extra:?}"
                );
            }
        }
    }
}
