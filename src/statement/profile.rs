//! Issuer profiles and claim constraints (the README's "Issuer profiles"): how a
//! deployment's statements name client metadata (`claim_map`), what a request may still
//! choose (`redirect_uris`, `client_keys`), which statements are acceptable at all
//! (`constraints`, with OpenID Federation 1.0 metadata-policy operators), and named presets
//! of these for UK Open Banking, Australia's CDR and Open Finance Brasil.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::claims::JWT_CLAIMS;
use crate::error::StatementError;
use crate::jwa::Algorithm;
use crate::metadata::{split_member_name, SERVER_ISSUED_MEMBERS};

/// What a request's `redirect_uris` may do when the statement asserts `redirect_uris`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectUriMode {
    /// The statement's list replaces the request's (merge rule 2; the default).
    #[default]
    Statement,
    /// The request may choose a non-empty subset of the statement's list (exact string
    /// match), which becomes the effective list; a URI outside it is refused
    /// (`invalid_redirect_uri`).
    Subset,
}

/// Where a client's keys may come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientKeyMode {
    /// From the statement or the request (the default).
    #[default]
    Any,
    /// From the statement only: a request `jwks` is refused, a request `jwks_uri` must
    /// equal the statement's (`invalid_client_metadata`).
    Statement,
}

/// One constraint on a statement claim, with OpenID Federation 1.0 metadata-policy
/// semantics. Every operator but `essential` does not apply to an absent claim.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Constraint {
    /// `essential`: when true, the claim must be present.
    Essential(bool),
    /// `value`: the claim equals this value.
    Value(Value),
    /// `one_of`: the claim is a scalar in this list.
    OneOf(Vec<Value>),
    /// `subset_of`: the claim's values (an array, or a space-separated string such as
    /// `scope`) are all in this set.
    SubsetOf(Vec<String>),
    /// `superset_of`: the claim's values include all of this set.
    SupersetOf(Vec<String>),
}

impl Constraint {
    /// The operator's name.
    pub fn operator(&self) -> &'static str {
        match self {
            Constraint::Essential(_) => "essential",
            Constraint::Value(_) => "value",
            Constraint::OneOf(_) => "one_of",
            Constraint::SubsetOf(_) => "subset_of",
            Constraint::SupersetOf(_) => "superset_of",
        }
    }

    /// Reads `{operator: operand}` as written in a trust file; the error says what is
    /// wrong (an unknown operator, a wrong operand type).
    pub fn parse(operator: &str, operand: &Value) -> Result<Constraint, String> {
        let strings = |what: &str| -> Result<Vec<String>, String> {
            operand
                .as_array()
                .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect())
                .ok_or_else(|| format!("{what} needs an array of strings"))
        };
        Ok(match operator {
            "essential" => Constraint::Essential(operand.as_bool().ok_or("essential needs true or false")?),
            "value" => Constraint::Value(operand.clone()),
            "one_of" => {
                let list = operand.as_array().ok_or("one_of needs an array of values")?;
                if list.iter().any(|v| v.is_array() || v.is_object()) {
                    return Err("one_of needs an array of scalar values".into());
                }
                Constraint::OneOf(list.clone())
            }
            "subset_of" => Constraint::SubsetOf(strings("subset_of")?),
            "superset_of" => Constraint::SupersetOf(strings("superset_of")?),
            other => {
                return Err(format!(
                    "unknown operator {other:?} (known: essential, value, one_of, subset_of, superset_of)"
                ))
            }
        })
    }

    /// Whether the claim's value (`None` when absent) satisfies the constraint.
    fn holds(&self, claim: Option<&Value>) -> bool {
        let Some(claim) = claim else {
            return !matches!(self, Constraint::Essential(true));
        };
        match self {
            Constraint::Essential(_) => true,
            Constraint::Value(v) => claim == v,
            Constraint::OneOf(list) => !claim.is_array() && !claim.is_object() && list.contains(claim),
            Constraint::SubsetOf(set) => {
                as_set(claim).is_some_and(|values| values.iter().all(|v| set.iter().any(|s| s == v)))
            }
            Constraint::SupersetOf(set) => {
                as_set(claim).is_some_and(|values| set.iter().all(|s| values.contains(s.as_str())))
            }
        }
    }
}

/// A claim as a set of strings: an array of strings, or a space-separated string.
fn as_set(claim: &Value) -> Option<BTreeSet<&str>> {
    match claim {
        Value::String(s) => Some(s.split(' ').filter(|w| !w.is_empty()).collect()),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

/// Checks every constraint; the first violated is the error (`unapproved_software_statement`).
pub(crate) fn check_constraints(
    constraints: &[(String, Constraint)],
    claims: &Map<String, Value>,
) -> Result<(), StatementError> {
    for (claim, constraint) in constraints {
        if !constraint.holds(claims.get(claim)) {
            return Err(StatementError::ConstraintViolated {
                claim: claim.clone(),
                operator: constraint.operator(),
            });
        }
    }
    Ok(())
}

/// Applies a claim map: each mapped claim's value is asserted as its target member too
/// (the source stays). A statement carrying both with different values is refused.
pub(crate) fn apply_claim_map(map: &[(String, String)], claims: &mut Map<String, Value>) -> Result<(), StatementError> {
    for (source, target) in map {
        let Some(value) = claims.get(source) else { continue };
        match claims.get(target) {
            Some(existing) if existing != value => {
                return Err(StatementError::ClaimMapConflict {
                    claim: source.clone(),
                    target: target.clone(),
                })
            }
            Some(_) => {}
            None => {
                let value = value.clone();
                claims.insert(target.clone(), value);
            }
        }
    }
    Ok(())
}

/// Checks a claim map an operator wrote: never onto a JWT claim (or from one).
pub(crate) fn check_claim_map(map: &[(String, String)]) -> Result<(), String> {
    for (source, target) in map {
        if source.is_empty() || target.is_empty() {
            return Err("claim_map names must be non-empty".into());
        }
        if SERVER_ISSUED_MEMBERS.contains(&split_member_name(target).0) {
            return Err(format!(
                "claim_map maps {source:?} onto {target:?}, a member only the server issues (every registration would be refused)"
            ));
        }
        if JWT_CLAIMS.contains(&target.as_str()) {
            return Err(format!(
                "claim_map maps {source:?} onto the JWT claim {target:?}: JWT claims describe the statement, not the client"
            ));
        }
        if JWT_CLAIMS.contains(&source.as_str()) {
            return Err(format!(
                "claim_map maps the JWT claim {source:?}: JWT claims are never client metadata"
            ));
        }
    }
    Ok(())
}

/// A named preset of issuer-policy members (`profile` in the trust file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Profile {
    /// Plain RFC 7591: nothing preset (the default).
    Rfc7591,
    /// UK Open Banking (OBIE Directory SSAs, Dynamic Client Registration v3.x).
    OpenBankingUk,
    /// Australia's Consumer Data Right (CDR Register SSAs).
    Cdr,
    /// Open Finance Brasil (Directory SSAs, DCR 1.0).
    OpenFinanceBrasil,
}

/// One rule of a preset with the specification section it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileRule {
    /// The issuer-policy member the rule sets (`claim_map`, `redirect_uris`, …).
    pub member: &'static str,
    /// The rule, as the trust file would write it (JSON text).
    pub value: &'static str,
    /// Where it comes from.
    pub source: &'static str,
}

/// The UK Open Banking SSA claims and the RFC 7591 members they assert.
const OB_CLAIM_MAP: &str = r#"{"software_client_name":"client_name","software_client_uri":"client_uri","software_redirect_uris":"redirect_uris","software_logo_uri":"logo_uri","software_policy_uri":"policy_uri","software_tos_uri":"tos_uri","software_jwks_endpoint":"jwks_uri"}"#;

/// The Open Finance Brasil SSA claims and the RFC 7591 members they assert.
const OFB_CLAIM_MAP: &str = r#"{"software_client_name":"client_name","software_client_uri":"client_uri","software_redirect_uris":"redirect_uris","software_logo_uri":"logo_uri","software_policy_uri":"policy_uri","software_tos_uri":"tos_uri","software_jwks_uri":"jwks_uri"}"#;

/// Every preset's rules, written once, as data.
const PRESETS: [(Profile, &[ProfileRule]); 4] = [
    (Profile::Rfc7591, &[]),
    (
        Profile::OpenBankingUk,
        &[
            ProfileRule {
                member: "claim_map",
                value: OB_CLAIM_MAP,
                source: "OBIE Directory API 2.2.0, Software Statement Assertion: SSA Payload (the software_* \
                         claims); OBIE Dynamic Client Registration v3.3, Data Dictionary: redirect_uris, \
                         token_endpoint_auth_method",
            },
            ProfileRule {
                member: "redirect_uris",
                value: r#""subset""#,
                source: "OBIE Dynamic Client Registration v3.3, Data Dictionary, redirect_uris: a match or subset \
                         of the SSA's software_redirect_uris, all of them when omitted",
            },
            ProfileRule {
                member: "client_keys",
                value: r#""statement""#,
                source: "OBIE Directory API 2.2.0, Automated Client Registration: Request Validation (the request is \
                         signed with a key of the JWKS the SSA references); OBIE Dynamic Client Registration v3.3, \
                         Data Dictionary, token_endpoint_auth_method",
            },
            ProfileRule {
                member: "algorithms",
                value: r#"["ES256", "PS256"]"#,
                source: "OBIE Directory API 2.2.0, Software Statement Assertion: SSA header (alg ES256 or PS256)",
            },
            ProfileRule {
                member: "required_claims",
                value: r#"["software_id"]"#,
                source: "OBIE Directory API 2.2.0, Software Statement Assertion: SSA Payload (software_id); \
                         OBIE Dynamic Client Registration v3.3, Data Dictionary, iss (the request's iss is the \
                         SSA's software_id)",
            },
        ],
    ),
    (
        Profile::Cdr,
        &[
            ProfileRule {
                member: "algorithms",
                value: r#"["PS256"]"#,
                source: "Consumer Data Standards v1.36.0, Security Profile, Client Registration: Software Statement \
                         Assertion (SSA) (signed by the CDR Register with PS256)",
            },
            ProfileRule {
                member: "redirect_uris",
                value: r#""subset""#,
                source: "Consumer Data Standards v1.36.0, Security Profile, Client Registration: Registration Request \
                         using JWT, redirect_uris (a match or subset of the SSA's)",
            },
            ProfileRule {
                member: "client_keys",
                value: r#""statement""#,
                source: "Consumer Data Standards v1.36.0, Security Profile, Client Registration: Registration \
                         Validation (the request JWT is verified with a key from the SSA's jwks_uri)",
            },
            ProfileRule {
                member: "required_claims",
                value: r#"["software_id", "jwks_uri", "redirect_uris"]"#,
                source: "Consumer Data Standards v1.36.0, Security Profile, Client Registration: SSA Definition \
                         (software_id, jwks_uri, redirect_uris Required)",
            },
        ],
    ),
    (
        Profile::OpenFinanceBrasil,
        &[
            ProfileRule {
                member: "algorithms",
                value: r#"["PS256"]"#,
                source: "Open Finance Brasil FAPI Dynamic Client Registration 1.0 Implementers Draft 3, \
                         section 7.1 item 2 (the software_statement is signed with PS256)",
            },
            ProfileRule {
                member: "max_age",
                value: "300",
                source: "Open Finance Brasil FAPI Dynamic Client Registration 1.0 Implementers Draft 3, \
                         section 7.1 item 3 (iat at most 5 minutes before the request)",
            },
            ProfileRule {
                member: "claim_map",
                value: OFB_CLAIM_MAP,
                source: "Open Finance Brasil FAPI Dynamic Client Registration 1.0 Implementers Draft 3, \
                         section 8.1 (the software_* claims), section 7.1 items 5 and 6",
            },
            ProfileRule {
                member: "redirect_uris",
                value: r#""subset""#,
                source: "Open Finance Brasil FAPI Dynamic Client Registration 1.0 Implementers Draft 3, \
                         section 7.1 item 6 (redirect_uris match or are a subset of software_redirect_uris)",
            },
            ProfileRule {
                member: "client_keys",
                value: r#""statement""#,
                source: "Open Finance Brasil FAPI Dynamic Client Registration 1.0 Implementers Draft 3, \
                         section 7.1 items 4 and 5 (no jwks by value; jwks_uri matches software_jwks_uri)",
            },
        ],
    ),
];

impl Profile {
    /// The profile named as in a trust file (`rfc7591`, `openbanking-uk`, `cdr`,
    /// `open-finance-brasil`).
    pub fn from_name(name: &str) -> Option<Profile> {
        Some(match name {
            "rfc7591" => Profile::Rfc7591,
            "openbanking-uk" => Profile::OpenBankingUk,
            "cdr" => Profile::Cdr,
            "open-finance-brasil" => Profile::OpenFinanceBrasil,
            _ => return None,
        })
    }

    /// The name a trust file uses.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Rfc7591 => "rfc7591",
            Profile::OpenBankingUk => "openbanking-uk",
            Profile::Cdr => "cdr",
            Profile::OpenFinanceBrasil => "open-finance-brasil",
        }
    }

    /// The preset's rules, each with its source.
    pub fn rules(self) -> &'static [ProfileRule] {
        PRESETS.iter().find(|(p, _)| *p == self).map_or(&[], |(_, rules)| rules)
    }

    /// The preset as issuer-policy members (JSON), for the trust file to apply under the
    /// members the issuer entry writes itself.
    pub(crate) fn members(self) -> Map<String, Value> {
        self.rules()
            .iter()
            .map(|r| {
                (
                    r.member.to_owned(),
                    serde_json::from_str(r.value).expect("preset values are JSON"),
                )
            })
            .collect()
    }
}

impl crate::statement::IssuerPolicy {
    /// Applies a preset: its `algorithms`, `required_claims`, `max_age`, `claim_map`,
    /// `redirect_uris` and `client_keys` replace the policy's. Call the other builder
    /// methods afterwards to replace a preset member whole (a trust file's issuer entry
    /// does the same).
    #[must_use]
    pub fn profile(mut self, profile: Profile) -> Self {
        for (member, value) in profile.members() {
            self = match member.as_str() {
                "algorithms" => {
                    let algs: Vec<Algorithm> = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().and_then(Algorithm::from_name))
                        .collect();
                    self.algorithms(&algs)
                }
                "required_claims" => {
                    let names: Vec<String> = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect();
                    self.required_claims(names)
                }
                "max_age" => self.max_age(value.as_u64().unwrap_or_default()),
                "claim_map" => self.claim_map(
                    value
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))),
                ),
                "redirect_uris" => self.redirect_uris(match value.as_str() {
                    Some("subset") => RedirectUriMode::Subset,
                    _ => RedirectUriMode::Statement,
                }),
                "client_keys" => self.client_keys(match value.as_str() {
                    Some("statement") => ClientKeyMode::Statement,
                    _ => ClientKeyMode::Any,
                }),
                _ => self,
            };
        }
        self
    }
}

/// `alg` names of a preset's `algorithms`, parsed (used by tests of the presets).
#[cfg(test)]
fn preset_algorithms(profile: Profile) -> Vec<Algorithm> {
    profile
        .members()
        .get("algorithms")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().and_then(Algorithm::from_name))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn presets_are_valid_data() {
        for p in [
            Profile::Rfc7591,
            Profile::OpenBankingUk,
            Profile::Cdr,
            Profile::OpenFinanceBrasil,
        ] {
            assert_eq!(Profile::from_name(p.name()), Some(p));
            for rule in p.rules() {
                let _: Value = serde_json::from_str(rule.value).unwrap_or_else(|e| panic!("{}: {e}", rule.member));
                assert!(!rule.source.is_empty());
            }
        }
        assert_eq!(preset_algorithms(Profile::Cdr), [Algorithm::PS256]);
    }

    #[test]
    fn operators_follow_openid_federation_semantics() {
        let c = |op: &str, operand: Value| Constraint::parse(op, &operand).unwrap();
        assert!(c("essential", json!(true)).holds(Some(&json!(1))));
        assert!(!c("essential", json!(true)).holds(None));
        assert!(c("essential", json!(false)).holds(None));
        assert!(c("value", json!("Active")).holds(Some(&json!("Active"))));
        assert!(!c("value", json!("Active")).holds(Some(&json!("Revoked"))));
        assert!(
            c("value", json!("Active")).holds(None),
            "absent: only essential applies"
        );
        assert!(c("one_of", json!(["a", "b"])).holds(Some(&json!("b"))));
        assert!(!c("one_of", json!(["a", "b"])).holds(Some(&json!(["a"]))));
        assert!(c("subset_of", json!(["a", "b"])).holds(Some(&json!("a b"))));
        assert!(!c("subset_of", json!(["a"])).holds(Some(&json!(["a", "c"]))));
        assert!(c("superset_of", json!(["PISP"])).holds(Some(&json!(["AISP", "PISP"]))));
        assert!(!c("superset_of", json!(["PISP"])).holds(Some(&json!("AISP"))));
        assert!(!c("superset_of", json!(["x"])).holds(Some(&json!(1))));
        assert!(Constraint::parse("add", &json!([]))
            .unwrap_err()
            .contains("unknown operator"));
        assert!(Constraint::parse("subset_of", &json!("a")).is_err());
        assert!(Constraint::parse("essential", &json!("yes")).is_err());
        assert!(Constraint::parse("one_of", &json!([["a"]])).is_err());
    }

    #[test]
    fn claim_map_asserts_targets_and_refuses_conflicts() {
        let map = vec![("software_redirect_uris".to_owned(), "redirect_uris".to_owned())];
        let mut claims = json!({"software_redirect_uris": ["https://a/cb"]})
            .as_object()
            .unwrap()
            .clone();
        apply_claim_map(&map, &mut claims).unwrap();
        assert_eq!(claims["redirect_uris"], json!(["https://a/cb"]));
        assert!(claims.contains_key("software_redirect_uris"));
        let mut conflict = json!({"software_redirect_uris": ["https://a/cb"], "redirect_uris": ["https://b/cb"]})
            .as_object()
            .unwrap()
            .clone();
        assert!(matches!(
            apply_claim_map(&map, &mut conflict),
            Err(StatementError::ClaimMapConflict { .. })
        ));
        assert!(check_claim_map(&[("a".into(), "iss".into())]).is_err());
    }
}
