//! Dynamic client registration (RFC 7591 §3): the merge of a verified statement over a
//! request ([`merge`]), the registration step an authorization server runs
//! ([`Registrar`]), and a registered client's own keys ([`ClientKeys`]).

mod client_keys;
mod merge;
mod registrar;
mod signed_request;
mod update;

pub use self::client_keys::ClientKeys;
pub use self::merge::{merge, merge_owned, Merged};
pub use self::registrar::{Registrar, Registration, StatementInfo, DEFAULT_MAX_REQUEST_BYTES};
pub use self::signed_request::{
    RegistrationRequestBuilder, RequestInfo, SignedRequestPolicy, SignedRequests, DEFAULT_MAX_REQUEST_AGE,
};
pub use self::update::Update;
